package org.resvision.tools;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.resvision.backbone.nn.Norm;
import org.resvision.backbone.nn.StateDictLoader;
import org.resvision.backbone.nn.TorchModule;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.weights.StateDict;
import org.resvision.backbone.weights.WeightsIO;

/** {@code resvision init-weights}: a freshly initialised, torchvision-loadable checkpoint. */
public final class InitWeightsCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision init-weights --arch ARCH [--fpn] [--classes N] [--seed S] --out W.safetensors",
            "  Builds ARCH with torchvision's initialisation (kaiming-normal convs, BN weight 1 / bias 0,",
            "  FPN kaiming-uniform(a=1)), seeded, and writes its state dict with torchvision's names",
            "  (num_batches_tracked included, so torchvision loads it with strict=True).",
            "  --classes  size of the fc head (default 1000; 0 = no head); ignored with --fpn");

    @Override
    public String name() {
        return "init-weights";
    }

    @Override
    public String summary() {
        return "write a seeded, torchvision-initialised backbone checkpoint (safetensors)";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("arch", "classes", "seed", "out"), Set.of("fpn"), USAGE);
        String arch = args.require("arch");
        Path out = Path.of(args.require("out"));
        int seed = args.getInt("seed", 0);
        Engine.getInstance().setRandomSeed(seed);
        TorchModule model = args.flag("fpn")
                ? BackboneModels.fpn(arch, Norm.batchNorm())
                : new ResNet(BackboneModels.config(arch).withNumClasses(args.getInt("classes", 1000)));
        try (NDManager manager = NDManager.newBaseManager()) {
            model.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 224, 224));
            StateDict sd = StateDictLoader.export(model, manager);
            WeightsIO.saveSafetensors(out, sd, Map.of("arch", arch + (args.flag("fpn") ? "+fpn" : ""), "seed", String.valueOf(seed)));
            System.out.println("wrote " + sd.size() + " tensors (" + arch + (args.flag("fpn") ? " + FPN" : "") + ") to " + out);
        }
        return 0;
    }
}
