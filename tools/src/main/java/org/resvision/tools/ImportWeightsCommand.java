package org.resvision.tools;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.nn.LoadReport;
import org.resvision.nn.Norm;
import org.resvision.nn.StateDictLoader;
import org.resvision.nn.TorchModule;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code resvision import-weights}: check a .pth against an architecture, save as safetensors. */
@Command(name = "import-weights", header = "validate a torchvision .pth against an architecture and convert it to safetensors",
        description = "Reads a torch.save state dict (zip or legacy format, no Python needed), loads it into ARCH to check every"
                + " name and shape (strict unless --lenient), and writes the file's tensors as safetensors (float16 widened to"
                + " float32). Missing/unexpected keys are listed by name.")
public final class ImportWeightsCommand extends CliCommand {

    @Option(names = "--arch", paramLabel = "ARCH", required = true, description = "resnet18|resnet34|resnet50|resnet101|resnet152|"
            + "resnext50_32x4d|wide_resnet50_2")
    String arch;

    @Option(names = "--fpn", description = "the file holds a ResNet with torchvision's FPN")
    boolean fpn;

    @Option(names = "--lenient", description = "list missing and unexpected keys instead of failing")
    boolean lenient;

    @Option(names = "--out", paramLabel = "OUT.safetensors", required = true, description = "the safetensors file to write")
    Path out;

    @Parameters(paramLabel = "IN.pth", arity = "0..*", description = "the state dict")
    List<String> inputs = new ArrayList<>();

    @Override
    protected int call() throws Exception {
        Path out = outputFile("--out", this.out);
        if (inputs.size() != 1) {
            throw new UsageException("expected exactly one input file");
        }
        Path in = Path.of(inputs.get(0));
        try (NDManager manager = NDManager.newBaseManager()) {
            StateDict sd = WeightsIO.load(in, manager);
            TorchModule model;
            if (fpn) {
                model = BackboneModels.fpn(arch, Norm.frozenBatchNorm());
            } else {
                ResNet probe = new ResNet(BackboneModels.config(arch).withNumClasses(0));
                String prefix = StateDictLoader.detectPrefix(probe, sd);
                model = BackboneModels.resnetFor(arch, Norm.frozenBatchNorm(), sd, prefix == null ? "" : prefix);
            }
            model.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            LoadReport report = BackboneModels.load(model, sd, in, arch + (fpn ? " with FPN" : ""), !lenient);
            System.out.println(in + ": " + report.summary());
            WeightsIO.saveSafetensors(out, sd, Map.of("source", in.getFileName().toString(), "arch", arch));
            System.out.println("wrote " + sd.size() + " tensors to " + out);
        }
        return 0;
    }
}
