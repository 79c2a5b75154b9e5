package org.resvision.tools;

import java.io.IOException;
import java.nio.file.Path;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.Pretrained;
import org.resvision.segmentation.PretrainedSegmentation;
import org.resvision.segmentation.SegmentationConfig;

/**
 * The model a command runs: {@code --config C.json --weights FILE} as before, or {@code --weights
 * NAME} of a published checkpoint, whose config (preset, categories, sizes, torchvision's eps) comes
 * from the catalog entry; with both, the file's config is used with the published weights (to
 * change thresholds, say), and must fit them. Exactly one of {@code detection} and {@code
 * segmentation} is set.
 */
record ModelChoice(DetectionConfig detection, SegmentationConfig segmentation, WeightsSpec weights) {

    static ModelChoice of(String config, String weights) throws IOException, UsageException {
        if (weights == null) {
            throw new UsageException("--weights is required (a file, or a published checkpoint's name: see 'resvision weights list')");
        }
        if (config != null) {
            Path file = Path.of(config);
            boolean detection = DetectionCommands.isDetection(file);
            DetectionConfig d = detection ? DetectionCommands.config(file) : null;
            SegmentationConfig s = detection ? null : SegmentationCommands.config(file);
            WeightsSpec w = WeightsSpec.resolve(weights);
            if (w.entry() != null && !w.is(detection ? "detection" : "segmentation")) {
                throw new UsageException(w.entry().id() + " is a " + w.entry().task() + " checkpoint and " + file + " a "
                        + (detection ? "detection" : "segmentation") + " config");
            }
            return new ModelChoice(d, s, w);
        }
        if (WeightsSpec.find(weights) == null) {
            throw new UsageException("--config is required unless --weights names a published checkpoint ('resvision weights list')");
        }
        WeightsSpec w = WeightsSpec.resolve(weights);
        return switch (w.entry().task()) {
            case "detection" -> new ModelChoice(Pretrained.config(w.entry()), null, w);
            case "segmentation" -> new ModelChoice(null, PretrainedSegmentation.config(w.entry()), w);
            default -> throw new UsageException(w.entry().id() + " is an image classifier; this command runs detection and segmentation"
                    + " models (its backbone: 'resvision features --weights " + w.entry().id() + "')");
        };
    }

    boolean isDetection() {
        return detection != null;
    }

    Path file() {
        return weights.file();
    }
}
