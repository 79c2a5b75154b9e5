package org.resvision.tools.bench;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One case of the backbone benchmark: a torchvision-default ResNet (BatchNorm, 1000 classes) at
 * {@code size x size}, either inference ({@code infer}) or one SGD training step ({@code
 * train}: forward in training mode, cross-entropy, backward, SGD with momentum 0.9 and weight
 * decay 1e-4) per iteration. One case per process, so the peak RSS printed (VmHWM) is the
 * case's own; {@code tools/bench/backbone_bench.sh} runs every case next to torchvision's.
 *
 * <p>Prints {@code resvision <mode> b<batch> median_ms=.. min_ms=.. peak_rss_mb=..} (training: {@code loss=..} too).
 */
@Command(name = "backbone", header = "a ResNet's inference or SGD training step, timed",
        description = "A torchvision-default ResNet (BatchNorm, 1000 classes) on random SIZE x SIZE images: inference, or one SGD"
                + " step per iteration (training-mode forward, cross-entropy, backward, momentum 0.9, weight decay 1e-4). Prints"
                + " 'resvision MODE bBATCH median_ms=.. min_ms=.. peak_rss_mb=..' over the iterations after the warm-up (and, training, 'loss=..' of the last step; a NaN or infinite loss stops it).")
final class BackboneBenchCommand extends BenchProgram {

    @Option(names = "--arch", paramLabel = "ARCH", description = "resnet18, resnet34, resnet50, ... (default: ${DEFAULT-VALUE})")
    String arch = "resnet50";

    @Option(names = "--size", paramLabel = "PX", description = "image side (default: ${DEFAULT-VALUE})")
    int size = 224;

    @Option(names = "--mode", paramLabel = "MODE", description = "infer or train (default: ${DEFAULT-VALUE})")
    BenchTimes.Mode mode = BenchTimes.Mode.infer;

    @Option(names = "--profile", paramLabel = "TRACE.json", description = "record the last iteration with libtorch's profiler"
            + " (compare with torchvision_backbone.py --profile through tools/bench/profile_diff.py)")
    String profile;

    @Mixin
    BenchLoop loop = new BenchLoop(1, 7, 2);

    @Override
    protected int call() throws Exception {
        atLeast("--size", size, 32);
        loop.check(this);
        System.out.println(run());
        return 0;
    }

    private String run() throws IOException {
        List<Double> times = new ArrayList<>();
        float lastLoss = Float.NaN;
        try (NDManager manager = NDManager.newBaseManager()) {
            // the same weights and inputs in every process (the torchvision side seeds too), so rounds repeat one loss
            Engine.getInstance().setRandomSeed(0);
            ResNet net = new ResNet(ResNetConfig.of(arch));
            Shape inShape = new Shape(loop.batch, 3, size, size);
            net.initialize(manager, DataType.FLOAT32, inShape);
            NDArray x = manager.randomNormal(inShape);
            ParameterStore ps = new ParameterStore(manager, false);
            boolean train = mode == BenchTimes.Mode.train;
            NDArray labels = manager.randomInteger(0, 1000, new Shape(loop.batch), DataType.INT64);
            Optimizer sgd =
                    Optimizer.sgd()
                            .setLearningRateTracker(Tracker.fixed(0.01f))
                            .optMomentum(0.9f)
                            .optWeightDecays(1e-4f)
                            .build();
            SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss("ce", 1f, -1, true, true);
            for (int i = 0; i < loop.warmup + loop.iters; i++) {
                boolean profiled = profile != null && i == loop.warmup + loop.iters - 1;
                if (profiled) {
                    ai.djl.pytorch.jni.JniUtils.startProfile(false, false, false);
                }
                long t0 = System.nanoTime();
                try (NDManager step = manager.newSubManager()) {
                    NDArray input = x.duplicate();
                    input.attach(step);
                    if (train) {
                        lastLoss = trainStep(net, ps, input, labels, loss, sgd, i);
                    } else {
                        NDList out = net.forward(ps, new NDList(input), false);
                        out.get(0).getFloat(0, 0); // wait for the result
                    }
                }
                times.add((System.nanoTime() - t0) / 1e6);
                if (profiled) {
                    ai.djl.pytorch.jni.JniUtils.stopProfile(profile);
                }
            }
        }
        return BenchTimes.report(mode.name(), loop.batch, times, loop.warmup, lastLoss);
    }

    /** One step; returns its loss (see {@link BenchTimes#finiteLoss}). */
    private static float trainStep(
            ResNet net, ParameterStore ps, NDArray x, NDArray labels, SoftmaxCrossEntropyLoss loss, Optimizer sgd, int iteration) {
        float value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = net.forward(ps, new NDList(x), true).singletonOrThrow();
            NDArray l = loss.evaluate(new NDList(labels), new NDList(logits));
            value = BenchTimes.finiteLoss(l, iteration);
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
        return value;
    }
}
