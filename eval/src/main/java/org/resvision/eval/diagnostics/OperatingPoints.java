package org.resvision.eval.diagnostics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.resvision.eval.coco.CocoMatching;
import org.resvision.eval.coco.StableSort;
import org.resvision.eval.coco.CocoMatching.Status;

/**
 * The score threshold to deploy at: per category, the threshold that maximises F-beta
 * (F1 by default) of COCO's matching at one IoU threshold, area range "all", and the same over
 * all categories together (one threshold for every class, counts pooled).
 *
 * <p>Keeping the detections with score at least {@code s}: precision = TP / (TP + FP), recall =
 * TP / (non-crowd ground truth), F-beta = (1 + b^2) P R / (b^2 P + R). Candidate thresholds are
 * the detections' scores (a block of equal scores is kept or dropped together); the highest
 * threshold wins a tie. Detections COCO ignores (on crowd regions) and those past maxDets are
 * not counted. A category without ground truth or detections has no operating point.
 *
 * <p>Immutable; thread-safe.
 */
public final class OperatingPoints {

    /**
     * The best point of one category (or of all together): F-beta, its threshold, precision, recall and counts.
     *
     * @param f the best F-beta, in [0, 1]; 0 when no threshold gives a true positive
     * @param scoreThreshold keep detections with a score at least this; {@code Double.POSITIVE_INFINITY} when
     *     keeping none is best (no detection is right)
     * @param precision TP / (TP + FP) at that threshold, in [0, 1]; 0 when keeping none is best
     * @param recall TP / (non-crowd ground truth) at that threshold, in [0, 1]; 0 without ground truth
     * @param tp true positives kept
     * @param fp false positives kept
     * @param fn non-crowd ground truth (area range "all") not matched by a kept detection
     */
    public record Point(double f, double scoreThreshold, double precision, double recall, long tp, long fp, long fn) {}

    private final long[] categoryIds;
    private final Point[] perCategory;
    private final Point overall;
    private final double iouThreshold;
    private final double beta;

    private OperatingPoints(long[] categoryIds, Point[] perCategory, Point overall, double iou, double beta) {
        this.categoryIds = categoryIds;
        this.perCategory = perCategory;
        this.overall = overall;
        this.iouThreshold = iou;
        this.beta = beta;
    }

    /**
     * The operating points of {@code m} at {@code iouThreshold} (an evaluated one) for F-beta.
     *
     * @param m COCO's matching of the detections; only read
     * @param iouThreshold the IoU threshold that decides true positives; must be one of
     *     {@code m.params().iouThresholds()} (within 1e-9)
     * @param beta F-beta's beta, finite and {@code > 0}; 1 gives F1, above 1 weighs recall more
     * @return the best points per category and overall
     * @throws IllegalArgumentException for a beta that is not finite and positive, or an IoU threshold that
     *     was not evaluated (listing those that were)
     */
    public static OperatingPoints compute(CocoMatching m, double iouThreshold, double beta) {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("F-beta needs a finite beta > 0, got " + beta);
        }
        int t = Thresholds.iouIndex(m, iouThreshold);
        int K = m.categoryIds().length;
        int nd = m.detectionCount();
        int[] dCat = new int[nd];
        boolean[] tp = new boolean[nd];
        for (int d = 0; d < nd; d++) {
            Status s = m.status(d, t);
            dCat[d] = s == Status.TRUE_POSITIVE || s == Status.FALSE_POSITIVE ? m.detectionCategory(d) : -1;
            tp[d] = s == Status.TRUE_POSITIVE;
        }
        long[] npig = new long[K];
        double[] all = m.params().areaRanges()[m.allAreaIndex()];
        for (int g = 0; g < m.groundTruthCount(); g++) {
            double area = m.groundTruthArea(g);
            if (!m.groundTruthCrowd(g) && area >= all[0] && area <= all[1]) {
                npig[m.groundTruthCategory(g)]++;
            }
        }
        int[] start = new int[K + 1];
        int[] byCat = Thresholds.group(dCat, K, start);
        double b2 = beta * beta;
        Point[] per = new Point[K];
        IntStream.range(0, K).parallel().forEach(k ->
                per[k] = best(m, Arrays.copyOfRange(byCat, start[k], start[k + 1]), tp, npig[k], b2));
        int[] counted = IntStream.range(0, nd).filter(d -> dCat[d] >= 0).toArray();
        Point overall = best(m, counted, tp, Arrays.stream(npig).sum(), b2);
        return new OperatingPoints(m.categoryIds(), per, overall, m.params().iouThresholds()[t], beta);
    }

    /** The best F over the thresholds of {@code dets}, or null without ground truth and detections. */
    private static Point best(CocoMatching m, int[] dets, boolean[] isTp, long gt, double b2) {
        if (gt == 0 && dets.length == 0) {
            return null;
        }
        double[] score = new double[dets.length];
        for (int j = 0; j < dets.length; j++) {
            score[j] = m.detectionScore(dets[j]);
        }
        int[] order = StableSort.descending(score);
        long tp = 0;
        long fp = 0;
        Point best = new Point(0, Double.POSITIVE_INFINITY, 0, 0, 0, 0, gt); // nothing kept
        for (int j = 0; j < order.length; j++) {
            if (isTp[dets[order[j]]]) {
                tp++;
            } else {
                fp++;
            }
            boolean blockEnd = j + 1 == order.length || score[order[j + 1]] != score[order[j]];
            if (!blockEnd) {
                continue;
            }
            double p = (double) tp / (tp + fp);
            double r = gt == 0 ? 0 : (double) tp / gt;
            double f = p + r == 0 ? 0 : (1 + b2) * p * r / (b2 * p + r);
            if (f > best.f) {
                best = new Point(f, score[order[j]], p, r, tp, fp, gt - tp);
            }
        }
        return best;
    }

    /**
     * The categories, by index.
     *
     * @return the matching's evaluated category ids, ascending; a fresh array indexed like {@link #category(int)}
     */
    public long[] categoryIds() {
        return categoryIds.clone();
    }

    /**
     * Category index {@code k}'s best point, or null when it has neither ground truth nor detections.
     *
     * @param k a 0-based index into {@link #categoryIds()}, not a category id
     * @return the point, or null
     */
    public Point category(int k) {
        return perCategory[k];
    }

    /**
     * One threshold for every category, counts pooled.
     *
     * @return the point, or null when there is no ground truth and no counted detection at all
     */
    public Point overall() {
        return overall;
    }

    /**
     * The IoU threshold of the points.
     *
     * @return the evaluated threshold (as the matching holds it, not as asked for)
     */
    public double iouThreshold() {
        return iouThreshold;
    }

    /**
     * F-beta's beta.
     *
     * @return the {@code beta} given to {@link #compute}
     */
    public double beta() {
        return beta;
    }

    /**
     * {@code {"iou_threshold", "beta", "overall": {...}, "per_category": [{category_id, name, f,
     * score_threshold, ...}]}}.
     * A point is {@code f, score_threshold, precision, recall, tp, fp, fn}; {@code score_threshold} is null when
     * keeping no detection is best; a null point leaves its fields (or {@code overall}) out.
     *
     * @param names category id to display name; an id without one gets {@code ""}
     * @return a new JSON tree
     */
    public ObjectNode toJson(Map<Long, String> names) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("iou_threshold", iouThreshold);
        o.put("beta", beta);
        if (overall != null) {
            put(o.putObject("overall"), overall);
        }
        ArrayNode per = o.putArray("per_category");
        for (int k = 0; k < categoryIds.length; k++) {
            ObjectNode c = per.addObject();
            c.put("category_id", categoryIds[k]);
            c.put("name", names.getOrDefault(categoryIds[k], ""));
            if (perCategory[k] != null) {
                put(c, perCategory[k]);
            }
        }
        return o;
    }

    private static void put(ObjectNode o, Point p) {
        o.put("f", p.f());
        if (Double.isInfinite(p.scoreThreshold())) {
            o.putNull("score_threshold"); // no detection is worth keeping
        } else {
            o.put("score_threshold", p.scoreThreshold());
        }
        o.put("precision", p.precision());
        o.put("recall", p.recall());
        o.put("tp", p.tp());
        o.put("fp", p.fp());
        o.put("fn", p.fn());
    }

    /**
     * The overall point, one line.
     *
     * @return the F-score, threshold, precision and recall, or a sentence saying why there is no point;
     *     without a newline
     */
    public String overallText() {
        if (overall == null) {
            return "Best F-score: no detections and no ground truth";
        }
        if (Double.isInfinite(overall.scoreThreshold())) {
            return String.format(Locale.ROOT, "Best F-score at IoU %.2f: no detection is right, so none is worth keeping", iouThreshold);
        }
        return String.format(Locale.ROOT, "Best F%s at IoU %.2f, all classes: F %.3f at score >= %.3f (precision %.3f, recall %.3f)",
                beta == 1 ? "1" : String.format(Locale.ROOT, "-%.2g", beta), iouThreshold, overall.f(),
                overall.scoreThreshold(), overall.precision(), overall.recall());
    }
}
