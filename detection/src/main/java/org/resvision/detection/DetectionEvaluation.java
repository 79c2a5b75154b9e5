package org.resvision.detection;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.loader.Batch;
import org.resvision.data.loader.PrefetchLoader;
import org.resvision.data.loader.SampleSource;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvaluator;

/**
 * Runs a detector over a COCO-annotated source (images in the dataset's order, no augmentation)
 * and scores it with the eval module's pycocotools-exact COCO evaluation.
 *
 * <p>Stateless; a pass runs the model on the calling thread (with the loader's worker threads reading
 * images), and the model must not be trained meanwhile.
 */
public final class DetectionEvaluation {

    private DetectionEvaluation() {}

    /**
     * The model's detections for every image of {@code source} as COCO results, in original image
     * coordinates (unreadable images skipped).
     *
     * @param model the network (inference only: nothing is recorded for autograd)
     * @param gt the ground truth; {@code source} holds its images in the same order
     * @param source the images, resized by the model's {@code min_size} / {@code max_size}, without augmentation
     * @param batchSize images per forward pass
     * @param manager owns the batches (closed after each) and the parameter store
     * @return COCO results ({@code [x, y, w, h]} in the original image's pixels), images in order, best first
     *     within an image; detections of labels the dataset lacks are left out
     * @throws IllegalArgumentException when {@code source} and {@code gt} have different image counts
     * @throws Exception declared, but what reaches the caller is unchecked: an {@code UncheckedIOException}
     *     when more than 10% of the images read cannot be read
     */
    public static List<CocoResult> predict(FasterRcnn model, CocoDataset gt, SampleSource source, int batchSize, NDManager manager) throws Exception {
        return predict(model, gt, source, batchSize, manager, false);
    }

    /**
     * As above; an unreadable image is skipped with a warning (it then has no detections, and its
     * ground truth counts as missed) unless {@code strict}, which fails at the first.
     *
     * @param model the network (inference only: nothing is recorded for autograd)
     * @param gt the ground truth; {@code source} holds its images in the same order
     * @param source the images, resized by the model's {@code min_size} / {@code max_size}, without augmentation
     * @param batchSize images per forward pass
     * @param manager owns the batches (closed after each) and the parameter store
     * @param strict fail at the first unreadable image instead of skipping it
     * @return COCO results ({@code [x, y, w, h]} in the original image's pixels), images in order, best first
     *     within an image; detections of labels the dataset lacks are left out
     * @throws IllegalArgumentException when {@code source} and {@code gt} have different image counts
     * @throws Exception declared, but what reaches the caller is unchecked: an {@code UncheckedIOException}
     *     when an image cannot be read in strict mode, or else when more than 10% of those read cannot
     */
    public static List<CocoResult> predict(FasterRcnn model, CocoDataset gt, SampleSource source, int batchSize, NDManager manager,
            boolean strict) throws Exception {
        if (source.size() != gt.images().size()) {
            throw new IllegalArgumentException("source has " + source.size() + " images, ground truth " + gt.images().size());
        }
        List<CocoResult> results = new ArrayList<>();
        long[] ids = categoryIds(model.config().classNames(), gt);
        ParameterStore ps = new ParameterStore(manager, false);
        try (PrefetchLoader loader = new PrefetchLoader(source,
                new PrefetchLoader.Options(batchSize, 0, false, false, Math.max(1, Runtime.getRuntime().availableProcessors()), 2, !strict), manager)) {
            Iterator<Batch> it = loader.epoch(0);
            while (it.hasNext()) {
                try (Batch b = it.next()) {
                    if (b.size() == 0) {
                        continue; // every image of the batch was unreadable
                    }
                    int[][] sizes = DetectionTraining.sizes(b);
                    List<Detections> dets = model.detect(ps, b.images(), sizes);
                    for (int i = 0; i < b.size(); i++) {
                        CocoImage im = gt.images().get(b.indices()[i]);
                        Detections d = dets.get(i).rescale(sizes[i][0], sizes[i][1], im.height(), im.width());
                        results.addAll(toCoco(d, im.id(), ids));
                    }
                }
            }
        }
        return results;
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
        float[] b = d.boxes();
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
        java.util.Map<String, Long> byName = new java.util.HashMap<>();
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

    /**
     * COCO bbox evaluation of the model on {@code source} against {@code gt} (unreadable images
     * skipped with a warning, as {@link #predict}).
     *
     * @param model the network (inference only: nothing is recorded for autograd)
     * @param gt the ground truth; {@code source} holds its images in the same order
     * @param source the images, resized by the model's {@code min_size} / {@code max_size}, without augmentation
     * @param batchSize images per forward pass
     * @param manager owns the batches (closed after each) and the parameter store
     * @return pycocotools' 12 bbox statistics, with its precision and recall arrays
     * @throws IllegalArgumentException when {@code source} and {@code gt} have different image counts
     * @throws IllegalStateException when the COCO evaluation fails
     * @throws Exception declared, but what reaches the caller is unchecked: an {@code UncheckedIOException}
     *     when more than 10% of the images read cannot be read
     */
    public static CocoEvalResult evaluate(FasterRcnn model, CocoDataset gt, SampleSource source, int batchSize, NDManager manager)
            throws Exception {
        return evaluate(model, gt, source, batchSize, manager, false);
    }

    /**
     * As above; {@code strict} fails at the first unreadable image instead of skipping it.
     *
     * @param model the network (inference only: nothing is recorded for autograd)
     * @param gt the ground truth; {@code source} holds its images in the same order
     * @param source the images, resized by the model's {@code min_size} / {@code max_size}, without augmentation
     * @param batchSize images per forward pass
     * @param manager owns the batches (closed after each) and the parameter store
     * @param strict fail at the first unreadable image instead of skipping it
     * @return pycocotools' 12 bbox statistics, with its precision and recall arrays
     * @throws IllegalArgumentException when {@code source} and {@code gt} have different image counts
     * @throws IllegalStateException when the COCO evaluation fails
     * @throws Exception declared, but what reaches the caller is unchecked: an {@code UncheckedIOException}
     *     when an image cannot be read in strict mode, or else when more than 10% of those read cannot
     */
    public static CocoEvalResult evaluate(FasterRcnn model, CocoDataset gt, SampleSource source, int batchSize, NDManager manager,
            boolean strict) throws Exception {
        List<CocoResult> results = predict(model, gt, source, batchSize, manager, strict);
        try {
            return CocoEvaluator.evaluate(gt, results, CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX));
        } catch (CocoEvalException e) {
            throw new IllegalStateException("evaluation failed: " + e.getMessage(), e);
        }
    }
}
