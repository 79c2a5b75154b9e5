package org.resvision.tools;

import java.io.IOException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options that name the model a command runs, a picocli mixin of {@code predict},
 * {@code evaluate} and {@code annotate-video}: {@code --config} and {@code --weights} (see
 * {@link ModelChoice}) and {@code --device} ({@link DeviceOption}).
 */
public final class ModelOptions {

    @Option(names = "--config", paramLabel = "C.json", description = "the model's config (required with a checkpoint file)")
    String config;

    @Option(names = "--weights", paramLabel = "W", description = "a checkpoint file, or a published checkpoint's name"
            + " (fasterrcnn_resnet50_fpn_v2:COCO_V1, fcn_resnet50; 'resvision weights list'), fetched when absent, whose preset,"
            + " categories and sizes need no config")
    String weights;

    @Mixin DeviceOption device;

    /** The model these options name. */
    ModelChoice choice() throws IOException, UsageException {
        return ModelChoice.of(config, weights);
    }
}
