package org.resvision.detection;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.DatasetEvaluator;
import org.resvision.eval.EvaluationException;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvaluator;

/**
 * COCO bbox evaluation of a detector's outputs: each {@link DetectedImage} of a source over a COCO
 * dataset (its index = the dataset's image position) is scaled back to the original image, its
 * labels mapped to the dataset's category ids ({@link #categoryIds}) and passed to the eval
 * module's {@link CocoEvaluator}. Every image of the dataset is evaluated, processed or not: an
 * image the loop skipped (unreadable) has its ground truth counted as missed, never left out.
 *
 * <p>Not thread-safe: one thread, or external locking.
 */
public final class CocoDetectionEvaluator implements DatasetEvaluator<DetectedImage, CocoEvalResult> {

    private final CocoDataset gt;
    private final long[] ids;
    private final CocoEvaluator evaluator;
    private final List<CocoResult> results = new ArrayList<>();

    /**
     * An evaluator of {@code gt} for a model with {@code classNames}.
     *
     * @param gt the ground truth, kept by reference
     * @param classNames the model's class names, background first (null: label i is the dataset's
     *     i-th category); see {@link #categoryIds}
     */
    public CocoDetectionEvaluator(CocoDataset gt, List<String> classNames) {
        this.gt = gt;
        this.ids = categoryIds(classNames, gt);
        long[] all = gt.images().stream().mapToLong(CocoImage::id).toArray();
        this.evaluator = new CocoEvaluator(gt, CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX).withImageIds(all));
    }

    @Override
    public void reset() {
        evaluator.reset();
        results.clear();
    }

    /**
     * Adds one image's detections as COCO results.
     *
     * @param image the loop's output for the dataset's {@code image.index()}-th image
     * @throws EvaluationException when the index is not an image of the dataset; nothing is added
     */
    @Override
    public void process(DetectedImage image) throws EvaluationException {
        if (image.index() < 0 || image.index() >= gt.images().size()) {
            throw new EvaluationException("image index " + image.index() + " is not one of the dataset's " + gt.images().size() + " images");
        }
        CocoImage im = gt.images().get(image.index());
        List<CocoResult> r = toCoco(image.rescaled(im.height(), im.width()), im.id(), ids);
        evaluator.process(im.id(), r);
        results.addAll(r);
    }

    /**
     * pycocotools' bbox evaluation of what was processed, over every image of the dataset.
     *
     * @return the 12 statistics with the precision and recall arrays
     * @throws CocoEvalException when the ground truth cannot be evaluated
     */
    @Override
    public CocoEvalResult evaluate() throws CocoEvalException {
        return evaluator.evaluate();
    }

    /**
     * The COCO results processed since the last reset, in processing order.
     *
     * @return an unmodifiable view ({@code [x, y, w, h]} in original pixels, best first within an
     *     image; detections of labels the dataset lacks left out)
     */
    public List<CocoResult> results() {
        return Collections.unmodifiableList(results);
    }

    /**
     * Detections as COCO results ({@code [x, y, w, h]}, category ids from the dataset's label map: label
     * i = its i-th category).
     *
     * @param d one image's detections, in the pixels the results should have (usually the original image's)
     * @param imageId the COCO image id
     * @param gt the dataset whose categories the labels map to; null: the label is the category id
     * @return one result per detection whose label has a category, in the detections' order
     */
    public static List<CocoResult> toCoco(Detections d, long imageId, CocoDataset gt) {
        return toCoco(d, imageId, gt == null ? null : categoryIds(null, gt));
    }

    /**
     * Detections as COCO results; {@code ids[label]} is the category id (null: the label itself;
     * a negative id drops the detection: its class is not in the dataset).
     *
     * @param d one image's detections, in the pixels the results should have (usually the original image's)
     * @param imageId the COCO image id
     * @param ids category id by label (from {@link #categoryIds}); labels beyond it are dropped
     * @return one result per kept detection, in the detections' order, without segmentation
     */
    public static List<CocoResult> toCoco(Detections d, long imageId, long[] ids) {
        List<CocoResult> out = new ArrayList<>();
        float[] b = d.boxes().toArray();
        for (int k = 0; k < d.size(); k++) {
            long id = ids == null ? d.labels()[k] : d.labels()[k] < ids.length ? ids[d.labels()[k]] : -1;
            if (id < 0) {
                continue;
            }
            double[] xywh = {b[4 * k], b[4 * k + 1], b[4 * k + 2] - b[4 * k], b[4 * k + 3] - b[4 * k + 1]};
            out.add(new CocoResult(imageId, id, xywh, d.scores()[k], null));
        }
        return out;
    }

    /**
     * The dataset's category id of each model label (index = label; -1 for the background and for
     * classes the dataset lacks). By name when the model's class names include every category name
     * of the dataset: torchvision's COCO detectors, whose label is the COCO id (with {@code N/A}
     * slots), on COCO or a subset of it, and a model trained on this dataset (same names, same
     * order). Otherwise label i is the dataset's i-th category ({@code CocoDetectionSource}'s map,
     * for models whose names are not the dataset's).
     *
     * @param classNames the model's class names, background first (null: by position)
     * @param gt the dataset
     * @return a new array of {@code classNames.size()} ids (or the category count + 1 when null)
     */
    public static long[] categoryIds(List<String> classNames, CocoDataset gt) {
        Map<String, Long> byName = new HashMap<>();
        gt.categories().forEach(c -> byName.putIfAbsent(c.name(), c.id()));
        boolean named = classNames != null && !byName.isEmpty() && byName.size() == gt.categories().size()
                && classNames.containsAll(byName.keySet());
        int n = classNames != null ? classNames.size() : gt.categories().size() + 1;
        long[] ids = new long[n];
        for (int label = 0; label < n; label++) {
            if (label == 0) {
                ids[label] = -1;
            } else if (named) {
                ids[label] = byName.getOrDefault(classNames.get(label), -1L);
            } else {
                ids[label] = label <= gt.categories().size() ? gt.categoryId(label) : -1;
            }
        }
        return ids;
    }
}
