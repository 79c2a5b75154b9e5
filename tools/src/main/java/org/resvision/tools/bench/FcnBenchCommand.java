package org.resvision.tools.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.resvision.segmentation.Fcn;
import org.resvision.segmentation.SegmentationLoss;
import org.resvision.train.Sgd;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One case of the FCN benchmark (one process per case, so its peak RSS is its own):
 * {@code --mode infer --size 520 --batch 1} or {@code --mode train --size 320 --batch 4} (forward
 * in training mode, CE + 0.5 aux, backward, SGD step). Prints {@code resvision <mode> ...
 * median_ms=.. peak_rss_mb=..}; {@code tools/bench/fcn_bench.sh} runs it next to torchvision.
 * {@code --profile FILE} records the last iteration with libtorch's profiler (a chrome trace, its
 * time still counted; {@code torchvision_fcn.py --profile} writes the same for torchvision and
 * {@code tools/bench/profile_diff.py} compares the two op by op).
 */
@Command(name = "fcn", header = "FCN-ResNet50 inference or a training step, timed",
        description = "torchvision's fcn_resnet50 (aux head, 21 classes) on random SIZE x SIZE images: inference, or a training"
                + " step (training-mode forward, cross-entropy + 0.5 aux, backward, SGD). Prints"
                + " 'resvision MODE bBATCH median_ms=.. min_ms=.. peak_rss_mb=..' (and, training, 'loss=..' of the last step; a NaN or infinite loss stops it).")
final class FcnBenchCommand extends BenchProgram {

    @Option(names = "--mode", paramLabel = "MODE", description = "infer or train (default: ${DEFAULT-VALUE})")
    BenchTimes.Mode mode = BenchTimes.Mode.infer;

    @Option(names = "--size", paramLabel = "PX", description = "image side (default: ${DEFAULT-VALUE})")
    int size = 520;

    @Option(names = "--profile", paramLabel = "TRACE.json", description = "record the last iteration with libtorch's profiler"
            + " (compare with torchvision_fcn.py --profile through tools/bench/profile_diff.py)")
    String profile;

    @Mixin
    BenchLoop loop = new BenchLoop(1, 5, 1);

    @Override
    protected int call() throws Exception {
        atLeast("--size", size, 32);
        loop.check(this);
        boolean train = mode == BenchTimes.Mode.train;
        List<Double> times = new ArrayList<>();
        float lastLoss = Float.NaN;
        try (NDManager m = NDManager.newBaseManager()) {
            // the same weights and inputs in every process (the torchvision side seeds too), so rounds repeat one loss
            Engine.getInstance().setRandomSeed(0);
            Fcn fcn = Fcn.resnet50(21);
            Shape in = new Shape(loop.batch, 3, size, size);
            fcn.initialize(m, DataType.FLOAT32, in);
            ParameterStore ps = new ParameterStore(m, false);
            Sgd sgd = new Sgd(fcn.namedParameters(), 0.9f, 1e-4f, true, m);
            NDArray x = m.randomNormal(in);
            NDArray target = m.randomInteger(0, 21, new Shape(loop.batch, size, size), DataType.INT64);
            for (int i = 0; i < loop.warmup + loop.iters; i++) {
                boolean profiled = profile != null && i == loop.warmup + loop.iters - 1;
                if (profiled) {
                    JniUtils.startProfile(false, false, false);
                }
                long t0 = System.nanoTime();
                try (NDManager step = m.newSubManager()) {
                    NDArray input = x.duplicate();
                    input.attach(step);
                    NDArray labels = target.duplicate(); // the loss's temporaries then belong to this step
                    labels.attach(step);
                    if (train) {
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDList out = fcn.forward(ps, new NDList(input), true);
                            var losses = SegmentationLoss.compute(out, labels);
                            NDArray total = losses.get("out").add(losses.get("aux"));
                            lastLoss = BenchTimes.finiteLoss(total, i);
                            gc.backward(total);
                        }
                        sgd.step(0.01f);
                    } else {
                        fcn.forward(ps, new NDList(input), false).get(0).getFloat(0, 0, 0, 0);
                    }
                }
                times.add((System.nanoTime() - t0) / 1e6);
                if (profiled) {
                    JniUtils.stopProfile(profile);
                }
            }
        }
        System.out.println(BenchTimes.report(mode.name(), loop.batch, times, loop.warmup, lastLoss));
        return 0;
    }
}
