package org.resvision.tools;

import java.util.Set;

/** {@code resvision evaluate}: a trained model over a dataset split, with its metrics. */
public final class EvaluateCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision evaluate [--config C.json] --weights W --data coco:ANN.json|voc:DIR [--split val]",
            "                          [--images DIR] [--strict]",
            "  Detection: runs the model over the COCO file's images and prints the COCO bbox summary (the",
            "  eval module's pycocotools-exact numbers). Segmentation: runs the model over the VOC split and",
            "  prints per-class IoU and accuracy, mIoU and pixel accuracy. An unreadable image (corrupt,",
            "  truncated, empty) is skipped with one warning line naming it (detection: its objects count as",
            "  missed); more than 10% unreadable fails the run; --strict fails at the first. W is a checkpoint",
            "  file (then --config is required) or a published checkpoint's name ('resvision weights list'),",
            "  whose preset and categories need no config.");

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "evaluate trained weights on a dataset (COCO mAP or mIoU)";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("config", "weights", "data", "split", "images"), Set.of("strict"), USAGE);
        ModelChoice model = ModelChoice.of(args.get("config", null), args.get("weights", null));
        if (model.isDetection()) {
            return DetectionCommands.evaluate(model.detection(), model.file(),
                    DetectionCommands.cocoData(args.require("data"), args.get("images", null)), args.flag("strict"));
        }
        return SegmentationCommands.evaluate(model.segmentation(), model.file(), SegmentationCommands.vocData(args.require("data")),
                args.get("split", "val"), args.flag("strict"));
    }
}
