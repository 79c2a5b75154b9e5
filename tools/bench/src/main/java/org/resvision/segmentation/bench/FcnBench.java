package org.resvision.segmentation.bench;

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
import org.resvision.backbone.bench.BackboneBench;
import org.resvision.backbone.train.Sgd;
import org.resvision.segmentation.Fcn;
import org.resvision.segmentation.FcnConfig;
import org.resvision.segmentation.SegmentationLoss;

/**
 * One case of the FCN benchmark (one process per case, so its peak RSS is its own):
 * {@code --mode infer --size 520 --batch 1} or {@code --mode train --size 320 --batch 4} (forward
 * in training mode, CE + 0.5 aux, backward, SGD step). Prints {@code resvision <mode> ...
 * median_ms=.. peak_rss_mb=..}; {@code tools/bench/fcn_bench.sh} runs it next to torchvision.
 * {@code --profile FILE} records the last iteration with libtorch's profiler (a chrome trace, its
 * time still counted; {@code torchvision_fcn.py --profile} writes the same for torchvision and
 * {@code tools/bench/profile_diff.py} compares the two op by op).
 */
public final class FcnBench {

    private FcnBench() {}

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        String mode = "infer";
        int size = 520;
        int batch = 1;
        int iters = 5;
        int warmup = 1;
        String profile = null;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--mode" -> mode = args[i + 1];
                case "--size" -> size = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--iters" -> iters = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--profile" -> profile = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        boolean train = mode.equals("train");
        List<Double> times = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Fcn fcn = Fcn.of(FcnConfig.fcnResnet50());
            Shape in = new Shape(batch, 3, size, size);
            fcn.initialize(m, DataType.FLOAT32, in);
            ParameterStore ps = new ParameterStore(m, false);
            Sgd sgd = new Sgd(fcn.namedParameters(), 0.9f, 1e-4f, true, m);
            NDArray x = m.randomNormal(in);
            NDArray target = m.randomInteger(0, 21, new Shape(batch, size, size), DataType.INT64);
            for (int i = 0; i < warmup + iters; i++) {
                boolean profiled = profile != null && i == warmup + iters - 1;
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
                            gc.backward(losses.get("out").add(losses.get("aux")));
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
        System.out.println(BackboneBench.report(mode, batch, times, warmup));
    }
}
