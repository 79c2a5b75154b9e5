package org.resvision.eval.tide;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a TIDE pass found: tidecv's AP (at the positive threshold, in percent), the dAP of each
 * main error (AP after an oracle fixes that type alone, minus AP, floored at 0) and of the two
 * special errors (not floored), the number of errors of each type, overall and per category
 * (a detection's error under its own category, a miss under its GT's), and warnings about input
 * left out. Immutable (but for {@link #timings()}), thread-safe once returned.
 */
public final class TideResult {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance; // no ObjectMapper: its set-up is ~0.1 s cold

    private final TideParams params;
    private final double ap;
    private final double[] mainDap;
    private final double[] specialDap;
    private final int[] counts;
    private final long[] categoryIds;
    private final int[][] categoryCounts;
    private final List<String> warnings;
    private final Map<String, Double> timings = new LinkedHashMap<>();

    TideResult(TideParams params, double ap, double[] mainDap, double[] specialDap, long[] categoryIds,
            int[][] categoryCounts, List<String> warnings) {
        this.params = params;
        this.ap = ap;
        this.mainDap = mainDap.clone();
        this.specialDap = specialDap.clone();
        this.categoryIds = categoryIds.clone();
        this.categoryCounts = new int[categoryCounts.length][];
        this.counts = new int[TideError.values().length];
        for (int k = 0; k < categoryCounts.length; k++) {
            this.categoryCounts[k] = categoryCounts[k].clone();
            for (int e = 0; e < counts.length; e++) {
                counts[e] += categoryCounts[k][e];
            }
        }
        this.warnings = List.copyOf(warnings);
    }

    /**
     * The settings used.
     *
     * @return the {@code params} given to {@link Tide}
     */
    public TideParams params() {
        return params;
    }

    /**
     * tidecv's {@code run.ap}: mAP at the positive threshold, in percent (0..100).
     *
     * @return the mean, over classes with any GT or detection, of tidecv's 101-point AP; never NaN ({@link Tide}
     *     throws instead)
     */
    public double ap() {
        return ap;
    }

    /**
     * The dAP of a main error, in AP points, at least 0.
     *
     * @param e the error type; not null
     * @return AP with an oracle fixing errors of type {@code e} alone, minus {@link #ap()}, floored at 0
     *     (0 also when the fixed variant has no class left)
     */
    public double dAp(TideError e) {
        return mainDap[e.ordinal()];
    }

    /**
     * The dAP of a special error, in AP points.
     *
     * @param e the special error; not null
     * @return AP with that oracle applied, minus {@link #ap()}; not floored, so it may be negative
     */
    public double dAp(TideSpecialError e) {
        return specialDap[e.ordinal()];
    }

    /**
     * How many errors of type {@code e} (tidecv's {@code count_errors}).
     *
     * @param e the error type; not null
     * @return detections with that error (missed GT for {@link TideError#MISS}), over all categories
     */
    public int count(TideError e) {
        return counts[e.ordinal()];
    }

    /**
     * The categories with per-category counts: the GT's, then any other seen in annotations or detections.
     *
     * @return COCO category ids, in order of first appearance; a fresh copy, indexed like
     *     {@link #count(int, TideError)}'s {@code k}
     */
    public long[] categoryIds() {
        return categoryIds.clone();
    }

    /**
     * Errors of type {@code e} in category index {@code k} (of {@link #categoryIds()}).
     *
     * @param k a 0-based index into {@link #categoryIds()}, not a category id; out of range throws
     *     {@link ArrayIndexOutOfBoundsException}
     * @param e the error type; not null
     * @return the count of that category: detections by their own category, misses by their GT's
     */
    public int count(int k, TideError e) {
        return categoryCounts[k][e.ordinal()];
    }

    /**
     * Seconds per phase (prepare, match, sort, fix), for benchmarks; the one mutable part, filled by {@link Tide}.
     *
     * @return the live map, in phase order (not a copy, not synchronized)
     */
    public Map<String, Double> timings() {
        return timings;
    }

    /**
     * Input left out, one line per kind.
     *
     * @return an unmodifiable list, empty when nothing was left out
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * {@code {"mode", "pos_threshold", "background_threshold", "max_dets", "ap", "main": {Cls, Loc,
     * Both, Dupe, Bkg, Miss}, "special": {FalsePos, FalseNeg}, "counts": {Cls, ..., Miss},
     * "per_category": [{"category_id", "counts": {...}}], "warnings": [...]}}, tidecv's names.
     *
     * @return a new JSON tree (AP and dAP in AP points, thresholds as IoU fractions); timings are left out
     */
    public ObjectNode toJson() {
        ObjectNode root = JSON.objectNode();
        root.put("mode", params.modeName());
        root.put("pos_threshold", params.posThreshold());
        root.put("background_threshold", params.backgroundThreshold());
        root.put("max_dets", params.maxDets());
        root.put("ap", ap);
        ObjectNode main = root.putObject("main");
        for (TideError e : TideError.values()) {
            main.put(e.shortName(), dAp(e));
        }
        ObjectNode special = root.putObject("special");
        for (TideSpecialError e : TideSpecialError.values()) {
            special.put(e.shortName(), dAp(e));
        }
        root.set("counts", countsJson(counts));
        ArrayNode per = root.putArray("per_category");
        for (int k = 0; k < categoryIds.length; k++) {
            ObjectNode c = per.addObject();
            c.put("category_id", categoryIds[k]);
            c.set("counts", countsJson(categoryCounts[k]));
        }
        ArrayNode w = root.putArray("warnings");
        warnings.forEach(w::add);
        return root;
    }

    private static ObjectNode countsJson(int[] n) {
        ObjectNode o = JSON.objectNode();
        for (TideError e : TideError.values()) {
            o.put(e.shortName(), n[e.ordinal()]);
        }
        return o;
    }

    /**
     * tidecv's {@code TIDE.summarize()} output for a run called {@code name}, line for line (AP,
     * the main and special dAP tables), then a table of the error counts.
     *
     * @param name the run's name, printed in the first line as {@code -- name --}
     * @return the lines, without line terminators; a new mutable list
     */
    public List<String> summaryLines(String name) {
        List<String> out = new ArrayList<>();
        out.add("-- " + name + " --");
        out.add("");
        out.add(params.modeName() + " AP @ " + (int) (params.posThreshold() * 100) + ": " + TideTable.fixed2(ap));
        out.add("");
        List<String> head = new ArrayList<>(List.of("Type"));
        List<String> dap = new ArrayList<>(List.of(" dAP"));
        List<String> cnt = new ArrayList<>(List.of("Count"));
        for (TideError e : TideError.values()) {
            head.add(e.shortName());
            dap.add(TideTable.fixed6x2(dAp(e)));
            cnt.add(Integer.toString(count(e)));
        }
        out.addAll(TideTable.lines(List.of(head, dap), "Main Errors"));
        out.add("");
        List<String> shead = new ArrayList<>(List.of("Type"));
        List<String> sdap = new ArrayList<>(List.of(" dAP"));
        for (TideSpecialError e : TideSpecialError.values()) {
            shead.add(e.shortName());
            sdap.add(TideTable.fixed6x2(dAp(e)));
        }
        out.addAll(TideTable.lines(List.of(shead, sdap), "Special Error"));
        out.add("");
        out.addAll(TideTable.lines(List.of(head, cnt), "Error Counts"));
        return out;
    }

    /**
     * {@link #summaryLines} joined by newlines.
     *
     * @param name the run's name, printed in the first line as {@code -- name --}
     * @return the summary, {@code \n}-separated, without a trailing newline
     */
    public String summaryText(String name) {
        return String.join("\n", summaryLines(name));
    }
}
