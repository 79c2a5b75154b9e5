package org.resvision.tools;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code resvision evaluate}: a trained model over a dataset split, with its metrics. */
@Command(name = "evaluate", header = "evaluate trained weights on a dataset (COCO mAP or mIoU)",
        description = {
            "Detection: runs the model over the COCO file's images and prints the COCO bbox summary (the eval module's"
                + " pycocotools-exact numbers). Segmentation: runs the model over the VOC split and prints per-class IoU and"
                + " accuracy, mIoU and pixel accuracy.",
            "An unreadable image (corrupt, truncated, empty) is skipped with one warning line naming it (detection: its"
                + " objects count as missed); more than 10%% unreadable fails the run; --strict fails at the first."})
public final class EvaluateCommand extends CliCommand {

    @Mixin ModelOptions model;

    @Option(names = "--data", paramLabel = "coco:ANN.json|voc:DIR", required = true, description = "the dataset")
    String data;

    @Option(names = "--split", paramLabel = "SPLIT", description = "the VOC split (segmentation; default: ${DEFAULT-VALUE})")
    String split = "val";

    @Option(names = "--images", paramLabel = "DIR", description = "the COCO images' folder (default: found next to the annotations)")
    String images;

    @Option(names = "--strict", description = "fail at the first unreadable image")
    boolean strict;

    @Override
    protected int call() throws Exception {
        ai.djl.Device d = model.device.device(); // no GPU is a usage error before any work
        ModelChoice choice = model.choice();
        if (choice.isDetection()) {
            return DetectionCommands.evaluate(choice.detection(), choice.file(), DetectionCommands.cocoData(data, images), strict, d);
        }
        return SegmentationCommands.evaluate(choice.segmentation(), choice.file(), SegmentationCommands.vocData(data), split, strict, d);
    }
}
