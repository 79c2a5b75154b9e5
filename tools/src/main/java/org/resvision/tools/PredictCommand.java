package org.resvision.tools;

import java.nio.file.Path;
import java.util.Set;

/** {@code resvision predict}: masks for images. */
public final class PredictCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision predict --config C.json --weights W IMAGES... --out OUT [--draw DIR]",
            "                         [--score-thresh T] [--device cpu|gpu] [--coco GT.json] [--batch B]",
            "  Detection: OUT is a JSON file of results in COCO results format plus file_name and",
            "  category_name (image_id and dataset category ids when --coco GT.json maps file names to ids);",
            "  --draw writes each image with boxes, labels and scores. --score-thresh overrides the config's",
            "  box_score_thresh. Segmentation: OUT is a folder of VOC-palette PNGs of class indices (same",
            "  stem), and --draw a colour overlay per image.");

    @Override
    public String name() {
        return "predict";
    }

    @Override
    public String summary() {
        return "predict boxes or masks for images";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("config", "weights", "out", "draw", "score-thresh", "device", "coco", "batch"), Set.of(), USAGE);
        if (args.positional().isEmpty()) {
            throw new UsageException("no IMAGES given\n" + USAGE);
        }
        String draw = args.get("draw", null);
        Path config = Path.of(args.require("config"));
        if (DetectionCommands.isDetection(config)) {
            float thresh;
            try {
                thresh = Float.parseFloat(args.get("score-thresh", "-1"));
            } catch (NumberFormatException e) {
                throw new UsageException("--score-thresh must be a number");
            }
            String coco = args.get("coco", null);
            return DetectionCommands.predict(DetectionCommands.config(config), Path.of(args.require("weights")), args.positional(),
                    Path.of(args.require("out")), draw == null ? null : Path.of(draw), thresh, args.get("device", "cpu"),
                    coco == null ? null : Path.of(coco), Math.max(1, args.getInt("batch", 2)));
        }
        return SegmentationCommands.predict(SegmentationCommands.config(Path.of(args.require("config"))),
                Path.of(args.require("weights")), args.positional(), Path.of(args.require("out")), draw == null ? null : Path.of(draw));
    }
}
