package org.resvision.tools;

import java.nio.file.Path;
import java.util.Set;
import org.resvision.segmentation.SegmentationModelConfig;

/** {@code resvision train}: trains the model a config describes (segmentation today). */
public final class TrainCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision train --config C.json --data coco:ANN.json|voc:DIR --out RUN_DIR",
            "                       [--resume | --overwrite] [--val coco:ANN.json|none] [--images DIR]",
            "                       [--init WEIGHTS] [--strict]",
            "  Detection (Faster R-CNN) configs train on a COCO annotation file (images in --images DIR, or",
            "  found next to it), with COCO bbox mAP at each checkpoint on --val (default: the file's train ->",
            "  val sibling when it exists; none: no evaluation). Segmentation (FCN) configs train on a VOC",
            "  folder's train split with mIoU on val. --init starts from a file holding the whole model (a",
            "  torchvision state dict, e.g. from tools/train/torchvision_detection.py init), or from a",
            "  published checkpoint by name ('resvision weights list'): an ImageNet classifier (resnet50)",
            "  initialises the backbone body, a detector or segmenter (fasterrcnn_resnet50_fpn_v2:COCO_V1,",
            "  fcn_resnet50) the whole model but its class-specific last layers, which start random when the",
            "  class count differs. RUN_DIR gets config.json, model.safetensors (the newest weights) and",
            "  checkpoints/iter-N/ (model and optimizer state, committed as one, so a kill at any moment leaves",
            "  a complete checkpoint); --resume continues from the newest exactly (weights, momentum,",
            "  iteration, data order, sampling); a RUN_DIR that holds a run already is refused unless --resume",
            "  or --overwrite (which starts again) is given; one process per RUN_DIR. A NaN loss stops with a",
            "  message and keeps the last good checkpoint. An unreadable image is skipped with one warning line",
            "  naming it (more than 10% unreadable fails the run); --strict fails at the first.");

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a detection or segmentation model from a config";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("config", "data", "out", "val", "images", "init"), Set.of("resume", "overwrite", "strict"), USAGE);
        Path config = Path.of(args.require("config"));
        if (DetectionCommands.isDetection(config)) {
            DetectionCommands.CocoData data = DetectionCommands.cocoData(args.require("data"), args.get("images", null));
            String val = args.get("val", null);
            DetectionCommands.CocoData v = val == null ? DetectionCommands.defaultVal(data)
                    : val.equals("none") ? null : DetectionCommands.cocoData(val, args.get("images", null));
            String init = args.get("init", null);
            return DetectionCommands.train(DetectionCommands.config(config), config, data, v, args.outputFolder("out", true), args.flag("resume"),
                    args.flag("overwrite"), init == null ? null : WeightsSpec.resolve(init), args.flag("strict"));
        }
        SegmentationModelConfig c = SegmentationCommands.config(config);
        String init = args.get("init", null);
        return SegmentationCommands.train(c, config, SegmentationCommands.vocData(args.require("data")),
                args.outputFolder("out", true), args.flag("resume"), args.flag("overwrite"), init == null ? null : WeightsSpec.resolve(init),
                args.flag("strict"));
    }
}
