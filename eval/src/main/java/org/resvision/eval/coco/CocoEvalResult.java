package org.resvision.eval.coco;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code COCOeval.accumulate()} and {@code summarize()} produce: the precision
 * {@code [T, R, K, A, M]} and recall {@code [T, K, A, M]} arrays (-1 where there is no GT), the
 * 12 summary statistics, pycocotools' summary text and per-category AP.
 *
 * <p>Indices: {@code t} indexes {@link CocoEvalParams#iouThresholds()}, {@code r}
 * {@link CocoEvalParams#recallThresholds()}, {@code k} {@link #categoryIds()}, {@code a}
 * {@link CocoEvalParams#areaRanges()} and {@code m} {@link CocoEvalParams#maxDets()} (0 to 2).
 *
 * <p>Immutable but for {@link #warnings()} and {@link #timings()}, which are the live, modifiable,
 * unsynchronized collections {@link CocoEvaluator#accumulate(CocoMatching)} fills before returning
 * the result: once nobody modifies those, an instance is safe to share between threads.
 */
public final class CocoEvalResult {

    /** The names of the 12 stats, in pycocotools' order. */
    public static final List<String> STAT_NAMES =
            List.of("AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl");

    private final CocoEvalParams params;
    private final long[] categoryIds;
    private final double[] precision;
    private final double[] recall;
    private final double[] stats = new double[12];
    private final List<String> summary = new ArrayList<>();
    private final Map<String, Double> timings = new LinkedHashMap<>();
    private final List<Warning> warnings = new ArrayList<>();

    /**
     * Records left out of the evaluation, of one kind: a count and a line saying what and why.
     *
     * @param inGroundTruth true when the records are ground-truth annotations, false when detections
     * @param message one line: how many records, of what kind, and the id of the first one
     * @serial exclude
     */
    public record Warning(boolean inGroundTruth, String message) implements java.io.Serializable {}

    CocoEvalResult(CocoEvalParams params, long[] categoryIds, double[] precision, double[] recall) {
        this.params = params;
        this.categoryIds = categoryIds;
        this.precision = precision;
        this.recall = recall;
        summarize();
    }

    private int T() {
        return params.iouThresholds().length;
    }

    private int R() {
        return params.recallThresholds().length;
    }

    private int K() {
        return categoryIds.length;
    }

    private int A() {
        return params.areaRanges().length;
    }

    /**
     * precision[t][r][k][a][m].
     *
     * @param t IoU threshold index
     * @param r recall threshold index
     * @param k category index
     * @param a area range index
     * @param m maxDets index, 0 to 2
     * @return the interpolated precision at that recall, or -1 when the category has no
     *     ground truth there (no index is checked: out of range reads a neighbouring entry or
     *     throws {@link ArrayIndexOutOfBoundsException})
     */
    public double precision(int t, int r, int k, int a, int m) {
        return precision[(((t * R() + r) * K() + k) * A() + a) * 3 + m];
    }

    /**
     * recall[t][k][a][m].
     *
     * @param t IoU threshold index
     * @param k category index
     * @param a area range index
     * @param m maxDets index, 0 to 2
     * @return the highest recall reached, or -1 when the category has no ground truth there
     *     (indices are not checked, as in {@link #precision})
     */
    public double recall(int t, int k, int a, int m) {
        return recall[((t * K() + k) * A() + a) * 3 + m];
    }

    /**
     * Precision at recall threshold {@code r}, area range {@code a}, the last maxDets, averaged
     * over the valid ({@code > -1}) entries of IoU threshold {@code t} (-1: every threshold) and
     * category {@code k} (-1: every category); -1 when none is valid. The points of a PR curve.
     *
     * @param t IoU threshold index, or -1 for every threshold
     * @param r recall threshold index
     * @param k category index, or -1 for every category
     * @param a area range index
     * @return the mean precision, or -1 when no entry is valid
     */
    public double meanPrecision(int t, int r, int k, int a) {
        double sum = 0;
        int n = 0;
        for (int tt = t < 0 ? 0 : t; tt < (t < 0 ? T() : t + 1); tt++) {
            for (int kk = k < 0 ? 0 : k; kk < (k < 0 ? K() : k + 1); kk++) {
                double v = precision(tt, r, kk, a, 2);
                if (v > -1) {
                    sum += v;
                    n++;
                }
            }
        }
        return n == 0 ? -1 : sum / n;
    }

    /**
     * The dimensions of the precision array.
     *
     * @return {@code {T, R, K, A, 3}}: IoU thresholds, recall thresholds, categories, area ranges,
     *     maxDets (a new array)
     */
    public int[] precisionShape() {
        return new int[] {T(), R(), K(), A(), 3};
    }

    /**
     * The dimensions of the recall array.
     *
     * @return {@code {T, K, A, 3}} (a new array)
     */
    public int[] recallShape() {
        return new int[] {T(), K(), A(), 3};
    }

    /**
     * The 12 stats (AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl).
     *
     * @return a copy, in {@link #STAT_NAMES} order; each in {@code [0, 1]}, or -1 where nothing was
     *     evaluated (no ground truth, or an area label or IoU threshold the parameters lack). The
     *     AR1/AR10/AR100 names follow the default maxDets; the values are for the parameters' three.
     */
    public double[] stats() {
        return stats.clone();
    }

    /**
     * pycocotools' printed summary, one line per stat.
     *
     * @return the 12 lines, as {@code COCOeval.summarize()} prints them (values to 3 decimals);
     *     unmodifiable
     */
    public List<String> summaryLines() {
        return List.copyOf(summary);
    }

    /**
     * {@link #summaryLines()} joined by newlines.
     *
     * @return the summary, without a trailing newline
     */
    public String summaryText() {
        return String.join("\n", summary);
    }

    /**
     * The evaluated category ids, sorted: category index {@code k} is a position here.
     *
     * @return a copy
     */
    public long[] categoryIds() {
        return categoryIds.clone();
    }

    /**
     * The parameters evaluated with.
     *
     * @return the parameters; for an evaluation of processed images or a merge, with the evaluated
     *     image ids filled in
     */
    public CocoEvalParams params() {
        return params;
    }

    /**
     * What was left out of the evaluation, one line per kind with its count (records that
     * pycocotools also leaves out: annotations of images or categories the file does not list,
     * detections of categories it does not list).
     *
     * @return the live list (empty for a result of {@link CocoMatching#accumulate()}, which does not
     *     copy the matching's warnings; {@link CocoEvaluator#accumulate(CocoMatching)} does)
     */
    public List<Warning> warnings() {
        return warnings;
    }

    /**
     * Seconds per phase (prepare, evaluate, accumulate), for benchmarks.
     *
     * @return the live map, phase name to seconds in insertion order (empty for a result of
     *     {@link CocoMatching#accumulate()})
     */
    public Map<String, Double> timings() {
        return timings;
    }

    /**
     * AP@[.50:.95] (area all, last maxDets) of category index {@code k}; -1 without GT.
     *
     * @param k category index (a position in {@link #categoryIds()})
     * @return the mean of the valid precision entries over IoU thresholds and recall thresholds at
     *     area range 0 (assumed to be "all"), or -1
     */
    public double categoryAp(int k) {
        return mean(k, null, 0, 2, true);
    }

    /**
     * AP@.50 of category index {@code k}; -1 without GT.
     *
     * @param k category index (a position in {@link #categoryIds()})
     * @return as {@link #categoryAp(int)} at the IoU threshold 0.5 only; -1 also when the
     *     parameters have no threshold of exactly 0.5
     */
    public double categoryAp50(int k) {
        return mean(k, 0.5, 0, 2, true);
    }

    private void summarize() {
        int[] md = params.maxDets();
        int last = 2;
        stats[0] = line(true, null, "all", last);
        stats[1] = line(true, 0.5, "all", last);
        stats[2] = line(true, 0.75, "all", last);
        stats[3] = line(true, null, "small", last);
        stats[4] = line(true, null, "medium", last);
        stats[5] = line(true, null, "large", last);
        stats[6] = line(false, null, "all", 0);
        stats[7] = line(false, null, "all", 1);
        stats[8] = line(false, null, "all", last);
        stats[9] = line(false, null, "small", last);
        stats[10] = line(false, null, "medium", last);
        stats[11] = line(false, null, "large", last);
        assert md.length == 3;
    }

    /** One summary row: mean of the selected entries that are > -1, or -1. */
    private double line(boolean ap, Double iouThr, String areaLabel, int m) {
        int a = -1;
        for (int i = 0; i < params.areaLabels().length; i++) {
            if (params.areaLabels()[i].equals(areaLabel)) {
                a = i;
            }
        }
        double v = a < 0 ? -1 : mean(-1, iouThr, a, m, ap);
        double[] thr = params.iouThresholds();
        String iouStr = iouThr == null
                ? String.format(Locale.ROOT, "%.2f:%.2f", thr[0], thr[thr.length - 1])
                : String.format(Locale.ROOT, "%.2f", iouThr);
        String title = ap ? "Average Precision" : "Average Recall";
        String type = ap ? "(AP)" : "(AR)";
        summary.add(String.format(Locale.ROOT, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %s",
                title, type, iouStr, areaLabel, params.maxDets()[m], fixed3(v)));
        return v;
    }

    /** Python's {@code '{:0.3f}'}: the exact binary value rounded half-even. */
    static String fixed3(double v) {
        return new BigDecimal(v).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
    }

    /**
     * Mean over t (or the one t equal to iouThr), r and k (or the one k) of entries > -1, as
     * pycocotools' {@code np.mean(s[s > -1])}: the entries in C order ({@code t, r, k} for
     * precision, {@code t, k} for recall) summed as numpy does ({@link NumpySum}).
     */
    private double mean(int onlyK, Double iouThr, int a, int m, boolean ap) {
        double[] thr = params.iouThresholds();
        int kFrom = onlyK >= 0 ? onlyK : 0;
        int kTo = onlyK >= 0 ? onlyK + 1 : K();
        int rs = ap ? R() : 1;
        double[] v = new double[(iouThr != null ? 1 : T()) * rs * (kTo - kFrom)];
        int n = 0;
        for (int t = 0; t < T(); t++) {
            if (iouThr != null && thr[t] != iouThr) {
                continue;
            }
            for (int r = 0; r < rs; r++) {
                for (int k = kFrom; k < kTo; k++) {
                    double x = ap ? precision(t, r, k, a, m) : recall(t, k, a, m);
                    if (x > -1) {
                        v[n++] = x;
                    }
                }
            }
        }
        return n == 0 ? -1 : NumpySum.sum(v, n) / n;
    }

    /**
     * {@code {"iou_type", "stats": [12], "stat_names", "max_dets", "per_category": [...]}}: the
     * IoU type ({@code "bbox"} or {@code "segm"}), {@link #stats()}, {@link #STAT_NAMES}, the
     * parameters' maxDets, and with {@code perCategory} one {@code {"category_id", "name", "AP",
     * "AP50"}} per evaluated category ({@link #categoryAp}, {@link #categoryAp50}). No summary text.
     *
     * @param categoryNames name per category id, for {@code per_category} ("" for an id not in it);
     *     read only when {@code perCategory} is true (may be null otherwise)
     * @param perCategory whether to add {@code per_category}
     * @return compact JSON, one line
     */
    public String toJson(Map<Long, String> categoryNames, boolean perCategory) {
        try {
            return new ObjectMapper().writeValueAsString(toJsonNode(categoryNames, perCategory));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * As {@link #toJson(Map, boolean)}, as a tree to add to.
     *
     * @param categoryNames name per category id ("" for an id not in it); read only when
     *     {@code perCategory} is true
     * @param perCategory whether to add {@code per_category}
     * @return a new Jackson object node, owned by the caller
     */
    public ObjectNode toJsonNode(Map<Long, String> categoryNames, boolean perCategory) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("iou_type", params.iouType().toString());
        ArrayNode s = root.putArray("stats");
        for (double v : stats) {
            s.add(v);
        }
        ArrayNode names = root.putArray("stat_names");
        STAT_NAMES.forEach(names::add);
        ArrayNode md = root.putArray("max_dets");
        for (int v : params.maxDets()) {
            md.add(v);
        }
        if (perCategory) {
            ArrayNode pc = root.putArray("per_category");
            for (int k = 0; k < K(); k++) {
                ObjectNode c = pc.addObject();
                c.put("category_id", categoryIds[k]);
                c.put("name", categoryNames.getOrDefault(categoryIds[k], ""));
                c.put("AP", categoryAp(k));
                c.put("AP50", categoryAp50(k));
            }
        }
        return root;
    }
}
