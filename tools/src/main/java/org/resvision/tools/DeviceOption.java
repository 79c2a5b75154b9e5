package org.resvision.tools;

import picocli.CommandLine.Option;

/** {@code --device cpu|gpu}, one picocli mixin for every model command (train, evaluate, predict, annotate-video, features). */
public final class DeviceOption {

    @Option(names = "--device", paramLabel = "cpu|gpu", description = "where the model runs: the CPU or DJL's first GPU"
            + " (default: ${DEFAULT-VALUE})")
    Cli.DeviceName name = Cli.DeviceName.cpu;

    /** The DJL device; a GPU that DJL does not see is a usage error. */
    ai.djl.Device device() throws UsageException {
        return BackboneModels.device(name);
    }

    @Override
    public String toString() {
        return name.toString();
    }
}
