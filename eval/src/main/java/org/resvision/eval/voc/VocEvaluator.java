package org.resvision.eval.voc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resvision.eval.DatasetEvaluator;
import org.resvision.eval.EvaluationException;

/**
 * PASCAL VOC detection AP per class, as the devkit's {@code voc_eval.py}: detections of a class
 * in descending score (ties keep input order), each matched to the GT box of largest IoU in its
 * image; IoU above the threshold (0.5) on an unmatched, non-difficult GT is a TP, on a difficult
 * one neither TP nor FP, otherwise an FP. Boxes are {@code [x1, y1, x2, y2]} in VOC's inclusive
 * pixel convention ({@code +1} in widths) unless {@code plusOne} is false.
 *
 * <p>Two forms: the static {@link #evaluate(List, List, List, double, Metric, boolean)} over whole
 * lists keeps no state and may be called from several threads at once; an instance is a
 * {@link DatasetEvaluator} fed image by image (not thread-safe: one thread, or external locking).
 */
public final class VocEvaluator implements DatasetEvaluator<VocEvaluator.ImageDetections, VocEvaluator.Result> {

    /**
     * A ground-truth object.
     *
     * @param imageId the image it is in (VOC's image name, such as {@code "000005"})
     * @param classIndex its class, a position in the {@code classes} list given to {@link #evaluate}
     * @param box {@code [x1, y1, x2, y2]} in pixels (not copied)
     * @param difficult VOC's {@code difficult} flag: a detection matching it counts as neither TP nor FP
     */
    public record GroundTruth(String imageId, int classIndex, double[] box, boolean difficult) {}

    /**
     * A detection.
     *
     * @param imageId the image it is in, as in {@link GroundTruth#imageId()}
     * @param classIndex its class, a position in the {@code classes} list
     * @param score its confidence; higher scores are matched first
     * @param box {@code [x1, y1, x2, y2]} in pixels (not copied)
     */
    public record Detection(String imageId, int classIndex, double score, double[] box) {}

    /** Which AP: VOC2007's 11-point interpolation or VOC2010+'s area under the envelope. */
    public enum Metric {
        /** VOC2007: mean over recall 0, 0.1, ..., 1 of the best precision at that recall or above. */
        VOC07_11_POINT,
        /** VOC2010 and later: the area under the monotone precision envelope, summed where recall changes. */
        VOC12_ALL_POINT
    }

    /**
     * AP per class (NaN for a class without non-difficult GT) and their mean over defined APs.
     *
     * @param classes the class names given to {@link #evaluate} (an unmodifiable copy)
     * @param ap AP per class index, in {@code [0, 1]}, NaN for a class without non-difficult GT
     * @param map the mean of the APs that are not NaN (NaN when none is); the devkit's
     *     {@code np.mean} would be NaN as soon as one class is
     * @param positives non-difficult ground-truth objects per class index (the recall denominator)
     */
    public record Result(List<String> classes, double[] ap, double map, int[] positives) {}

    /**
     * One image's detections, what {@link #process(ImageDetections)} takes.
     *
     * @param imageId the image, as in {@link GroundTruth#imageId()}
     * @param detections its detections, any number; each must have {@code imageId} as its image
     */
    public record ImageDetections(String imageId, List<Detection> detections) {
        /**
         * Checks that nothing is null.
         *
         * @param imageId the image
         * @param detections its detections
         */
        public ImageDetections {
            java.util.Objects.requireNonNull(imageId, "imageId");
            java.util.Objects.requireNonNull(detections, "detections");
        }
    }

    private final List<String> classes;
    private final Map<String, List<GroundTruth>> groundTruth = new LinkedHashMap<>();
    private final double iouThreshold;
    private final Metric metric;
    private final boolean plusOne;
    private final Set<String> processed = new LinkedHashSet<>();
    private final List<Detection> pending = new ArrayList<>();

    /**
     * An incremental evaluator ({@link DatasetEvaluator}): {@link #evaluate()} gives the devkit's AP
     * over the images processed since the last {@link #reset()} (their ground truth only, as the
     * COCO evaluator does; every image processed: the whole-set {@link #evaluate(List, List, List,
     * double, Metric, boolean)}).
     *
     * @param classes the class names (copied)
     * @param groundTruth every ground-truth object of the images that may be processed (the list is
     *     copied, its records kept)
     * @param iouThreshold a detection matches above this IoU (VOC: 0.5)
     * @param metric 11-point (VOC2007) or all-point (VOC2010+) AP
     * @param plusOne VOC's inclusive pixel convention, as in the static form
     */
    public VocEvaluator(List<String> classes, List<GroundTruth> groundTruth, double iouThreshold, Metric metric, boolean plusOne) {
        this.classes = List.copyOf(classes);
        for (GroundTruth g : groundTruth) {
            this.groundTruth.computeIfAbsent(g.imageId(), k -> new ArrayList<>()).add(g);
        }
        this.iouThreshold = iouThreshold;
        this.metric = java.util.Objects.requireNonNull(metric, "metric");
        this.plusOne = plusOne;
    }

    @Override
    public void reset() {
        processed.clear();
        pending.clear();
    }

    /**
     * Adds one image's detections; processing an image again adds to its earlier detections.
     *
     * @param image the image and its detections
     * @throws EvaluationException when a detection names another image, or a class index outside
     *     the classes; nothing is added
     */
    @Override
    public void process(ImageDetections image) throws EvaluationException {
        for (Detection d : image.detections()) {
            if (!image.imageId().equals(d.imageId())) {
                throw new EvaluationException("a detection of image " + d.imageId() + " was passed for image " + image.imageId());
            }
            if (d.classIndex() < 0 || d.classIndex() >= classes.size()) {
                throw new EvaluationException("image " + image.imageId() + ": detection of class index " + d.classIndex()
                        + " outside 0.." + (classes.size() - 1));
            }
        }
        processed.add(image.imageId());
        pending.addAll(image.detections());
    }

    /**
     * AP per class over the processed images, as the devkit computes it.
     *
     * @return a new result
     */
    @Override
    public Result evaluate() {
        List<GroundTruth> gts = new ArrayList<>();
        for (String id : processed) {
            gts.addAll(groundTruth.getOrDefault(id, List.of()));
        }
        return evaluate(classes, gts, pending, iouThreshold, metric, plusOne);
    }

    /**
     * AP per class over the whole set, as the devkit computes it.
     *
     * @param classes the class names; class index {@code c} is a position here, and objects of
     *     other indices are ignored
     * @param gts every ground-truth object of the evaluated images
     * @param dets every detection; ties in score keep this order
     * @param iouThreshold a detection matches when its IoU with the best GT box is strictly above
     *     this (VOC: 0.5)
     * @param metric 11-point (VOC2007) or all-point (VOC2010+) AP
     * @param plusOne true for VOC's inclusive pixel convention (width {@code x2 - x1 + 1}), false
     *     for continuous coordinates (width {@code x2 - x1})
     * @return AP per class, their mean and the positives per class
     */
    public static Result evaluate(
            List<String> classes, List<GroundTruth> gts, List<Detection> dets, double iouThreshold, Metric metric, boolean plusOne) {
        int n = classes.size();
        double[] ap = new double[n];
        int[] positives = new int[n];
        double sum = 0;
        int defined = 0;
        for (int c = 0; c < n; c++) {
            Map<String, List<GroundTruth>> byImage = new HashMap<>();
            for (GroundTruth g : gts) {
                if (g.classIndex() == c) {
                    byImage.computeIfAbsent(g.imageId(), k -> new ArrayList<>()).add(g);
                    if (!g.difficult()) {
                        positives[c]++;
                    }
                }
            }
            List<Detection> ds = new ArrayList<>();
            for (Detection d : dets) {
                if (d.classIndex() == c) {
                    ds.add(d);
                }
            }
            ds.sort((a, b) -> Double.compare(b.score(), a.score())); // stable
            ap[c] = classAp(byImage, ds, positives[c], iouThreshold, metric, plusOne ? 1.0 : 0.0);
            if (!Double.isNaN(ap[c])) {
                sum += ap[c];
                defined++;
            }
        }
        return new Result(List.copyOf(classes), ap, defined == 0 ? Double.NaN : sum / defined, positives);
    }

    static double classAp(Map<String, List<GroundTruth>> byImage, List<Detection> ds, int npos, double thr, Metric metric, double one) {
        if (npos == 0) {
            return Double.NaN;
        }
        Map<String, boolean[]> matched = new HashMap<>();
        byImage.forEach((k, v) -> matched.put(k, new boolean[v.size()]));
        int nd = ds.size();
        double[] rec = new double[nd];
        double[] prec = new double[nd];
        double tp = 0;
        double fp = 0;
        for (int d = 0; d < nd; d++) {
            Detection det = ds.get(d);
            List<GroundTruth> g = byImage.getOrDefault(det.imageId(), List.of());
            double best = Double.NEGATIVE_INFINITY;
            int jmax = -1;
            double[] bb = det.box();
            for (int j = 0; j < g.size(); j++) {
                double[] gb = g.get(j).box();
                double iw = Math.max(Math.min(gb[2], bb[2]) - Math.max(gb[0], bb[0]) + one, 0);
                double ih = Math.max(Math.min(gb[3], bb[3]) - Math.max(gb[1], bb[1]) + one, 0);
                double inter = iw * ih;
                double uni = (bb[2] - bb[0] + one) * (bb[3] - bb[1] + one) + (gb[2] - gb[0] + one) * (gb[3] - gb[1] + one) - inter;
                double ov = inter / uni;
                if (ov > best) { // argmax: the first maximum
                    best = ov;
                    jmax = j;
                }
            }
            if (best > thr) {
                if (!g.get(jmax).difficult()) {
                    boolean[] m = matched.get(det.imageId());
                    if (!m[jmax]) {
                        tp++;
                        m[jmax] = true;
                    } else {
                        fp++;
                    }
                }
            } else {
                fp++;
            }
            rec[d] = tp / npos;
            prec[d] = tp / Math.max(tp + fp, Math.ulp(1.0));
        }
        return metric == Metric.VOC07_11_POINT ? ap11(rec, prec) : apAllPoint(rec, prec);
    }

    /** VOC2007: mean over recall 0, 0.1, ..., 1 of the best precision at recall >= t. */
    static double ap11(double[] rec, double[] prec) {
        double ap = 0;
        for (int i = 0; i <= 10; i++) {
            double t = i * 0.1; // np.arange(0., 1.1, 0.1)
            double p = 0;
            for (int j = 0; j < rec.length; j++) {
                if (rec[j] >= t) {
                    p = Math.max(p, prec[j]);
                }
            }
            ap += p / 11.0;
        }
        return ap;
    }

    /** VOC2010+: area under the monotone precision envelope, summed where recall changes. */
    static double apAllPoint(double[] rec, double[] prec) {
        int n = rec.length;
        double[] mrec = new double[n + 2];
        double[] mpre = new double[n + 2];
        mrec[n + 1] = 1;
        System.arraycopy(rec, 0, mrec, 1, n);
        System.arraycopy(prec, 0, mpre, 1, n);
        for (int i = mpre.length - 1; i > 0; i--) {
            mpre[i - 1] = Math.max(mpre[i - 1], mpre[i]);
        }
        double ap = 0;
        for (int i = 0; i < mrec.length - 1; i++) {
            if (mrec[i + 1] != mrec[i]) {
                ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
            }
        }
        return ap;
    }

    /**
     * The devkit's table: one line per class, then mAP.
     *
     * @param r a result of {@link #evaluate}
     * @return {@code AP for <class> = 0.xxxx} per class and {@code Mean AP = 0.xxxx}, 4 decimals,
     *     lines separated by the platform's line separator, no trailing one
     */
    public static String table(Result r) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < r.classes().size(); c++) {
            sb.append(String.format(java.util.Locale.ROOT, "AP for %-12s = %.4f%n", r.classes().get(c), r.ap()[c]));
        }
        sb.append(String.format(java.util.Locale.ROOT, "Mean AP = %.4f", r.map()));
        return sb.toString();
    }
}
