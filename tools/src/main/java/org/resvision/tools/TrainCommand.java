package org.resvision.tools;

import java.nio.file.Path;
import org.resvision.segmentation.SegmentationConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code resvision train}: trains the model a config describes. */
@Command(name = "train", header = "train a detection or segmentation model from a config",
        description = {
            "Detection (Faster R-CNN) configs train on a COCO annotation file (images in --images DIR, or found next to it),"
                + " with COCO bbox mAP at each checkpoint on --val (default: the file's train -> val sibling when it exists;"
                + " none: no evaluation). Segmentation (FCN) configs train on a VOC folder's train split with mIoU on val.",
            "RUN_DIR gets config.json, model.safetensors (the newest weights) and checkpoints/iter-N/ (model and optimizer"
                + " state, committed as one, so a kill at any moment leaves a complete checkpoint); --resume continues from"
                + " the newest exactly (weights, momentum, iteration, data order, sampling); a RUN_DIR that holds a run already"
                + " is refused unless --resume or --overwrite (which starts again) is given; one process per RUN_DIR. A NaN"
                + " loss stops with a message and keeps the last good checkpoint. An unreadable image is skipped with one"
                + " warning line naming it (more than 10%% unreadable fails the run); --strict fails at the first."})
public final class TrainCommand extends CliCommand {

    @Option(names = "--config", paramLabel = "C.json", required = true, description = "the model and recipe")
    Path config;

    @Option(names = "--data", paramLabel = "coco:ANN.json|voc:DIR", required = true, description = "the training data")
    String data;

    @Option(names = "--out", paramLabel = "RUN_DIR", required = true, description = "the run's folder")
    Path out;

    @Option(names = "--val", paramLabel = "coco:ANN.json|none", description = "detection's validation set")
    String val;

    @Option(names = "--images", paramLabel = "DIR", description = "the COCO images' folder (default: found next to the annotations)")
    String images;

    @Option(names = "--init", paramLabel = "WEIGHTS", description = "start from a file holding the whole model (a torchvision state"
            + " dict, e.g. from tools/reference/train/torchvision_detection.py init), or from a published checkpoint by name ('resvision"
            + " weights list'): an ImageNet classifier (resnet50) initialises the backbone body, a detector or segmenter"
            + " (fasterrcnn_resnet50_fpn_v2:COCO_V1, fcn_resnet50) the whole model but its class-specific last layers, which"
            + " start random when the class count differs")
    String init;

    @Option(names = "--resume", description = "continue the run in RUN_DIR from its newest checkpoint")
    boolean resume;

    @Option(names = "--overwrite", description = "start again in a RUN_DIR that holds a run")
    boolean overwrite;

    @Mixin DeviceOption device;

    @Option(names = "--strict", description = "fail at the first unreadable image")
    boolean strict;

    @Override
    protected int call() throws Exception {
        ai.djl.Device d = device.device(); // no GPU is a usage error before any work
        Path run = outputFolder("--out", out);
        if (DetectionCommands.isDetection(config)) {
            DetectionCommands.CocoData train = DetectionCommands.cocoData(data, images);
            DetectionCommands.CocoData v = val == null ? DetectionCommands.defaultVal(train)
                    : val.equals("none") ? null : DetectionCommands.cocoData(val, images);
            return DetectionCommands.train(DetectionCommands.config(config), config, train, v, run, resume, overwrite,
                    init == null ? null : WeightsSpec.resolve(init), strict, d);
        }
        SegmentationConfig c = SegmentationCommands.config(config);
        return SegmentationCommands.train(c, config, SegmentationCommands.vocData(data), run, resume, overwrite,
                init == null ? null : WeightsSpec.resolve(init), strict, d);
    }
}
