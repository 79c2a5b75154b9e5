package org.resvision.tools;

import java.nio.file.Path;
import java.util.Set;

/** {@code resvision predict}: masks for images. */
public final class PredictCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision predict [--config C.json] --weights W IMAGES... --out OUT [--draw DIR]",
            "                         [--score-thresh T] [--device cpu|gpu] [--coco GT.json] [--batch B] [--strict]",
            "  Detection: OUT is a JSON file of results in COCO results format plus file_name and",
            "  category_name (image_id and dataset category ids when --coco GT.json maps file names to ids);",
            "  --draw writes each image with boxes, labels and scores (enlarged by a whole factor when its",
            "  short side is under 360 px, so the labels can be read). --score-thresh overrides the config's",
            "  box_score_thresh. Segmentation: OUT is a folder of VOC-palette PNGs of class indices (same",
            "  stem), and --draw a colour overlay per image. T is in [0, 1], B >= 1. An unreadable image among",
            "  several is skipped with one warning line naming it (more than 10% unreadable, or all of them,",
            "  fails); --strict, or a single IMAGE, fails at the first. W is a checkpoint file (then --config",
            "  is required) or a published checkpoint's name (fasterrcnn_resnet50_fpn_v2:COCO_V1, fcn_resnet50;",
            "  'resvision weights list'), fetched when absent, whose preset, categories and sizes need no",
            "  config (a published FCN sees the image resized to its short side 520, as torchvision's preset).");

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
        Args args = new Args(argv, Set.of("config", "weights", "out", "draw", "score-thresh", "device", "coco", "batch"), Set.of("strict"), USAGE);
        if (args.positional().isEmpty()) {
            throw new UsageException("no IMAGES given\n" + USAGE);
        }
        Path draw = args.outputFolder("draw", false);
        boolean strict = args.flag("strict") || args.positional().size() == 1;
        ModelChoice model = ModelChoice.of(args.get("config", null), args.get("weights", null));
        if (model.isDetection()) {
            float thresh = args.getFloat("score-thresh", -1, 0, 1);
            int batch = args.getInt("batch", 2, 1);
            String coco = args.get("coco", null);
            return DetectionCommands.predict(model.detection(), model.file(), args.positional(), args.outputFile("out"), draw, thresh,
                    args.get("device", "cpu"), coco == null ? null : Path.of(coco), batch, strict);
        }
        return SegmentationCommands.predict(model.segmentation(), model.file(), args.positional(), args.outputFolder("out", true), draw,
                strict, model.shortSide());
    }
}
