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
import org.resvision.data.loader.Batch;
import org.resvision.data.loader.PrefetchLoader;
import org.resvision.data.loader.SampleSource;
import org.resvision.data.transform.Sample;
import org.resvision.eval.segmentation.ConfusionMatrix;
import org.resvision.eval.segmentation.SegmentationEvaluator;
import org.resvision.train.LrSchedule;
import org.resvision.train.Sgd;
import org.resvision.train.TrainLoop;

/**
 * torchvision's segmentation reference recipe on ResVision's loop: SGD (momentum 0.9, weight
 * decay 1e-4), poly learning rate, cross-entropy with ignore 255 plus 0.5 x aux, random
 * resize/crop/flip from the source, mIoU from the eval module at each checkpoint (the same
 * inference loop as evaluation, {@link SegmentationEvaluation}). Weight decay applies
 * to every parameter; no gradient clipping.
 *
 * <p>Stateless; a run happens on the calling thread, and nothing else may use the model or the
 * manager until it returns.
 */
public final class SegmentationTraining {

    private SegmentationTraining() {}

    /**
     * Trains {@code model} (initialised) on {@code train}; evaluates on {@code val} at each
     * checkpoint and at the end. Returns the final validation confusion matrix. Unreadable images are
     * skipped with a warning (see the other overload).
     *
     * @param model the network, initialised or loaded; trained in place
     * @param train the training images and class maps (for example a training {@code VocSegmentationSource})
     * @param val the validation images and maps; required (it is evaluated at each checkpoint and at the end)
     * @param s the recipe
     * @param runDir where checkpoints go (and are resumed from), or null for none; validation then runs only
     *     at the end
     * @param resume continue from the newest checkpoint in {@code runDir}, if there is one
     * @param manager owns the optimizer state, the batches and the evaluation's arrays (on the model's device)
     * @param log receives the progress, resume and evaluation lines
     * @return the last validation's confusion matrix, or null when a resumed run had nothing left to do
     * @throws org.resvision.train.TrainingDivergedException a loss or, before a checkpoint, a
     *     parameter is NaN or infinite (the last good checkpoint stays)
     * @throws Exception what reading the data (an {@code UncheckedIOException} or {@code IOException} for
     *     unreadable images in strict mode, or too many), the evaluation or the checkpoint I/O throws
     */
    public static ConfusionMatrix train(Fcn model, SampleSource train, SampleSource val, SegmentationRecipe s, Path runDir,
            boolean resume, NDManager manager, PrintStream log) throws Exception {
        return train(model, train, val, s, runDir, resume, false, manager, log);
    }

    /**
     * As above; {@code strict} fails at the first unreadable image instead of skipping it with a warning.
     *
     * @param model the network, initialised or loaded; trained in place
     * @param train the training images and class maps (for example a training {@code VocSegmentationSource})
     * @param val the validation images and maps; required (it is evaluated at each checkpoint and at the end)
     * @param s the recipe
     * @param runDir where checkpoints go (and are resumed from), or null for none; validation then runs only
     *     at the end
     * @param resume continue from the newest checkpoint in {@code runDir}, if there is one
     * @param strict fail at the first unreadable image instead of skipping it
     * @param manager owns the optimizer state, the batches and the evaluation's arrays (on the model's device)
     * @param log receives the progress, resume and evaluation lines
     * @return the last validation's confusion matrix, or null when a resumed run had nothing left to do
     * @throws org.resvision.train.TrainingDivergedException a loss or, before a checkpoint, a
     *     parameter is NaN or infinite (the last good checkpoint stays)
     * @throws Exception what reading the data (an {@code UncheckedIOException} or {@code IOException} for
     *     unreadable images in strict mode, or too many), the evaluation or the checkpoint I/O throws
     */
    public static ConfusionMatrix train(Fcn model, SampleSource train, SampleSource val, SegmentationRecipe s, Path runDir,
            boolean resume, boolean strict, NDManager manager, PrintStream log) throws Exception {
        Sgd sgd = new Sgd(model.namedParameters(), s.momentum(), s.weightDecay(), true, manager);
        ParameterStore ps = new ParameterStore(manager, false);
        ConfusionMatrix[] last = new ConfusionMatrix[1];
        SegmentationEvaluator validation = new SegmentationEvaluator(model.numClasses());
        try (PrefetchLoader loader = new PrefetchLoader(train,
                new PrefetchLoader.Options(s.batchSize(), s.seed(), true, false, Runtime.getRuntime().availableProcessors(), 2, !strict), manager)) {
            TrainLoop.run(model, sgd, LrSchedule.poly(s.lr(), s.iterations()), loader::stream,
                    (b, it) -> SegmentationLoss.compute(model.forward(ps, new NDList(b.images()), true), targets(b)),
                    new TrainLoop.Options(s.iterations(), s.logEvery(), s.checkpointEvery(), runDir, resume, 0f),
                    iteration -> {
                        last[0] = SegmentationEvaluation.evaluate(model, val, strict, manager, validation);
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
