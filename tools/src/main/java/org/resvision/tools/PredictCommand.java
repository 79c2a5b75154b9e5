package org.resvision.tools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code resvision predict}: boxes or masks for images. */
@Command(name = "predict", header = "predict boxes or masks for images",
        description = {
            "Detection: OUT is a JSON file of results in COCO results format plus file_name and category_name (image_id and"
                + " dataset category ids when --coco GT.json maps file names to ids). Segmentation: OUT is a folder of"
                + " VOC-palette PNGs of class indices (same stem); a published FCN (--weights fcn_resnet50) sees the image"
                + " resized to its short side 520, as torchvision's preset.",
            "An unreadable image among several is skipped with one warning line naming it (more than 10%% unreadable, or all"
                + " of them, fails); --strict, or a single IMAGE, fails at the first."})
public final class PredictCommand extends CliCommand {

    @Mixin ModelOptions model;

    @Option(names = "--out", paramLabel = "OUT", required = true, description = "the results file (detection) or folder (segmentation)")
    Path out;

    @Option(names = "--draw", paramLabel = "DIR", description = "also write each image with boxes, labels and scores (enlarged by a whole"
            + " factor when its short side is under 360 px, so the labels can be read), or a colour overlay (segmentation)")
    Path draw;

    @Option(names = "--score-thresh", paramLabel = "T", description = "in [0, 1]; overrides the config's box_score_thresh (detection)")
    float scoreThresh = -1;

    @Option(names = "--coco", paramLabel = "GT.json", description = "a COCO file whose images' file names give image_id and category ids (detection)")
    Path coco;

    @Option(names = "--batch", paramLabel = "B", description = "images per forward pass, >= 1 (detection; default: ${DEFAULT-VALUE})")
    int batch = 2;

    @Option(names = "--strict", description = "fail at the first unreadable image")
    boolean strict;

    @Parameters(paramLabel = "IMAGES", arity = "0..*", description = "image files")
    List<String> images = new ArrayList<>();

    @Override
    protected int call() throws Exception {
        if (images.isEmpty()) {
            throw new UsageException("no IMAGES given");
        }
        Path drawDir = outputFolder("--draw", draw);
        boolean strictRun = strict || images.size() == 1;
        ModelChoice choice = model.choice();
        if (choice.isDetection()) {
            float thresh = inRange("--score-thresh", scoreThresh, 0, 1);
            int b = atLeast("--batch", batch, 1);
            return DetectionCommands.predict(choice.detection(), choice.file(), images, outputFile("--out", out), drawDir, thresh,
                    model.device.toString(), coco, b, strictRun);
        }
        return SegmentationCommands.predict(choice.segmentation(), choice.file(), images, outputFolder("--out", out), drawDir,
                strictRun, model.device.device());
    }
}
