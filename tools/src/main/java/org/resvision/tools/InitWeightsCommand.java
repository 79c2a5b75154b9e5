package org.resvision.tools;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Map;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.nn.Norm;
import org.resvision.nn.StateDictLoader;
import org.resvision.nn.TorchModule;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code resvision init-weights}: a freshly initialised, torchvision-loadable checkpoint. */
@Command(name = "init-weights", header = "write a seeded, torchvision-initialised backbone checkpoint (safetensors)",
        description = "Builds ARCH with torchvision's initialisation (kaiming-normal convs, BN weight 1 / bias 0, FPN"
                + " kaiming-uniform(a=1)), seeded, and writes its state dict with torchvision's names (num_batches_tracked"
                + " included, so torchvision loads it with strict=True).")
public final class InitWeightsCommand extends CliCommand {

    @Option(names = "--arch", paramLabel = "ARCH", required = true, description = "resnet18|resnet34|resnet50|resnet101|resnet152|"
            + "resnext50_32x4d|wide_resnet50_2")
    String arch;

    @Option(names = "--fpn", description = "with torchvision's FPN")
    boolean fpn;

    @Option(names = "--classes", paramLabel = "N", description = "size of the fc head (default ${DEFAULT-VALUE}; 0 = no head); ignored with --fpn")
    int classes = 1000;

    @Option(names = "--seed", paramLabel = "S", description = "the seed (default ${DEFAULT-VALUE})")
    int seed;

    @Option(names = "--out", paramLabel = "W.safetensors", required = true, description = "the checkpoint to write")
    Path out;

    @Override
    protected int call() throws Exception {
        Engine.getInstance().setRandomSeed(seed);
        TorchModule model = fpn
                ? BackboneModels.fpn(arch, Norm.batchNorm())
                : new ResNet(BackboneModels.config(arch).withNumClasses(classes));
        try (NDManager manager = NDManager.newBaseManager()) {
            model.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            StateDict sd = StateDictLoader.export(model, manager);
            WeightsIO.saveSafetensors(out, sd, Map.of("arch", arch + (fpn ? "+fpn" : ""), "seed", String.valueOf(seed)));
            System.out.println("wrote " + sd.size() + " tensors (" + arch + (fpn ? " + FPN" : "") + ") to " + out);
        }
        return 0;
    }
}
