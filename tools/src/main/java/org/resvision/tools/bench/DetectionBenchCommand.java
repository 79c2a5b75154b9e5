package org.resvision.tools.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.resvision.data.boxes.Boxes;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.DetectionTransform;
import org.resvision.detection.FasterRcnn;
import org.resvision.detection.Target;
import org.resvision.train.Sgd;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One case of the Faster R-CNN benchmark (one process per case, so its peak RSS is its own):
 * {@code --arch resnet50|resnet18|resnet50_v2 --mode infer|train --min-size S --batch B [--height H --width
 * W]}. Inference times the whole call a user makes (transform, model, post-processing, boxes back
 * to the image); a training step is transform + the four losses + backward + SGD step, frozen BN
 * with 3 trainable stages (torchvision's fine-tuning setting), 5 boxes per image, SGD at {@code
 * --lr} 1e-4 (at 0.01 the random heads diverge within three steps, on both sides, and a diverged
 * Faster R-CNN does other work: torchvision's kept only its 10 ground-truth boxes as RoIs, where a
 * step samples 1024; a NaN or infinite loss now stops the bench); {@code --weights
 * W} loads the weights the torchvision side uses; {@code --profile FILE} records the last iteration
 * with libtorch's profiler (a chrome trace, its time still counted; {@code torchvision_detection.py
 * --profile} writes the same for torchvision, {@code tools/bench/profile_diff.py} compares them). Inputs are
 * synthetic images (the timing does not depend on content except through the number of
 * detections and proposals). Prints {@code resvision <mode> ... median_ms=.. peak_rss_mb=..} (training: {@code
 * loss=..}); {@code
 * tools/bench/detection_bench.sh} runs it next to torchvision.
 */
@Command(name = "detection", header = "Faster R-CNN inference or a training step, timed",
        description = "Faster R-CNN on random HEIGHT x WIDTH images resized by MIN_SIZE (max side MIN_SIZE x 1333/800): inference"
                + " times the whole call a user makes (transform, model, post-processing, boxes back to the image); a training step"
                + " is the transform, the four losses, backward and an SGD step (frozen BN, 3 trainable stages), 5 boxes per image."
                + " Prints 'resvision MODE bBATCH median_ms=.. min_ms=.. peak_rss_mb=..' (and, training, 'loss=..' of the last step; a NaN or infinite loss stops it).")
final class DetectionBenchCommand extends BenchProgram {

    /** The presets the bench builds. */
    enum Arch {
        /** fasterrcnn_resnet50_fpn. */
        resnet50,
        /** fasterrcnn_resnet18_fpn. */
        resnet18,
        /** fasterrcnn_resnet50_fpn_v2. */
        resnet50_v2
    }

    @Option(names = "--arch", paramLabel = "ARCH", description = "resnet50, resnet18 or resnet50_v2 (default: ${DEFAULT-VALUE})")
    Arch arch = Arch.resnet50;

    @Option(names = "--mode", paramLabel = "MODE", description = "infer or train (default: ${DEFAULT-VALUE})")
    BenchTimes.Mode mode = BenchTimes.Mode.infer;

    @Option(names = "--min-size", paramLabel = "PX", description = "the transform's min_size (default: ${DEFAULT-VALUE})")
    int minSize = 800;

    @Option(names = "--height", paramLabel = "PX", description = "the images' height (default: ${DEFAULT-VALUE})")
    int height = 480;

    @Option(names = "--width", paramLabel = "PX", description = "the images' width (default: ${DEFAULT-VALUE})")
    int width = 640;

    @Option(names = "--weights", paramLabel = "FILE", description = "the weights the torchvision side uses (default: random)")
    String weights;

    @Option(names = "--lr", paramLabel = "LR", description = "the training step's SGD learning rate (default: ${DEFAULT-VALUE};"
            + " at 0.01 the random heads diverge within 3 steps, and a diverged run stops the bench)")
    float lr = 1e-4f;

    @Option(names = "--profile", paramLabel = "TRACE.json", description = "record the last iteration with libtorch's profiler"
            + " (compare with torchvision_detection.py --profile through tools/bench/profile_diff.py)")
    String profile;

    @Mixin
    BenchLoop loop = new BenchLoop(1, 3, 1);

    @Override
    protected int call() throws Exception {
        atLeast("--min-size", minSize, 32);
        atLeast("--height", height, 1);
        atLeast("--width", width, 1);
        inRange("--lr", lr, 0, Float.MAX_VALUE);
        loop.check(this);
        DetectionConfig.Builder c = DetectionConfig.builder(switch (arch) {
            case resnet18 -> "fasterrcnn_resnet18_fpn";
            case resnet50_v2 -> "fasterrcnn_resnet50_fpn_v2";
            case resnet50 -> "fasterrcnn_resnet50_fpn";
        });
        c.min_size = minSize;
        c.max_size = (int) Math.round(minSize * 1333.0 / 800);
        boolean train = mode == BenchTimes.Mode.train;
        List<Double> times = new ArrayList<>();
        float lastLoss = Float.NaN;
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(0);
            FasterRcnn model = FasterRcnn.of(c.build()).init(m);
            if (weights != null) {
                java.nio.file.Path w = java.nio.file.Path.of(weights);
                org.resvision.nn.StateDictLoader.load(model, w, m, "", true);
            }
            ParameterStore ps = new ParameterStore(m, false);
            Sgd sgd = new Sgd(model.namedParameters(), 0.9f, 1e-4f, true, m);
            DetectionTransform transform = model.transform();
            List<NDArray> images = new ArrayList<>();
            for (int b = 0; b < loop.batch; b++) {
                images.add(m.randomUniform(0f, 1f, new Shape(3, height, width)));
            }
            Random rnd = new Random(0);
            float[][] boxes = new float[loop.batch][20];
            int[][] labels = new int[loop.batch][5];
            for (int b = 0; b < loop.batch; b++) {
                for (int k = 0; k < 5; k++) {
                    float x = rnd.nextFloat() * width * 0.6f;
                    float y = rnd.nextFloat() * height * 0.6f;
                    boxes[b][4 * k] = x;
                    boxes[b][4 * k + 1] = y;
                    boxes[b][4 * k + 2] = x + 20 + rnd.nextFloat() * width * 0.3f;
                    boxes[b][4 * k + 3] = y + 20 + rnd.nextFloat() * height * 0.3f;
                    labels[b][k] = 1 + rnd.nextInt(c.num_classes - 1);
                }
            }
            for (int i = 0; i < loop.warmup + loop.iters; i++) {
                boolean profiled = profile != null && i == loop.warmup + loop.iters - 1;
                if (profiled) {
                    JniUtils.startProfile(false, false, false);
                }
                long t0 = System.nanoTime();
                try (NDManager step = m.newSubManager()) {
                    List<NDArray> in = new ArrayList<>();
                    for (NDArray im : images) {
                        NDArray d = im.duplicate();
                        d.attach(step);
                        in.add(d);
                    }
                    try (DetectionTransform.Prepared p = transform.prepare(in)) {
                        if (train) {
                            List<Target> targets = new ArrayList<>();
                            for (int b = 0; b < loop.batch; b++) {
                                float sy = (float) p.imageSizes()[b][0] / height;
                                float sx = (float) p.imageSizes()[b][1] / width;
                                float[] t = boxes[b].clone();
                                for (int k = 0; k < t.length; k += 2) {
                                    t[k] *= sx;
                                    t[k + 1] *= sy;
                                }
                                targets.add(new Target(Boxes.of(t), labels[b]));
                            }
                            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                                Map<String, NDArray> losses = model.losses(ps, p.images(), p.imageSizes(), targets, new Random(i));
                                NDArray total = null;
                                for (NDArray l : losses.values()) {
                                    total = total == null ? l : total.add(l);
                                }
                                lastLoss = BenchTimes.finiteLoss(total, i);
                                gc.backward(total);
                            }
                            sgd.step(lr);
                        } else {
                            DetectionTransform.postprocess(model.detect(ps, p.images(), p.imageSizes()), p);
                        }
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
