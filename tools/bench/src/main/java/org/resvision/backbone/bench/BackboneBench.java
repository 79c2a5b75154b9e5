package org.resvision.backbone.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;

/**
 * One case of the backbone benchmark: a torchvision-default ResNet (BatchNorm, 1000 classes) at
 * {@code size x size}, either inference ({@code infer}) or one SGD training step ({@code
 * train}: forward in training mode, cross-entropy, backward, SGD with momentum 0.9 and weight
 * decay 1e-4) per iteration. One case per process, so the peak RSS printed (VmHWM) is the
 * case's own; {@code tools/bench/backbone_bench.sh} runs every case next to torchvision's.
 *
 * <p>Prints {@code resvision <mode> b<batch> median_ms=.. min_ms=.. peak_rss_mb=..}.
 */
public final class BackboneBench {

    /** The case to run. */
    public record Options(String arch, int size, String mode, int batch, int iters, int warmup, String profile) {}

    private BackboneBench() {}

    public static String run(Options o) throws IOException {
        List<Double> times = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            ResNet net = new ResNet(ResNetConfig.of(o.arch()));
            Shape inShape = new Shape(o.batch(), 3, o.size(), o.size());
            net.initialize(manager, DataType.FLOAT32, inShape);
            NDArray x = manager.randomNormal(inShape);
            ParameterStore ps = new ParameterStore(manager, false);
            boolean train = o.mode().equals("train");
            if (!train && !o.mode().equals("infer")) {
                throw new IllegalArgumentException("mode must be infer or train, got " + o.mode());
            }
            NDArray labels = manager.randomInteger(0, 1000, new Shape(o.batch()), DataType.INT64);
            Optimizer sgd =
                    Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(0.01f))
                            .optMomentum(0.9f)
                            .optWeightDecays(1e-4f)
                            .build();
            SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss("ce", 1f, -1, true, false);
            for (int i = 0; i < o.warmup() + o.iters(); i++) {
                boolean profiled = o.profile() != null && i == o.warmup() + o.iters() - 1;
                if (profiled) {
                    ai.djl.pytorch.jni.JniUtils.startProfile(false, false, false);
                }
                long t0 = System.nanoTime();
                try (NDManager step = manager.newSubManager()) {
                    NDArray input = x.duplicate();
                    input.attach(step);
                    if (train) {
                        trainStep(net, ps, input, labels, loss, sgd);
                    } else {
                        NDList out = net.forward(ps, new NDList(input), false);
                        out.get(0).getFloat(0, 0); // wait for the result
                    }
                }
                times.add((System.nanoTime() - t0) / 1e6);
                if (profiled) {
                    ai.djl.pytorch.jni.JniUtils.stopProfile(o.profile());
                }
            }
        }
        return report(o.mode(), o.batch(), times, o.warmup());
    }

    /**
     * The line the bench drivers parse: {@code resvision <mode> b<batch> median_ms=.. min_ms=..
     * peak_rss_mb=..}, over the iterations after {@code warmup}.
     */
    public static String report(String mode, int batch, List<Double> times, int warmup) {
        List<Double> measured = new ArrayList<>(times.subList(warmup, times.size()));
        Collections.sort(measured);
        double median = measured.size() % 2 == 1
                ? measured.get(measured.size() / 2)
                : (measured.get(measured.size() / 2 - 1) + measured.get(measured.size() / 2)) / 2;
        return String.format(Locale.ROOT, "resvision %s b%d median_ms=%.1f min_ms=%.1f peak_rss_mb=%d",
                mode, batch, median, measured.get(0), peakRssMb());
    }

    private static void trainStep(
            ResNet net, ParameterStore ps, NDArray x, NDArray labels, SoftmaxCrossEntropyLoss loss, Optimizer sgd) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = net.forward(ps, new NDList(x), true).singletonOrThrow();
            NDArray l = loss.evaluate(new NDList(labels), new NDList(logits));
            gc.backward(l);
        }
        for (Map.Entry<String, Parameter> e : net.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            if (!p.requiresGradient()) {
                continue;
            }
            NDArray w = p.getArray();
            try (NDArray grad = w.getGradient()) {
                sgd.update(p.getId(), w, grad);
                grad.subi(grad);
            }
        }
    }

    /** Peak resident set size of this process (VmHWM), in MiB; -1 where /proc is missing. */
    public static long peakRssMb() {
        return org.resvision.tools.bench.PeakRss.megabytes();
    }

    /**
     * {@code --arch A --size S --mode infer|train --batch B --iters N --warmup W [--profile TRACE.json]}: the
     * last iteration recorded by libtorch's profiler (as {@code FcnBench}; compare with {@code
     * torchvision_backbone.py --profile} through {@code tools/bench/profile_diff.py}).
     */
    public static void main(String[] args) throws IOException {
        System.setProperty("ai.djl.offline", "true");
        String arch = "resnet50";
        String mode = "infer";
        int size = 224;
        int batch = 1;
        int iters = 7;
        int warmup = 2;
        String profile = null;
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--arch" -> arch = v;
                case "--size" -> size = Integer.parseInt(v);
                case "--mode" -> mode = v;
                case "--batch" -> batch = Integer.parseInt(v);
                case "--iters" -> iters = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--profile" -> profile = v;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.println(run(new Options(arch, size, mode, batch, iters, warmup, profile)));
    }
}
