package org.resvision.tools;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.resvision.backbone.nn.LoadReport;
import org.resvision.backbone.nn.Norm;
import org.resvision.backbone.nn.StateDictLoader;
import org.resvision.backbone.nn.TorchModule;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.weights.StateDict;
import org.resvision.backbone.weights.WeightsIO;

/** {@code resvision import-weights}: check a .pth against an architecture, save as safetensors. */
public final class ImportWeightsCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision import-weights --arch ARCH [--fpn] [--lenient] IN.pth --out OUT.safetensors",
            "  Reads a torch.save state dict (zip or legacy format, no Python needed), loads it into ARCH",
            "  to check every name and shape (strict unless --lenient), and writes the file's tensors as",
            "  safetensors (float16 widened to float32). Missing/unexpected keys are listed by name.");

    @Override
    public String name() {
        return "import-weights";
    }

    @Override
    public String summary() {
        return "validate a torchvision .pth against an architecture and convert it to safetensors";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("arch", "out"), Set.of("fpn", "lenient"), USAGE);
        String arch = args.require("arch");
        Path out = args.outputFile("out");
        if (args.positional().size() != 1) {
            throw new UsageException("expected exactly one input file\n" + USAGE);
        }
        Path in = Path.of(args.positional().get(0));
        try (NDManager manager = NDManager.newBaseManager()) {
            StateDict sd = WeightsIO.load(in, manager);
            TorchModule model;
            if (args.flag("fpn")) {
                model = BackboneModels.fpn(arch, Norm.frozenBatchNorm());
            } else {
                ResNet probe = new ResNet(BackboneModels.config(arch).withNumClasses(0));
                String prefix = StateDictLoader.detectPrefix(probe, sd);
                model = BackboneModels.resnetFor(arch, Norm.frozenBatchNorm(), sd, prefix == null ? "" : prefix);
            }
            model.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            LoadReport report = BackboneModels.load(model, sd, in, arch + (args.flag("fpn") ? " with FPN" : ""), !args.flag("lenient"));
            System.out.println(in + ": " + report.summary());
            WeightsIO.saveSafetensors(out, sd, Map.of("source", in.getFileName().toString(), "arch", arch));
            System.out.println("wrote " + sd.size() + " tensors to " + out);
        }
        return 0;
    }
}
