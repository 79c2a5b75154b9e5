package org.resvision.detection;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.loader.Batch;
import org.resvision.data.loader.PrefetchLoader;
import org.resvision.data.loader.SampleSource;
import org.resvision.eval.DatasetEvaluator;
import org.resvision.eval.EvaluationException;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.train.InferenceLoop;

/**
 * The detection inference loop: a detector over a source (images in order, no augmentation, read
 * ahead on all cores), each image's {@link DetectedImage} handed to a sink or a
 * {@link DatasetEvaluator} ({@link CocoDetectionEvaluator} for COCO's numbers). Training's
 * validation, {@code resvision evaluate} and library users all run it; {@link #predict} and
 * {@link #evaluate(FasterRcnn, List, CocoDataset, SampleSource, int, NDManager)} are its COCO forms.
 *
 * <p>Stateless; a pass runs the model on the calling thread (with the loader's worker threads reading
 * images), and the model must not be trained meanwhile.
 */
public final class DetectionEvaluation {

    private DetectionEvaluation() {}

    /**
     * Runs the model over every image of {@code source} and hands each image's detections to
     * {@code sink}, in the source's order. An unreadable image is skipped with a warning (it reaches
     * no sink) unless {@code strict}, which fails at the first; more than 10% unreadable fails the pass.
     *
     * @param model the network (inference only: nothing is recorded for autograd)
     * @param source the images, resized by the model's transform, without augmentation
     * @param batchSize images per forward pass
     * @param strict fail at the first unreadable image instead of skipping it
     * @param manager owns the batches (closed after each) and the parameter store
     * @param sink receives one {@link DetectedImage} per readable image
     * @return the pass's counts and time
     * @throws Exception what the sink throws; reading failures reach the caller unchecked (an
     *     {@code UncheckedIOException})
     */
    public static InferenceLoop.Summary run(FasterRcnn model, SampleSource source, int batchSize, boolean strict, NDManager manager,
            InferenceLoop.Sink<? super DetectedImage> sink) throws Exception {
        ParameterStore ps = new ParameterStore(manager, false);
        try (PrefetchLoader loader = new PrefetchLoader(source,
                new PrefetchLoader.Options(batchSize, 0, false, false, Math.max(1, Runtime.getRuntime().availableProcessors()), 2, !strict), manager)) {
            return InferenceLoop.run(loader.epoch(0), (Batch b) -> detect(model, ps, b), sink);
        }
    }

    private static List<DetectedImage> detect(FasterRcnn model, ParameterStore ps, Batch b) {
        if (b.size() == 0) {
            return List.of(); // every image of the batch was unreadable
        }
        int[][] sizes = DetectionBatches.sizes(b);
        List<Detections> dets = model.detect(ps, b.images(), sizes);
        List<DetectedImage> out = new ArrayList<>(b.size());
        for (int i = 0; i < b.size(); i++) {
            out.add(new DetectedImage(b.indices()[i], dets.get(i), sizes[i][0], sizes[i][1]));
        }
        return out;
    }

    /**
     * One evaluation pass: {@code evaluator} reset, fed every image by {@link #run}, evaluated.
     *
     * @param <R> the evaluator's result
     * @param model the network (inference only)
     * @param source the images, resized by the model's sizes, without augmentation
     * @param batchSize images per forward pass
     * @param strict fail at the first unreadable image instead of skipping it
     * @param manager owns the batches and the parameter store
     * @param evaluator the evaluation, for example a {@link CocoDetectionEvaluator}
     * @return the evaluator's result
     * @throws EvaluationException what the evaluator throws
     * @throws Exception reading failures, unchecked, as {@link #run}
     */
    public static <R> R evaluate(FasterRcnn model, SampleSource source, int batchSize, boolean strict, NDManager manager,
            DatasetEvaluator<? super DetectedImage, R> evaluator) throws Exception {
        evaluator.reset();
        run(model, source, batchSize, strict, manager, evaluator::process);
        return evaluator.evaluate();
    }

    /**
     * The model's detections for every image of {@code source} as COCO results, in original image
     * coordinates (unreadable images skipped).
     *
     * @param model the network (inference only: nothing is recorded for autograd)
     * @param classNames the model's class names, background first (see {@link CocoDetectionEvaluator#categoryIds})
     * @param gt the ground truth; {@code source} holds its images in the same order
     * @param source the images, resized by the model's transform, without augmentation
     * @param batchSize images per forward pass
     * @param manager owns the batches (closed after each) and the parameter store
     * @return COCO results ({@code [x, y, w, h]} in the original image's pixels), images in order, best first
     *     within an image; detections of labels the dataset lacks are left out
     * @throws IllegalArgumentException when {@code source} and {@code gt} have different image counts
     * @throws Exception declared, but what reaches the caller is unchecked: an {@code UncheckedIOException}
     *     when more than 10% of the images read cannot be read
     */
    public static List<CocoResult> predict(FasterRcnn model, List<String> classNames, CocoDataset gt, SampleSource source, int batchSize, NDManager manager) throws Exception {
        return predict(model, classNames, gt, source, batchSize, manager, false);
    }

    /**
     * As above; an unreadable image is skipped with a warning (it then has no detections, and its
     * ground truth counts as missed) unless {@code strict}, which fails at the first.
     *
     * @param model the network (inference only: nothing is recorded for autograd)
     * @param classNames the model's class names, background first (see {@link CocoDetectionEvaluator#categoryIds})
     * @param gt the ground truth; {@code source} holds its images in the same order
     * @param source the images, resized by the model's transform, without augmentation
     * @param batchSize images per forward pass
     * @param manager owns the batches (closed after each) and the parameter store
     * @param strict fail at the first unreadable image instead of skipping it
     * @return COCO results ({@code [x, y, w, h]} in the original image's pixels), images in order, best first
     *     within an image; detections of labels the dataset lacks are left out
     * @throws IllegalArgumentException when {@code source} and {@code gt} have different image counts
     * @throws Exception declared, but what reaches the caller is unchecked: an {@code UncheckedIOException}
     *     when an image cannot be read in strict mode, or else when more than 10% of those read cannot
     */
    public static List<CocoResult> predict(FasterRcnn model, List<String> classNames, CocoDataset gt, SampleSource source, int batchSize, NDManager manager,
            boolean strict) throws Exception {
        CocoDetectionEvaluator coco = cocoEvaluator(classNames, gt, source);
        run(model, source, batchSize, strict, manager, coco::process);
        return new ArrayList<>(coco.results());
    }

    private static CocoDetectionEvaluator cocoEvaluator(List<String> classNames, CocoDataset gt, SampleSource source) {
        if (source.size() != gt.images().size()) {
            throw new IllegalArgumentException("source has " + source.size() + " images, ground truth " + gt.images().size());
        }
        return new CocoDetectionEvaluator(gt, classNames);
    }

    /**
     * COCO bbox evaluation of the model on {@code source} against {@code gt} (unreadable images
     * skipped with a warning, as {@link #predict}).
     *
     * @param model the network (inference only: nothing is recorded for autograd)
     * @param classNames the model's class names, background first (see {@link CocoDetectionEvaluator#categoryIds})
     * @param gt the ground truth; {@code source} holds its images in the same order
     * @param source the images, resized by the model's transform, without augmentation
     * @param batchSize images per forward pass
     * @param manager owns the batches (closed after each) and the parameter store
     * @return pycocotools' 12 bbox statistics, with its precision and recall arrays
     * @throws IllegalArgumentException when {@code source} and {@code gt} have different image counts
     * @throws IllegalStateException when the COCO evaluation fails
     * @throws Exception declared, but what reaches the caller is unchecked: an {@code UncheckedIOException}
     *     when more than 10% of the images read cannot be read
     */
    public static CocoEvalResult evaluate(FasterRcnn model, List<String> classNames, CocoDataset gt, SampleSource source, int batchSize, NDManager manager)
            throws Exception {
        return evaluate(model, classNames, gt, source, batchSize, manager, false);
    }

    /**
     * As above; {@code strict} fails at the first unreadable image instead of skipping it.
     *
     * @param model the network (inference only: nothing is recorded for autograd)
     * @param classNames the model's class names, background first (see {@link CocoDetectionEvaluator#categoryIds})
     * @param gt the ground truth; {@code source} holds its images in the same order
     * @param source the images, resized by the model's transform, without augmentation
     * @param batchSize images per forward pass
     * @param manager owns the batches (closed after each) and the parameter store
     * @param strict fail at the first unreadable image instead of skipping it
     * @return pycocotools' 12 bbox statistics, with its precision and recall arrays
     * @throws IllegalArgumentException when {@code source} and {@code gt} have different image counts
     * @throws IllegalStateException when the COCO evaluation fails
     * @throws Exception declared, but what reaches the caller is unchecked: an {@code UncheckedIOException}
     *     when an image cannot be read in strict mode, or else when more than 10% of those read cannot
     */
    public static CocoEvalResult evaluate(FasterRcnn model, List<String> classNames, CocoDataset gt, SampleSource source, int batchSize, NDManager manager,
            boolean strict) throws Exception {
        try {
            return evaluate(model, source, batchSize, strict, manager, cocoEvaluator(classNames, gt, source));
        } catch (EvaluationException e) {
            throw new IllegalStateException("evaluation failed: " + e.getMessage(), e);
        }
    }
}
