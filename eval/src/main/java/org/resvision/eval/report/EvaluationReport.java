package org.resvision.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.diagnostics.Calibration;
import org.resvision.eval.diagnostics.DetectionConfusionMatrix;
import org.resvision.eval.diagnostics.Diagnostics;
import org.resvision.eval.diagnostics.ModelComparison;
import org.resvision.eval.tide.TideError;
import org.resvision.eval.tide.TideResult;
import org.resvision.eval.tide.TideSpecialError;
import org.resvision.eval.diagnostics.OperatingPoints;

/**
 * A report's data from an evaluation and its diagnostics: the summary and per-class table, the
 * ten worst classes, PR curves, and (when diagnostics were computed) the confusion matrix, the
 * reliability diagram and the best-F1 table.
 *
 * <p>Stateless; thread-safe.
 */
public final class EvaluationReport {

    /** How many classes the worst-classes section lists. */
    public static final int WORST_CLASSES = 10;

    private EvaluationReport() {}

    /**
     * The report of {@code result} (of {@code detections} against {@code gt}); {@code diagnostics}
     * may be null. The best-F1 table is left out when the diagnostics used another F-beta.
     *
     * @param title the page's heading and {@code <title>}; not null
     * @param subtitle a line under the heading, or null
     * @param modelName the summary's column heading for this model; not null
     * @param result the accumulated evaluation; its categories give the per-class rows
     * @param gt the ground truth evaluated against (class names of the summary, GT counts)
     * @param detections the detections evaluated (detection counts of the summary)
     * @param names category id to display name for the PR curves, the confusion matrix and the best-F1 table;
     *     an id without one is shown as {@code category <id>} (PR curves) or the bare id
     * @param diagnostics the diagnostics of the same evaluation, or null: then the report has no confusion,
     *     TIDE, reliability nor best-F1 section (each is also left out when that diagnostic was skipped)
     * @return the report data: summary, the {@value #WORST_CLASSES} worst classes, PR curves and what the
     *     diagnostics give
     * @throws NullPointerException when {@code title} or {@code modelName} is null
     */
    public static ReportData build(String title, String subtitle, String modelName, CocoEvalResult result, CocoDataset gt,
            List<CocoResult> detections, Map<Long, String> names, Diagnostics diagnostics) {
        Summary summary = Summary.from(modelName, result, gt, detections);
        ReportData data = ReportData.of(title, summary)
                .withSubtitle(subtitle)
                .withWorstClasses(WorstClasses.of(summary.classes(), WORST_CLASSES))
                .withPrCurves(PrCurves.from(result, names));
        if (diagnostics == null) {
            return data;
        }
        data = data.withConfusion(confusion(diagnostics.confusion(), names));
        if (diagnostics.tide() != null) {
            data = data.withTide(tide(diagnostics.tide()));
        }
        if (diagnostics.calibration() != null) {
            data = data.withReliability(reliability(diagnostics.calibration()));
        }
        if (diagnostics.operatingPoints().beta() == 1) {
            data = data.withBestF1(bestF1(diagnostics.operatingPoints(), names));
        }
        return data;
    }

    /**
     * {@code data} with model B's stats beside A's in the summary and the comparison section
     * (every stat with its interval, per-class AP deltas).
     *
     * @param data model A's report (from {@link #build}); not modified
     * @param nameA model A's name in the comparison section (should match the summary's model name)
     * @param nameB model B's name, the summary's second column heading
     * @param comparison the comparison of A against B; its stats must be the 12 of the summary, in order
     * @param names category id to display name; an id without one is shown as the bare id
     * @return a new report, every other section as in {@code data}
     * @throws IllegalArgumentException when {@code comparison} does not have one stat per summary stat
     */
    public static ReportData withComparison(ReportData data, String nameA, String nameB,
            ModelComparison comparison, Map<Long, String> names) {
        List<Comparison.Stat> stats = new ArrayList<>();
        for (ModelComparison.Delta d : comparison.stats()) {
            stats.add(new Comparison.Stat(d.name(), d.a(), d.b(), d.delta(), d.low(), d.high()));
        }
        List<Comparison.ClassDelta> classes = new ArrayList<>();
        for (ModelComparison.ClassDelta c : comparison.classes()) {
            classes.add(new Comparison.ClassDelta(names.getOrDefault(c.categoryId(), Long.toString(c.categoryId())),
                    c.ap().a(), c.ap().b(), c.ap().delta()));
        }
        return new ReportData(data.title(), data.subtitle(), data.summary().withOtherModel(nameB,
                comparison.stats().stream().mapToDouble(ModelComparison.Delta::b).toArray()),
                new Comparison(nameA, nameB, stats, classes), data.worstClasses(), data.tide(), data.prCurves(),
                data.confusion(), data.reliability(), data.bestF1());
    }

    /** TIDE's dAPs as fractions of AP (tidecv prints AP points: dAP / 100). */
    static Tide tide(TideResult t) {
        List<Tide.ErrorType> main = new ArrayList<>();
        for (TideError e : TideError.values()) {
            main.add(new Tide.ErrorType(e.shortName(), t.dAp(e) / 100, t.count(e)));
        }
        List<Tide.ErrorType> special = new ArrayList<>();
        for (TideSpecialError e : TideSpecialError.values()) { // tidecv counts no special errors
            special.add(new Tide.ErrorType(e.shortName(), t.dAp(e) / 100, -1));
        }
        return new Tide(main, special, String.format(java.util.Locale.ROOT,
                "TIDE (tidecv's semantics): %s AP50 over all sizes %.2f; foreground IoU %.2f, background %.2f; dAP is the AP gained "
                        + "when an oracle fixes every error of that type.", t.params().modeName(), t.ap() / 100,
                t.params().posThreshold(), t.params().backgroundThreshold()));
    }

    static Confusion confusion(DetectionConfusionMatrix m, Map<Long, String> names) {
        List<String> labels = new ArrayList<>();
        for (long id : m.categoryIds()) {
            labels.add(names.getOrDefault(id, Long.toString(id)));
        }
        labels.add(Confusion.BACKGROUND);
        return new Confusion(labels, m.counts(), m.iouThreshold(), m.scoreThreshold());
    }

    static Reliability reliability(Calibration c) {
        List<Reliability.Bin> bins = new ArrayList<>();
        for (Calibration.Bin b : c.bins()) {
            bins.add(new Reliability.Bin(b.lower(), b.upper(), b.count(), b.meanScore(), b.accuracy()));
        }
        return new Reliability(bins, c.ece(), c.mce());
    }

    static List<BestF1> bestF1(OperatingPoints op, Map<Long, String> names) {
        List<BestF1> rows = new ArrayList<>();
        long[] ids = op.categoryIds();
        for (int k = 0; k < ids.length; k++) {
            OperatingPoints.Point p = op.category(k);
            if (p != null && !Double.isInfinite(p.scoreThreshold())) {
                rows.add(new BestF1(names.getOrDefault(ids[k], Long.toString(ids[k])), p.f(), p.scoreThreshold(), p.precision(), p.recall()));
            }
        }
        return rows;
    }
}
