package org.resvision.detection;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.loader.Batch;
import org.resvision.data.loader.PrefetchLoader;
import org.resvision.data.loader.SampleSource;
import org.resvision.eval.DatasetEvaluator;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.train.LrSchedule;
import org.resvision.train.Sgd;
import org.resvision.train.TrainLoop;

/**
 * Faster R-CNN training on ResVision's shared loop (torchvision's detection reference recipe):
 * SGD with momentum and weight decay, linear warm-up then multi-step or cosine decay, optional
 * gradient clipping, the four losses logged, atomic checkpoints with exact resume (data order
 * and per-step sampling seeds included), a NaN/Inf stop that keeps the last good checkpoint, and
 * COCO mAP (or any {@link Validation}) on the validation set at each checkpoint, run by the same
 * inference loop as evaluation ({@link DetectionEvaluation}). The recipe ({@link DetectionRecipe}) is
 * given apart from the model, as a config file holds it apart from the model's settings.
 *
 * <p>Stateless; a run happens on the calling thread, and nothing else may use the model or the
 * manager until it returns.
 */
public final class DetectionTraining {

    private DetectionTraining() {}

    /**
     * Trains {@code model} (initialised) on {@code train}; when {@code valGt} is given, evaluates
     * on {@code val} at each checkpoint and at the end. Returns the last evaluation (or null).
     * Unreadable images are skipped with a warning (see the other overload).
     *
     * @param model the network, initialised or loaded; trained in place
     * @param config the recipe ({@link DetectionConfig#recipe()}) and the class names
     * @param train the training images and targets (for example a training {@code CocoDetectionSource}),
     *     already resized by the model's transform
     * @param valGt the validation ground truth, or null for no validation
     * @param val the validation images, in {@code valGt}'s image order (read only with {@code valGt})
     * @param runDir where checkpoints go (and are resumed from), or null for none; validation then runs
     *     only at the end
     * @param resume continue from the newest checkpoint in {@code runDir}, if there is one
     * @param manager owns the optimizer state, the batches and the evaluation's arrays (on the model's device)
     * @param log receives the progress, resume and evaluation lines
     * @return the last evaluation, or null without {@code valGt} (or when a resumed run had nothing left)
     * @throws org.resvision.train.TrainingDivergedException a loss or, before a checkpoint, a
     *     parameter is NaN or infinite (the last good checkpoint stays)
     * @throws Exception what reading the data (an {@code UncheckedIOException} for an unreadable image in
     *     strict mode, or too many), the evaluation or the checkpoint I/O throws
     */
    public static CocoEvalResult train(FasterRcnn model, DetectionConfig config, SampleSource train, CocoDataset valGt, SampleSource val, Path runDir,
            boolean resume, NDManager manager, PrintStream log) throws Exception {
        return train(model, config, train, valGt, val, runDir, resume, false, manager, log);
    }

    /**
     * As above; unreadable images are skipped with a warning (the run fails when more than 10% are),
     * unless {@code strict}, which fails at the first. Good data gives the same steps either way.
     *
     * @param model the network, initialised or loaded; trained in place
     * @param config the recipe ({@link DetectionConfig#recipe()}) and the class names
     * @param train the training images and targets (for example a training {@code CocoDetectionSource}),
     *     already resized by the model's transform
     * @param valGt the validation ground truth, or null for no validation
     * @param val the validation images, in {@code valGt}'s image order (read only with {@code valGt})
     * @param runDir where checkpoints go (and are resumed from), or null for none; validation then runs
     *     only at the end
     * @param resume continue from the newest checkpoint in {@code runDir}, if there is one
     * @param strict fail at the first unreadable image instead of skipping it
     * @param manager owns the optimizer state, the batches and the evaluation's arrays (on the model's device)
     * @param log receives the progress, resume and evaluation lines
     * @return the last evaluation, or null without {@code valGt} (or when a resumed run had nothing left)
     * @throws org.resvision.train.TrainingDivergedException a loss or, before a checkpoint, a
     *     parameter is NaN or infinite (the last good checkpoint stays)
     * @throws Exception what reading the data (an {@code UncheckedIOException} for an unreadable image in
     *     strict mode, or too many), the evaluation or the checkpoint I/O throws
     */
    public static CocoEvalResult train(FasterRcnn model, DetectionConfig config, SampleSource train, CocoDataset valGt, SampleSource val, Path runDir,
            boolean resume, boolean strict, NDManager manager, PrintStream log) throws Exception {
        return train(model, config.recipe(), train, valGt == null ? null : Validation.coco(valGt, val, config.classNames()), runDir, resume, strict,
                manager, log);
    }

    /**
     * What training evaluates at each checkpoint and at the end: a source run through
     * {@link DetectionEvaluation#evaluate(FasterRcnn, SampleSource, int, boolean, NDManager,
     * org.resvision.eval.DatasetEvaluator)} with an evaluator, and the log line its result gives.
     *
     * @param <R> the evaluator's result
     * @param source the validation images, without augmentation
     * @param evaluator the evaluation (reset before each pass)
     * @param summary the text logged after {@code "eval @N: "}
     */
    public record Validation<R>(SampleSource source, DatasetEvaluator<? super DetectedImage, R> evaluator, Function<R, String> summary) {

        /**
         * COCO bbox AP on a COCO source, logged as {@code bbox AP .. AP50 .. AP75 .. AR100 ..}.
         *
         * @param gt the validation ground truth
         * @param source its images, in {@code gt}'s order
         * @param classNames the model's class names (see {@link CocoDetectionEvaluator#categoryIds})
         * @return the validation
         * @throws IllegalArgumentException when {@code source} and {@code gt} have different image counts
         */
        public static Validation<CocoEvalResult> coco(CocoDataset gt, SampleSource source, List<String> classNames) {
            if (source.size() != gt.images().size()) {
                throw new IllegalArgumentException("source has " + source.size() + " images, ground truth " + gt.images().size());
            }
            return new Validation<>(source, new CocoDetectionEvaluator(gt, classNames), r -> {
                double[] s = r.stats();
                return String.format(Locale.ROOT, "bbox AP %.4f AP50 %.4f AP75 %.4f AR100 %.4f", s[0], s[1], s[2], s[8]);
            });
        }
    }

    /**
     * Trains {@code model} with any validation (see {@link Validation}); the other overloads are
     * this one with COCO's.
     *
     * @param <R> the validation's result
     * @param model the network, initialised or loaded; trained in place
     * @param c the recipe: SGD, schedule, iterations, batch size, seed, log and checkpoint intervals
     * @param train the training images and targets, already resized by the model's transform
     * @param validation what to evaluate at each checkpoint and at the end, or null for nothing
     * @param runDir where checkpoints go (and are resumed from), or null for none; validation then runs
     *     only at the end
     * @param resume continue from the newest checkpoint in {@code runDir}, if there is one
     * @param strict fail at the first unreadable image instead of skipping it
     * @param manager owns the optimizer state, the batches and the evaluation's arrays (on the model's device)
     * @param log receives the progress, resume and evaluation lines
     * @return the last validation's result, or null without validation (or when a resumed run had nothing left)
     * @throws org.resvision.train.TrainingDivergedException a loss or, before a checkpoint, a
     *     parameter is NaN or infinite (the last good checkpoint stays)
     * @throws Exception what reading the data, the evaluation or the checkpoint I/O throws
     */
    public static <R> R train(FasterRcnn model, DetectionRecipe c, SampleSource train, Validation<R> validation, Path runDir,
            boolean resume, boolean strict, NDManager manager, PrintStream log) throws Exception {
        Sgd sgd = new Sgd(model.namedParameters(), c.momentum(), c.weightDecay(), c.decayNormAndBias(), manager);
        ParameterStore ps = new ParameterStore(manager, false);
        LrSchedule lr = switch (c.lrSchedule()) {
            case "multistep" -> LrSchedule.multiStep(c.lr(), c.iterations(), c.warmupIters(), c.milestones());
            case "cosine" -> LrSchedule.cosine(c.lr(), c.iterations(), c.warmupIters());
            default -> throw new IllegalArgumentException("lr_schedule '" + c.lrSchedule() + "' must be multistep or cosine");
        };
        AtomicReference<R> last = new AtomicReference<>();
        try (PrefetchLoader loader = new PrefetchLoader(train, PrefetchLoader.Options.training(c.batchSize(), c.seed()).withSkipBad(!strict), manager)) {
            TrainLoop.run(model, sgd, lr, loader::stream,
                    // a stream per step. Neighbouring seeds start alike in java.util.Random (Seeds), so the
                    // steps' first draws are related; Seeds.random(seed, it) instead made no difference to
                    // the demo's held-out AP over seeds 0-2 (0.405/0.477/0.499 vs 0.468/0.448/0.475;
                    // AP50 0.566/0.667/0.685 vs 0.648/0.633/0.665), so the runs keep their streams
                    (b, it) -> losses(model, ps, b, new Random(c.seed() * 1_000_003L + it)),
                    new TrainLoop.Options(c.iterations(), c.logEvery(), c.checkpointEvery(), runDir, resume, c.clipGradNorm()),
                    validation == null ? null : iteration -> {
                        R r = DetectionEvaluation.evaluate(model, validation.source(), c.batchSize(), strict, manager, validation.evaluator());
                        last.set(r);
                        return validation.summary().apply(r);
                    },
                    manager, log);
        }
        return last.get();
    }

    /**
     * The losses of one step, for tests and benchmarks.
     *
     * @param model the network
     * @param ps the parameter store
     * @param b a loader batch
     * @param rnd draws the RPN's and box head's samples
     * @return {@link FasterRcnn#losses}' four scalars; call inside a gradient collector to back-propagate
     */
    public static Map<String, ai.djl.ndarray.NDArray> losses(FasterRcnn model, ParameterStore ps, Batch b, Random rnd) {
        return model.losses(ps, b.images(), DetectionBatches.sizes(b), DetectionBatches.targets(b), rnd);
    }
}
