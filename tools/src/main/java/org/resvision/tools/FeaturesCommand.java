package org.resvision.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.resvision.backbone.fpn.BackboneWithFpn;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.data.image.Images;
import org.resvision.data.transform.Sample;
import org.resvision.data.transform.Transforms;
import org.resvision.nn.LoadReport;
import org.resvision.nn.Norm;
import org.resvision.nn.StateDictLoader;
import org.resvision.nn.TorchModule;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code resvision features}: every backbone stage's output for one image, as safetensors. */
@Command(name = "features", header = "backbone features (stem, layer1..4, logits, FPN) of an image, as safetensors",
        description = "Decodes IMAGE (OpenCV), scales to [0,1], normalises with ImageNet mean/std at the image's own size (--size S"
                + " first resizes) and writes every stage: stem, layer1..layer4, logits (when the weights have fc), and with --fpn"
                + " the FPN levels 0..3, pool.")
public final class FeaturesCommand extends CliCommand {

    @Option(names = "--arch", paramLabel = "ARCH", description = "resnet18|resnet34|resnet50|resnet101|resnet152|resnext50_32x4d|"
            + "wide_resnet50_2 (from the name when --weights names a published checkpoint)")
    String arch;

    @Option(names = "--weights", paramLabel = "FILE|NAME", required = true, description = "torchvision .pth or safetensors"
            + " (classification, resnet_fpn_backbone or detection checkpoints; the key prefix is found automatically), or a"
            + " published checkpoint's name (resnet50, resnet50:IMAGENET1K_V1, fasterrcnn_resnet50_fpn:COCO_V1; see 'resvision"
            + " weights list'): then ARCH and the epsilon come from the name")
    String weights;

    @Option(names = "--fpn", description = "also the FPN levels 0..3, pool")
    boolean fpn;

    @Option(names = "--size", paramLabel = "S", description = "first resize bilinearly so the short side is S pixels (>= 1)")
    int size;

    @Option(names = "--eps", paramLabel = "E", description = "BatchNorm epsilon, >= 0 (default 1e-5; torchvision's COCO detection"
            + " weights v1 use 0)")
    Float eps;

    @Mixin DeviceOption device;

    @Option(names = "--out", paramLabel = "OUT.safetensors", required = true, description = "the features file")
    Path out;

    @Parameters(paramLabel = "IMAGE", arity = "0..*", description = "the image")
    List<String> images = new ArrayList<>();

    @Override
    protected int call() throws Exception {
        WeightsSpec spec = WeightsSpec.resolve(weights);
        Path weightsFile = spec.file();
        String arch = spec.entry() == null ? require("--arch", this.arch) : archOf(spec.entry(), this.arch);
        Path out = outputFile("--out", this.out);
        if (images.size() != 1) {
            throw new UsageException("expected exactly one IMAGE, got " + images.size());
        }
        Path image = Path.of(images.get(0));
        int size = atLeast("--size", this.size, 1);
        float defaultEps = spec.entry() != null && spec.entry().model().equals("fasterrcnn_resnet50_fpn") ? 0f : Norm.DEFAULT_EPS;
        Norm norm = Norm.frozenBatchNorm().withEps(eps == null ? defaultEps : inRange("--eps", eps, 0f, Float.MAX_VALUE));

        try (NDManager manager = BackboneModels.manager(device.device())) {
            StateDict weights = WeightsIO.load(weightsFile, manager);
            NDArray x = preprocess(Images.read(image, manager), size);
            TorchModule model;
            ResNet body;
            if (fpn) {
                // fasterrcnn_resnet50_fpn_v2's FPN has BatchNorm after each conv (eval mode: running statistics)
                boolean fpnNorm = spec.entry() != null && spec.entry().model().equals("fasterrcnn_resnet50_fpn_v2");
                BackboneWithFpn b = fpnNorm ? new BackboneWithFpn(BackboneModels.config(arch).withNorm(norm), BackboneWithFpn.DEFAULT_OUT_CHANNELS, 0,
                        Norm.frozenBatchNorm()) : BackboneModels.fpn(arch, norm);
                model = b;
                body = b.body();
            } else {
                ResNet probe = new ResNet(BackboneModels.config(arch).withNorm(norm).withNumClasses(0));
                String prefix = StateDictLoader.detectPrefix(probe, weights);
                body = BackboneModels.resnetFor(arch, norm, weights, prefix == null ? "" : prefix);
                model = body;
            }
            model.initialize(manager, DataType.FLOAT32, x.getShape());
            LoadReport report = BackboneModels.load(model, weights, weightsFile, arch + (fpn ? " with FPN" : ""), false);
            System.err.println("weights: " + report.summary());

            ParameterStore ps = new ParameterStore(manager, false);
            Set<String> stages = new LinkedHashSet<>(List.of("stem", "layer1", "layer2", "layer3", "layer4"));
            if (body.hasHead()) {
                stages.add("logits");
            }
            Map<String, NDArray> outputs = new LinkedHashMap<>(body.features(ps, x, false, stages));
            if (fpn) {
                NDList levels = model.forward(ps, new NDList(x), false);
                for (NDArray level : levels) {
                    outputs.put(level.getName(), level);
                }
            }
            StateDict result = new StateDict();
            outputs.forEach(result::put);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("arch", arch + (fpn ? "+fpn" : ""));
            meta.put("weights", weightsFile.toString());
            meta.put("image", image.toString());
            meta.put("input_shape", x.getShape().toString());
            WeightsIO.saveSafetensors(out, result, meta);
            StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-8s %s%n", "stage", "shape"));
            outputs.forEach((k, v) -> table.append(String.format(Locale.ROOT, "%-8s %s%n", k, v.getShape())));
            System.out.print(table);
            System.out.println("wrote " + outputs.size() + " tensors to " + out);
        }
        return 0;
    }

    /**
     * The ResNet of a published checkpoint: a classifier is its own architecture, a Faster R-CNN's
     * body is resnet50; FCN backbones are dilated, which this command does not build.
     */
    static String archOf(PublishedWeights w, String given) throws UsageException {
        String arch = switch (w.task()) {
            case "classification" -> w.model();
            case "detection" -> "resnet50";
            default -> throw new UsageException(w.id() + " is a " + w.task() + " model (a dilated backbone): run it with 'resvision predict'");
        };
        if (given != null && !given.equals(arch)) {
            throw new UsageException("--arch " + given + " does not match " + w.id() + " (" + arch + ")");
        }
        return arch;
    }

    /**
     * [3, H, W] in [0, 1] -> optional short-side resize (torchvision's bilinear, no antialiasing)
     * -> ImageNet normalisation -> [1, 3, H', W'].
     */
    static NDArray preprocess(NDArray rgb, int shortSide) {
        NDArray x = rgb;
        if (shortSide > 0) {
            long h = x.getShape().get(1);
            long w = x.getShape().get(2);
            int nh = (int) (h <= w ? shortSide : Math.round((double) shortSide * h / w));
            int nw = (int) (h <= w ? Math.round((double) shortSide * w / h) : shortSide);
            x = Transforms.bilinear(x, nh, nw);
        }
        Sample s = Transforms.normalize(Sample.of(x),
                Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD);
        return s.image().expandDims(0);
    }
}
