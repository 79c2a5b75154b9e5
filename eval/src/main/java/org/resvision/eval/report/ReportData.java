package org.resvision.eval.report;

import java.util.List;
import java.util.Objects;

/**
 * Everything one report shows. Only {@code summary} is required; a {@code null} section is not
 * rendered. Build it with {@link #of(String, Summary)} and the {@code with...} methods.
 *
 * <p>Immutable: every section record copies its lists and arrays, and {@code with...} returns a new
 * instance; safe to share between threads.
 *
 * @param title the page's heading and {@code <title>}
 * @param subtitle a line under the heading (files evaluated, IoU type...), or {@code null}
 * @param summary the 12 COCO stats and the per-class table (required)
 * @param comparison a second model against the first, or {@code null}
 * @param worstClasses the classes of lowest AP, or {@code null}
 * @param tide TIDE error breakdown, or {@code null}
 * @param prCurves precision-recall curves, or {@code null}
 * @param confusion detection confusion matrix, or {@code null}
 * @param reliability score calibration (reliability diagram), or {@code null}
 * @param bestF1 the best-F1 operating point per class, or {@code null}
 */
public record ReportData(
        String title,
        String subtitle,
        Summary summary,
        Comparison comparison,
        WorstClasses worstClasses,
        Tide tide,
        PrCurves prCurves,
        Confusion confusion,
        Reliability reliability,
        List<BestF1> bestF1) {

    /**
     * Checks that the title and the summary are present; copies {@code bestF1}.
     *
     * @param title the page's heading and {@code <title>}; not null (escaped when rendered)
     * @param subtitle a line under the heading, or {@code null}
     * @param summary the summary section; not null
     * @param comparison the comparison section, or {@code null}
     * @param worstClasses the worst-classes section, or {@code null}
     * @param tide the TIDE section, or {@code null}
     * @param prCurves the PR-curve section, or {@code null}
     * @param confusion the confusion-matrix section, or {@code null}
     * @param reliability the reliability section, or {@code null}
     * @param bestF1 the best-F1 rows, or {@code null} (an empty list renders an empty table)
     * @throws NullPointerException when {@code title} or {@code summary} is null, or {@code bestF1} holds a null
     */
    public ReportData {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(summary, "summary");
        bestF1 = bestF1 == null ? null : List.copyOf(bestF1);
    }

    /**
     * A report with a title and a summary only.
     *
     * @param title the page's heading and {@code <title>}; not null
     * @param summary the summary section; not null
     * @return a report with every optional section {@code null}
     * @throws NullPointerException when either is null
     */
    public static ReportData of(String title, Summary summary) {
        return new ReportData(title, null, summary, null, null, null, null, null, null, null);
    }

    /**
     * This report with another subtitle ({@code null}: none).
     *
     * @param s the line under the heading, or {@code null}
     * @return a new report; this one is unchanged
     */
    public ReportData withSubtitle(String s) {
        return new ReportData(title, s, summary, comparison, worstClasses, tide, prCurves, confusion, reliability, bestF1);
    }

    /**
     * This report with a comparison section ({@code null}: none). The summary is left as it is; see
     * {@link EvaluationReport#withComparison} to show model B's stats there too.
     *
     * @param c the comparison, or {@code null}
     * @return a new report; this one is unchanged
     */
    public ReportData withComparison(Comparison c) {
        return new ReportData(title, subtitle, summary, c, worstClasses, tide, prCurves, confusion, reliability, bestF1);
    }

    /**
     * This report with a worst-classes section ({@code null}: none).
     *
     * @param w the worst classes, or {@code null}
     * @return a new report; this one is unchanged
     */
    public ReportData withWorstClasses(WorstClasses w) {
        return new ReportData(title, subtitle, summary, comparison, w, tide, prCurves, confusion, reliability, bestF1);
    }

    /**
     * This report with a TIDE section ({@code null}: none).
     *
     * @param t the TIDE section's data, or {@code null}
     * @return a new report; this one is unchanged
     */
    public ReportData withTide(Tide t) {
        return new ReportData(title, subtitle, summary, comparison, worstClasses, t, prCurves, confusion, reliability, bestF1);
    }

    /**
     * This report with a PR-curve section ({@code null}: none).
     *
     * @param p the curves, or {@code null}
     * @return a new report; this one is unchanged
     */
    public ReportData withPrCurves(PrCurves p) {
        return new ReportData(title, subtitle, summary, comparison, worstClasses, tide, p, confusion, reliability, bestF1);
    }

    /**
     * This report with a confusion-matrix section ({@code null}: none).
     *
     * @param c the matrix, or {@code null}
     * @return a new report; this one is unchanged
     */
    public ReportData withConfusion(Confusion c) {
        return new ReportData(title, subtitle, summary, comparison, worstClasses, tide, prCurves, c, reliability, bestF1);
    }

    /**
     * This report with a reliability section ({@code null}: none).
     *
     * @param r the reliability diagram's data, or {@code null}
     * @return a new report; this one is unchanged
     */
    public ReportData withReliability(Reliability r) {
        return new ReportData(title, subtitle, summary, comparison, worstClasses, tide, prCurves, confusion, r, bestF1);
    }

    /**
     * This report with a best-F1 section ({@code null}: none).
     *
     * @param rows the table's rows in the order shown (copied), or {@code null}
     * @return a new report; this one is unchanged
     * @throws NullPointerException when {@code rows} holds a null
     */
    public ReportData withBestF1(List<BestF1> rows) {
        return new ReportData(title, subtitle, summary, comparison, worstClasses, tide, prCurves, confusion, reliability, rows);
    }
}
