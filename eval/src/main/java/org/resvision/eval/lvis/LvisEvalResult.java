package org.resvision.eval.lvis;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code LVISEval.summarize()} produces: its {@code results} dict (AP, AP50, AP75, APs, APm,
 * APl, APr, APc, APf, AR@300, ARs@300, ARm@300, ARl@300; -1 where nothing was evaluated) and
 * {@code print_results()}'s text. Immutable; thread-safe.
 */
public final class LvisEvalResult {

    private final Map<String, Double> results;
    private final String iouType;
    private final int maxDets;

    LvisEvalResult(Map<String, Double> results, String iouType, int maxDets) {
        this.results = Collections.unmodifiableMap(new LinkedHashMap<>(results));
        this.iouType = iouType;
        this.maxDets = maxDets;
    }

    /**
     * lvis-api's {@code results}, in its order.
     *
     * @return stat name to value (-1 where nothing was evaluated), in the order of the class
     *     comment; unmodifiable
     */
    public Map<String, Double> results() {
        return results;
    }

    /**
     * One stat by lvis-api's name ("AP", "APr", "AR@300", ...).
     *
     * @param name a key of {@link #results()}, case-sensitive
     * @return its value, -1 where nothing was evaluated
     * @throws IllegalArgumentException for a name that is not a key
     */
    public double get(String name) {
        Double v = results.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no LVIS stat named '" + name + "'");
        }
        return v;
    }

    /**
     * Which IoU was evaluated.
     *
     * @return {@code "bbox"} or {@code "segm"}
     */
    public String iouType() {
        return iouType;
    }

    /**
     * lvis-api's {@code print_results()} lines.
     *
     * @return one line per stat, in {@link #results()} order, values to 3 decimals; a new,
     *     modifiable list
     */
    public List<String> summaryLines() {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Double> e : results.entrySet()) {
            String key = e.getKey();
            boolean ap = key.contains("AP");
            String title = ap ? "Average Precision" : "Average Recall";
            String type = ap ? "(AP)" : "(AR)";
            String iou;
            if (key.length() > 2 && Character.isDigit(key.charAt(2))) {
                iou = String.format(Locale.ROOT, "%.2f", Double.parseDouble(key.substring(2)) / 100);
            } else {
                iou = "0.50:0.95";
            }
            String group = key.length() > 2 && "rcf".indexOf(key.charAt(2)) >= 0 ? key.substring(2, 3) : "all";
            String area = key.length() > 2 && "sml".indexOf(key.charAt(2)) >= 0 ? key.substring(2, 3) : "all";
            out.add(String.format(Locale.ROOT, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d catIds=%3s] = %s",
                    title, type, iou, area, maxDets, group, fixed3(e.getValue())));
        }
        return out;
    }

    /**
     * {@link #summaryLines()} joined by newlines (no trailing newline).
     *
     * @return the summary, one line per stat
     */
    public String summaryText() {
        return String.join("\n", summaryLines());
    }

    /** Python's {@code '{:0.3f}'}: the exact binary value rounded half-even. */
    static String fixed3(double v) {
        return new BigDecimal(v).setScale(3, RoundingMode.HALF_EVEN).toPlainString();
    }
}
