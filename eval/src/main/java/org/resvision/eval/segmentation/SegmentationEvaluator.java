package org.resvision.eval.segmentation;

import java.util.Objects;
import org.resvision.eval.DatasetEvaluator;
import org.resvision.eval.EvaluationException;

/**
 * Semantic segmentation metrics fed image by image (torchvision's reference {@code evaluate}):
 * each image's target and predicted class maps go into one {@link ConfusionMatrix}; the result is a
 * copy of it (pixel accuracy, class accuracy, IoU per class, mIoU).
 *
 * <p>Not thread-safe: one thread, or external locking.
 */
public final class SegmentationEvaluator implements DatasetEvaluator<SegmentationEvaluator.LabelMaps, ConfusionMatrix> {

    /**
     * One image's class maps, flattened in the same pixel order.
     *
     * @param imageId names the image in errors (a file name or an index)
     * @param target the true class per pixel ({@link ConfusionMatrix#IGNORE} and other labels outside
     *     the classes are not counted)
     * @param prediction the predicted class per pixel
     */
    public record LabelMaps(String imageId, int[] target, int[] prediction) {
        /**
         * Checks that nothing is null.
         *
         * @param imageId names the image
         * @param target the true classes
         * @param prediction the predicted classes
         */
        public LabelMaps {
            Objects.requireNonNull(imageId, "imageId");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(prediction, "prediction");
        }
    }

    private final int numClasses;
    private final ConfusionMatrix matrix;

    /**
     * An evaluator of {@code numClasses} classes (background included).
     *
     * @param numClasses labels {@code 0..numClasses-1} count, at least 1
     * @throws IllegalArgumentException when {@code numClasses} is below 1
     */
    public SegmentationEvaluator(int numClasses) {
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses " + numClasses + " must be at least 1");
        }
        this.numClasses = numClasses;
        this.matrix = new ConfusionMatrix(numClasses);
    }

    @Override
    public void reset() {
        matrix.reset();
    }

    /**
     * Counts one image's pixels.
     *
     * @param image its target and prediction
     * @throws EvaluationException when the maps differ in length or a counted pixel's prediction is
     *     outside the classes; nothing of the image is counted
     */
    @Override
    public void process(LabelMaps image) throws EvaluationException {
        int[] t = image.target();
        int[] p = image.prediction();
        if (t.length != p.length) {
            throw new EvaluationException("image " + image.imageId() + ": target has " + t.length + " pixels, prediction " + p.length);
        }
        for (int i = 0; i < t.length; i++) {
            if (t[i] >= 0 && t[i] < numClasses && (p[i] < 0 || p[i] >= numClasses)) {
                throw new EvaluationException("image " + image.imageId() + ": predicted class " + p[i] + " outside 0.." + (numClasses - 1));
            }
        }
        matrix.update(t, p);
    }

    /**
     * The metrics over the pixels counted since the last reset.
     *
     * @return a new matrix, a copy of the counts
     */
    @Override
    public ConfusionMatrix evaluate() {
        return matrix.copy();
    }
}
