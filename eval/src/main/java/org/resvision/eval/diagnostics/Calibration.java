package org.resvision.eval.diagnostics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import org.resvision.eval.coco.CocoMatching;
import org.resvision.eval.coco.CocoMatching.Status;

/**
 * Calibration of detection scores: is a detection of score 0.8 right 80% of the time? A
 * detection is right when COCO's matching makes it a true positive at the chosen IoU threshold
 * (0.5 by default), area range "all"; detections COCO does not count (on crowd regions, past
 * maxDets) are left out.
 *
 * <p>Scores fall into {@code bins} equal-width bins over [0, 1] (bin {@code b} holds
 * {@code b/n <= s < (b+1)/n}, the last also {@code s = 1}). Expected calibration error
 * {@code ECE = sum_b (n_b / N) |acc_b - conf_b|}; maximum calibration error
 * {@code MCE = max_b |acc_b - conf_b|} over non-empty bins (Guo et al. 2017). Scores outside
 * [0, 1] are not probabilities: {@link #compute} refuses them.
 *
 * <p>Immutable; thread-safe.
 */
public final class Calibration {

    /**
     * One bin of the reliability diagram: score range, count, mean score (confidence) and fraction right (accuracy).
     *
     * @param lower the smallest score of the bin, {@code b / nBins}, included
     * @param upper {@code (b + 1) / nBins}, excluded (but for the last bin, which includes 1)
     * @param count the counted detections with a score in the bin
     * @param meanScore their mean score (the bin's confidence); NaN when the bin is empty
     * @param accuracy the fraction of them that are true positives, in [0, 1]; NaN when the bin is empty
     */
    public record Bin(double lower, double upper, long count, double meanScore, double accuracy) {}

    private final Bin[] bins;
    private final double ece;
    private final double mce;
    private final long count;
    private final double iouThreshold;

    private Calibration(Bin[] bins, double ece, double mce, long count, double iou) {
        this.bins = bins;
        this.ece = ece;
        this.mce = mce;
        this.count = count;
        this.iouThreshold = iou;
    }

    /**
     * The calibration of {@code m}'s detections at {@code iouThreshold} (an evaluated one) in
     * {@code nBins} bins.
     *
     * @param m COCO's matching of the detections; only read
     * @param iouThreshold the IoU threshold that decides true positives; must be one of
     *     {@code m.params().iouThresholds()} (within 1e-9)
     * @param nBins the number of equal-width bins over [0, 1], at least 1
     * @return the calibration; with no counted detection, every bin is empty and ECE and MCE are 0
     * @throws IllegalArgumentException for a score outside [0, 1] or NaN (naming the first), {@code nBins < 1},
     *     or an IoU threshold that was not evaluated (listing those that were)
     */
    public static Calibration compute(CocoMatching m, double iouThreshold, int nBins) {
        if (nBins < 1) {
            throw new IllegalArgumentException("calibration needs at least 1 bin, got " + nBins);
        }
        int t = Thresholds.iouIndex(m, iouThreshold);
        long[] n = new long[nBins];
        long[] right = new long[nBins];
        double[] sum = new double[nBins];
        long total = 0;
        for (int d = 0; d < m.detectionCount(); d++) {
            Status s = m.status(d, t);
            if (s != Status.TRUE_POSITIVE && s != Status.FALSE_POSITIVE) {
                continue;
            }
            double score = m.detectionScore(d);
            if (!(score >= 0 && score <= 1)) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "detection #%d has score %s, outside [0, 1]: scores are not probabilities, so calibration does not apply",
                        d + 1, score));
            }
            int b = Math.min(nBins - 1, (int) (score * nBins));
            n[b]++;
            sum[b] += score;
            if (s == Status.TRUE_POSITIVE) {
                right[b]++;
            }
            total++;
        }
        Bin[] bins = new Bin[nBins];
        double ece = 0;
        double mce = 0;
        for (int b = 0; b < nBins; b++) {
            double conf = n[b] == 0 ? Double.NaN : sum[b] / n[b];
            double acc = n[b] == 0 ? Double.NaN : (double) right[b] / n[b];
            bins[b] = new Bin((double) b / nBins, (double) (b + 1) / nBins, n[b], conf, acc);
            if (n[b] > 0) {
                double gap = Math.abs(acc - conf);
                ece += (double) n[b] / total * gap;
                mce = Math.max(mce, gap);
            }
        }
        return new Calibration(bins, ece, mce, total, m.params().iouThresholds()[t]);
    }

    /**
     * The reliability diagram's bins (empty bins have NaN mean score and accuracy).
     *
     * @return {@code nBins} bins, lowest scores first; a fresh array
     */
    public Bin[] bins() {
        return bins.clone();
    }

    /**
     * Expected calibration error (0 without detections).
     *
     * @return {@code sum_b (n_b / N) |acc_b - conf_b|}, in [0, 1]
     */
    public double ece() {
        return ece;
    }

    /**
     * Maximum calibration error over non-empty bins (0 without detections).
     *
     * @return {@code max_b |acc_b - conf_b|}, in [0, 1]
     */
    public double mce() {
        return mce;
    }

    /**
     * Detections counted.
     *
     * @return the true and false positives at {@link #iouThreshold()}, area "all" (the {@code N} of ECE)
     */
    public long count() {
        return count;
    }

    /**
     * The IoU threshold that decided true positives.
     *
     * @return the evaluated threshold (as the matching holds it, not as asked for)
     */
    public double iouThreshold() {
        return iouThreshold;
    }

    /**
     * {@code {"iou_threshold", "count", "ece", "mce", "bins": [{lower, upper, count, mean_score, accuracy}]}}
     * (null for empty bins' means).
     *
     * @return a new JSON tree
     */
    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("iou_threshold", iouThreshold);
        o.put("count", count);
        o.put("ece", ece);
        o.put("mce", mce);
        ArrayNode a = o.putArray("bins");
        for (Bin b : bins) {
            ObjectNode j = a.addObject();
            j.put("lower", b.lower());
            j.put("upper", b.upper());
            j.put("count", b.count());
            if (b.count() > 0) {
                j.put("mean_score", b.meanScore());
                j.put("accuracy", b.accuracy());
            } else {
                j.putNull("mean_score");
                j.putNull("accuracy");
            }
        }
        return o;
    }

    /**
     * One line for the terminal.
     *
     * @return e.g. {@code Calibration at IoU 0.50: ECE 0.0312, MCE 0.0975 over 1234 detections in 10 bins}, without
     *     a newline
     */
    public String text() {
        return String.format(Locale.ROOT, "Calibration at IoU %.2f: ECE %.4f, MCE %.4f over %d detections in %d bins",
                iouThreshold, ece, mce, count, bins.length);
    }
}
