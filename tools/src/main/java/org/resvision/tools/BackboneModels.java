package org.resvision.tools;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import org.resvision.backbone.fpn.BackboneWithFpn;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.nn.LoadReport;
import org.resvision.nn.Norm;
import org.resvision.nn.StateDictLoader;
import org.resvision.nn.TorchModule;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsFormatException;

/** What the backbone commands share: building a model for a checkpoint and the device flag. */
final class BackboneModels {

    private BackboneModels() {}

    /** {@code cpu} or {@code gpu} (the first GPU DJL sees). */
    /** The DJL device of {@code --device}: the CPU, or the first GPU (a usage error when DJL sees none). */
    static Device device(Cli.DeviceName name) throws UsageException {
        return device(name.toString());
    }

    static Device device(String name) throws UsageException {
        return switch (name) {
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (Engine.getInstance().getGpuCount() == 0) {
                    throw new UsageException("--device gpu: DJL sees no GPU on this machine");
                }
                yield Device.gpu();
            }
            default -> throw new UsageException("--device must be cpu or gpu, got '" + name + "'");
        };
    }

    /** A ResNet whose head matches the checkpoint's {@code fc} (none when the file has no fc). */
    static ResNet resnetFor(String arch, Norm norm, StateDict weights, String prefix) throws UsageException {
        var fc = weights.get(prefix + "fc.weight");
        int classes = fc == null ? 0 : (int) fc.getShape().get(0);
        return new ResNet(config(arch).withNorm(norm).withNumClasses(classes));
    }

    static ResNetConfig config(String arch) throws UsageException {
        try {
            return ResNetConfig.of(arch);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    static BackboneWithFpn fpn(String arch, Norm norm) throws UsageException {
        return new BackboneWithFpn(config(arch).withNorm(norm), BackboneWithFpn.DEFAULT_OUT_CHANNELS, 0);
    }

    /**
     * Loads {@code weights} into {@code model} under the prefix they use. Every parameter of the
     * model must be in the file with its shape; tensors the model does not use (a detection
     * checkpoint's heads, a classifier's fc under an FPN backbone) are only reported, unless
     * {@code strict}.
     *
     * @throws WeightsFormatException "{@code <file>: does not fit <model>: <what is missing>}"
     */
    static LoadReport load(TorchModule model, StateDict weights, Path file, String modelName, boolean strict)
            throws WeightsFormatException {
        String prefix = StateDictLoader.detectPrefix(model, weights);
        if (prefix == null && model instanceof BackboneWithFpn f && StateDictLoader.detectPrefix(f.body(), weights) != null) {
            throw new WeightsFormatException(file, "holds a plain ResNet (no fpn.* tensors), not an FPN backbone: drop --fpn,"
                    + " or use a resnet_fpn_backbone / detection checkpoint");
        }
        LoadReport report = StateDictLoader.load(model, weights, file, prefix == null ? "" : prefix, strict);
        if (!report.missing().isEmpty() || !report.shapeMismatches().isEmpty()) {
            throw new WeightsFormatException(file, "does not fit " + modelName + ": " + report.summary());
        }
        return report;
    }

    /** A base manager on {@code device}. */
    static NDManager manager(Device device) {
        return NDManager.newBaseManager(device);
    }
}
