package org.resvision.tools.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCache;
import org.resvision.backbone.hub.WeightsCatalog;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.detection.FasterRcnn;
import org.resvision.detection.Pretrained;
import org.resvision.nn.StateDictLoader;
import org.resvision.nn.TorchModule;
import org.resvision.segmentation.Fcn;
import org.resvision.segmentation.PretrainedSegmentation;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Load time of each catalog model's default checkpoint from a folder ({@code
 * tools/bench/weights_load_bench.sh}): per model one line {@code resvision MODEL sha_ms read_ms
 * load_ms engine_ms}, where sha is the SHA-256 check a cached file gets (once per process), read is
 * {@link WeightsIO#load} and load is building the model (parameters allocated, not drawn: see
 * StateDictLoader.uninitializedForStrictLoad; torchvision's builder draws them) plus copying the tensors in (strict); engine is starting libtorch, once per process before
 * any clock (reported with the first model, 0 after), as torchvision's side imports torch first.
 *
 */
@Command(name = "weights-load", header = "each catalog model's checkpoint loaded from a folder, timed",
        description = "Per catalog model (its default weights, found in DIR by file name) one line 'resvision MODEL sha_ms read_ms"
                + " load_ms engine_ms': the SHA-256 check, reading the file, building the model and copying the tensors in (strict),"
                + " and libtorch's start (once per process, with the first model).")
final class WeightsLoadBenchCommand extends BenchProgram {

    @Parameters(index = "0", paramLabel = "DIR", description = "the folder with the checkpoints")
    Path dir;

    @Parameters(index = "1..*", paramLabel = "MODEL", description = "only these catalog models (default: every one)")
    List<String> wanted = new java.util.ArrayList<>();

    @Override
    protected int call() throws Exception {
        // libtorch starts before the clocks, as torchvision's side imports torch before its own;
        // the start is reported apart (with the first model)
        long e0 = System.nanoTime();
        NDManager.newBaseManager().close();
        double engineMs = (System.nanoTime() - e0) / 1e6;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (PublishedWeights w : WeightsCatalog.get().entries()) {
            if (!w.isDefault() || !seen.add(w.model()) || !wanted.isEmpty() && !wanted.contains(w.model())) {
                continue;
            }
            Path file = dir.resolve(w.fileName());
            if (!Files.isRegularFile(file)) {
                System.err.println("skipped " + w.model() + ": no " + file);
                continue;
            }
            long t0 = System.nanoTime();
            WeightsCache.sha256(file);
            long t1 = System.nanoTime();
            try (NDManager m = NDManager.newBaseManager()) {
                StateDict sd = WeightsIO.load(file, m);
                long t2 = System.nanoTime();
                TorchModule model = build(w, m);
                StateDictLoader.load(model, sd, file, "", true);
                long t3 = System.nanoTime();
                System.out.printf(Locale.ROOT, "resvision %s %.0f %.0f %.0f %.0f%n", w.model(), (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, engineMs);
                engineMs = 0;
            }
        }
        return 0;
    }

    private static TorchModule build(PublishedWeights w, NDManager m) {
        switch (w.task()) {
            case "detection" -> {
                return StateDictLoader.uninitializedForStrictLoad(FasterRcnn.of(Pretrained.config(w))).init(m);
            }
            case "segmentation" -> {
                Fcn fcn = StateDictLoader.uninitializedForStrictLoad(Fcn.of(PretrainedSegmentation.config(w).model()));
                fcn.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
                return fcn;
            }
            default -> {
                ResNet r = StateDictLoader.uninitializedForStrictLoad(new ResNet(ResNetConfig.of(w.model()).withNumClasses(w.numClasses())));
                r.initialize(m, DataType.FLOAT32, new Shape(1, 3, 224, 224));
                return r;
            }
        }
    }
}
