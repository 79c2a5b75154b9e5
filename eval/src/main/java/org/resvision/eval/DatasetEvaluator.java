package org.resvision.eval;

/**
 * An evaluation fed one image at a time, as detectron2's {@code DatasetEvaluator}: {@link #reset()}
 * before a pass, {@link #process} for each image the model saw, {@link #evaluate()} at the end. The
 * same evaluator serves a training loop's validation, {@code resvision evaluate} and a library user's
 * own loop; the model modules' inference loops ({@code DetectionEvaluation.run},
 * {@code SegmentationEvaluation.run}) drive it.
 *
 * <p>Implementations: {@link org.resvision.eval.coco.CocoEvaluator} (COCO bbox/segm, pycocotools'
 * numbers), {@link org.resvision.eval.voc.VocEvaluator} (the PASCAL VOC devkit's AP) and
 * {@link org.resvision.eval.segmentation.SegmentationEvaluator} (torchvision's confusion-matrix
 * metrics). Instances keep state and are not thread-safe unless they say otherwise.
 *
 * @param <I> what one image contributes (its detections, or its target and predicted class maps)
 * @param <R> the result of a pass
 */
public interface DatasetEvaluator<I, R> {

    /** Forgets everything processed so far; the next {@link #evaluate()} sees only what follows. */
    void reset();

    /**
     * Adds one image's outputs.
     *
     * @param image the image's contribution; an image with nothing detected still counts (its
     *     ground truth is missed)
     * @throws EvaluationException when the input cannot belong to this evaluation (it names the image
     *     and the problem); nothing of it is added
     */
    void process(I image) throws EvaluationException;

    /**
     * The result over everything processed since the last {@link #reset()}; the state is kept, so
     * more images may be processed and evaluated again.
     *
     * @return a new result, independent of this evaluator's later state
     * @throws EvaluationException when the processed inputs or the ground truth cannot be evaluated
     */
    R evaluate() throws EvaluationException;
}
