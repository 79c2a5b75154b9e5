package org.resvision.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.PrintStream;
import java.nio.file.Path;
import org.resvision.backbone.train.LrSchedule;
import org.resvision.backbone.train.Sgd;
import org.resvision.backbone.train.TrainLoop;
import org.resvision.data.loader.Batch;
import org.resvision.data.loader.PrefetchLoader;
import org.resvision.data.loader.SampleSource;
import org.resvision.data.transform.Sample;
import org.resvision.eval.segmentation.ConfusionMatrix;

/**
 * torchvision's segmentation reference recipe on ResVision's loop: SGD (momentum 0.9, weight
 * decay 1e-4), poly learning rate, cross-entropy with ignore 255 plus 0.5 x aux, random
 * resize/crop/flip from the source, mIoU from the eval module at each checkpoint.
 */
public final class SegmentationTraining {

    /** Recipe settings (torchvision: lr 0.01 for batch 8 at 480 px, 30 epochs). */
    public record Settings(int batchSize, int iterations, float lr, float momentum, float weightDecay, long seed, int logEvery, int checkpointEvery) {
        public static Settings defaults(int iterations) {
            return new Settings(8, iterations, 0.01f, 0.9f, 1e-4f, 0, 20, Math.max(1, iterations));
        }
    }

    private SegmentationTraining() {}

    /**
     * Trains {@code model} (initialised) on {@code train}; evaluates on {@code val} at each
     * checkpoint and at the end. Returns the final validation confusion matrix.
     */
    public static ConfusionMatrix train(Fcn model, SampleSource train, SampleSource val, Settings s, Path runDir,
            boolean resume, NDManager manager, PrintStream log) throws Exception {
        return train(model, train, val, s, runDir, resume, false, manager, log);
    }

    /** As above; {@code strict} fails at the first unreadable image instead of skipping it with a warning. */
    public static ConfusionMatrix train(Fcn model, SampleSource train, SampleSource val, Settings s, Path runDir,
            boolean resume, boolean strict, NDManager manager, PrintStream log) throws Exception {
        Sgd sgd = new Sgd(model.namedParameters(), s.momentum(), s.weightDecay(), true, manager);
        ParameterStore ps = new ParameterStore(manager, false);
        ConfusionMatrix[] last = new ConfusionMatrix[1];
        try (PrefetchLoader loader = new PrefetchLoader(train,
                new PrefetchLoader.Options(s.batchSize(), s.seed(), true, false, Runtime.getRuntime().availableProcessors(), 2, !strict), manager)) {
            TrainLoop.run(model, sgd, LrSchedule.poly(s.lr(), s.iterations()), loader::stream,
                    (b, it) -> SegmentationLoss.compute(model.forward(ps, new NDList(b.images()), true), targets(b)),
                    new TrainLoop.Options(s.iterations(), s.logEvery(), s.checkpointEvery(), runDir, resume, 0f),
                    iteration -> {
                        last[0] = SegmentationEvaluation.evaluate(model, val, manager, strict);
                        return last[0].toString();
                    },
                    manager, log);
        }
        return last[0];
    }

    /** The batch's class maps, padded with 255 to the batch's image size: [N, H, W] int64. */
    static NDArray targets(Batch b) {
        Shape img = b.images().getShape();
        NDList maps = new NDList();
        for (Sample s : b.samples()) {
            NDArray m = s.segMap().toType(DataType.INT64, false);
            if (m.getShape().get(0) != img.get(2) || m.getShape().get(1) != img.get(3)) {
                NDArray p = b.manager().full(new Shape(img.get(2), img.get(3)), 255L);
                p.set(new NDIndex(":{}, :{}", m.getShape().get(0), m.getShape().get(1)), m);
                m = p;
            }
            maps.add(m);
        }
        return NDArrays.stack(maps);
    }
}
