package org.resvision.eval.diagnostics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoMatching;
import org.resvision.eval.coco.GroundTruthMasks;
import org.resvision.eval.tide.Tide;
import org.resvision.eval.tide.TideParams;
import org.resvision.eval.tide.TideResult;
import java.util.List;
import org.resvision.data.coco.CocoResult;

/**
 * Every diagnostic of one evaluation, from the matching that gave its exact COCO numbers:
 * detection confusion matrix, operating points (best F-beta per class), calibration and PR
 * curves; and TIDE's error breakdown, which makes its own matching (tidecv's).
 *
 * <p>Immutable once {@code compute} returns, but for the live {@link #timings()} map (a plain
 * {@code LinkedHashMap}, not synchronized); otherwise safe to share between threads.
 */
public final class Diagnostics {

    /**
     * What to compute at.
     *
     * @param confusionIou IoU threshold of the confusion matrix (an evaluated one)
     * @param confusionScore score threshold of the confusion matrix
     * @param matchIou IoU threshold of operating points and calibration (an evaluated one)
     * @param beta F-beta's beta
     * @param calibrationBins equal-width bins over [0, 1]
     */
    public record Options(double confusionIou, double confusionScore, double matchIou, double beta, int calibrationBins) {
        /**
         * IoU 0.5 everywhere, score 0.5, F1, 10 bins.
         *
         * @return {@code new Options(0.5, 0.5, 0.5, 1, 10)}
         */
        public static Options defaults() {
            return new Options(0.5, 0.5, 0.5, 1, 10);
        }
    }

    private final CocoEvalResult result;
    private final DetectionConfusionMatrix confusion;
    private final OperatingPoints operatingPoints;
    private final Calibration calibration;
    private final String calibrationProblem;
    private final Map<String, Double> timings = new LinkedHashMap<>();
    private TideResult tide;
    private String tideProblem;

    private Diagnostics(CocoEvalResult result, DetectionConfusionMatrix confusion, OperatingPoints op,
            Calibration calibration, String calibrationProblem) {
        this.result = result;
        this.confusion = confusion;
        this.operatingPoints = op;
        this.calibration = calibration;
        this.calibrationProblem = calibrationProblem;
    }

    /**
     * The diagnostics of {@code m}, whose accumulated result is {@code result}. Scores outside
     * [0, 1] leave calibration out (see {@link #calibrationProblem()}).
     *
     * @param m COCO's matching of the detections; only read
     * @param result {@code m.accumulate()} (the PR curves are read from it; not checked against {@code m})
     * @param o thresholds and bins
     * @return the diagnostics, without TIDE ({@link #tide()} and {@link #tideProblem()} are null)
     * @throws IllegalArgumentException for an IoU that is not evaluated, or bad options (a NaN score
     *     threshold, a beta that is not finite and positive, fewer than 1 calibration bin)
     */
    public static Diagnostics compute(CocoMatching m, CocoEvalResult result, Options o) {
        long t0 = System.nanoTime();
        DetectionConfusionMatrix cm = DetectionConfusionMatrix.compute(m, o.confusionIou(), o.confusionScore());
        long t1 = System.nanoTime();
        OperatingPoints op = OperatingPoints.compute(m, o.matchIou(), o.beta());
        long t2 = System.nanoTime();
        Calibration cal = null;
        String problem = null;
        try {
            cal = Calibration.compute(m, o.matchIou(), o.calibrationBins());
        } catch (IllegalArgumentException e) {
            if (o.calibrationBins() < 1) {
                throw e;
            }
            problem = e.getMessage();
        }
        long t3 = System.nanoTime();
        Diagnostics d = new Diagnostics(result, cm, op, cal, problem);
        d.timings.put("confusion", (t1 - t0) / 1e9);
        d.timings.put("operating points", (t2 - t1) / 1e9);
        d.timings.put("calibration", (t3 - t2) / 1e9);
        return d;
    }

    /**
     * As {@link #compute(CocoMatching, CocoEvalResult, Options)}, plus TIDE's error breakdown
     * (tidecv's semantics, {@link TideParams#defaults}) of the same results; segm reuses the
     * matching's decoded masks. Input TIDE cannot analyse leaves it out ({@link #tideProblem()}).
     *
     * @param m COCO's matching of the detections; only read
     * @param result {@code m.accumulate()}
     * @param o thresholds and bins (TIDE uses its own defaults)
     * @param masks the ground truth {@code m} was matched against, with its masks for segm (with
     *     {@link GroundTruthMasks#none}, TIDE rasterises them again)
     * @param results the detections {@code m} matched, in the same order (TIDE reuses {@code m}'s masks by
     *     position)
     * @return the diagnostics with TIDE's breakdown, or with {@link #tideProblem()} set
     * @throws IllegalArgumentException as {@link #compute(CocoMatching, CocoEvalResult, Options)}
     */
    public static Diagnostics compute(CocoMatching m, CocoEvalResult result, Options o, GroundTruthMasks masks,
            List<CocoResult> results) {
        Diagnostics d = compute(m, result, o);
        long t0 = System.nanoTime();
        try {
            d.tide = Tide.evaluate(masks, results, TideParams.defaults(m.params().iouType()), m::detectionMask);
        } catch (CocoEvalException e) {
            d.tideProblem = e.getMessage();
        }
        d.timings.put("tide", (System.nanoTime() - t0) / 1e9);
        if (d.tide != null) {
            d.tide.timings().forEach((k, v) -> d.timings.put("tide " + k, v));
        }
        return d;
    }

    /**
     * TIDE's breakdown, or null (not asked for, or not possible: {@link #tideProblem()}).
     *
     * @return the TIDE result, or null
     */
    public TideResult tide() {
        return tide;
    }

    /**
     * Why TIDE was left out, or null.
     *
     * @return the one-line message of TIDE's {@link CocoEvalException}; null when TIDE ran or was not asked for
     */
    public String tideProblem() {
        return tideProblem;
    }

    /**
     * The detection confusion matrix.
     *
     * @return the matrix at {@link Options#confusionIou()} and {@link Options#confusionScore()}; never null
     */
    public DetectionConfusionMatrix confusion() {
        return confusion;
    }

    /**
     * The best F-beta operating points.
     *
     * @return the points at {@link Options#matchIou()} for {@link Options#beta()}; never null
     */
    public OperatingPoints operatingPoints() {
        return operatingPoints;
    }

    /**
     * Null when the scores are not in [0, 1]; then {@link #calibrationProblem()} says why.
     *
     * @return the calibration at {@link Options#matchIou()} in {@link Options#calibrationBins()} bins, or null
     */
    public Calibration calibration() {
        return calibration;
    }

    /**
     * Why calibration was left out, or null.
     *
     * @return a one-line message naming the first detection with a score outside [0, 1], or null
     */
    public String calibrationProblem() {
        return calibrationProblem;
    }

    /**
     * Seconds per diagnostic.
     *
     * @return the live map, in run order: {@code confusion}, {@code operating points}, {@code calibration}, and
     *     with TIDE {@code tide} and {@code tide <phase>} per TIDE phase; not a copy, not synchronized
     */
    public Map<String, Double> timings() {
        return timings;
    }

    /**
     * {@code {"confusion", "operating_points", "calibration", "pr_curves"}}. Also {@code "tide"} when TIDE ran
     * or failed; a diagnostic left out is {@code {"skipped": reason}}.
     *
     * @param names category id to display name (ids without one: see each diagnostic's {@code toJson})
     * @return a new JSON tree
     */
    public ObjectNode toJson(Map<Long, String> names) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.set("confusion", confusion.toJson(names));
        o.set("operating_points", operatingPoints.toJson(names));
        if (calibration != null) {
            o.set("calibration", calibration.toJson());
        } else {
            o.putObject("calibration").put("skipped", calibrationProblem);
        }
        o.set("pr_curves", PrCurves.toJson(result, names));
        if (tide != null) {
            o.set("tide", tide.toJson());
        } else if (tideProblem != null) {
            o.putObject("tide").put("skipped", tideProblem);
        }
        return o;
    }

    /**
     * A few lines for the terminal: the overall operating point, calibration, the top confusions.
     * TIDE's summary (or why it was skipped) comes first when it was asked for; 10 confusions at most.
     *
     * @param names category id to display name; an id without one is shown as the id itself
     * @return the lines, newline-separated, without a trailing newline
     */
    public String text(Map<Long, String> names) {
        StringBuilder sb = new StringBuilder();
        if (tide != null) {
            sb.append(tide.summaryText("TIDE")).append('\n');
        } else if (tideProblem != null) {
            sb.append("TIDE: skipped (").append(tideProblem).append(")\n");
        }
        sb.append(operatingPoints.overallText()).append('\n');
        sb.append(calibration != null ? calibration.text() : "Calibration: skipped (" + calibrationProblem + ")").append('\n');
        sb.append(confusion.topConfusionsText(names, 10));
        return sb.toString();
    }

    /**
     * Per class: AP, AP50 and the best F-beta point, one row each.
     *
     * @param names category id to display name; an id without one gets an empty name
     * @return a header row and one row per evaluated category (ascending id); {@code -} for an AP without
     *     ground truth or a point that keeps no detection, point columns empty for a category without ground
     *     truth and detections; no trailing newline
     */
    public String perClassText(Map<Long, String> names) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-6s %-24s %7s %7s %7s %9s %7s %7s%n",
                "id", "category", "AP", "AP50", "F" + (operatingPoints.beta() == 1 ? "1" : ""), "score>=", "prec", "recall"));
        long[] ids = operatingPoints.categoryIds();
        for (int k = 0; k < ids.length; k++) {
            OperatingPoints.Point p = operatingPoints.category(k);
            sb.append(String.format(Locale.ROOT, "%-6d %-24s %7s %7s", ids[k], names.getOrDefault(ids[k], ""),
                    fmt(result.categoryAp(k)), fmt(result.categoryAp50(k))));
            if (p != null) {
                sb.append(String.format(Locale.ROOT, " %7.3f %9s %7.3f %7.3f", p.f(),
                        Double.isInfinite(p.scoreThreshold()) ? "-" : String.format(Locale.ROOT, "%.3f", p.scoreThreshold()),
                        p.precision(), p.recall()));
            }
            sb.append('\n');
        }
        return sb.toString().stripTrailing();
    }

    private static String fmt(double v) {
        return v < 0 ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
