/**
 * The evaluation report: one self-contained HTML file (inline CSS and SVG, no script, no external
 * URL) rendered from plain data records.
 *
 * <p>{@link org.resvision.eval.report.ReportData} holds the sections; only the
 * {@link org.resvision.eval.report.Summary} is required, every other section is rendered when it
 * is present. {@link org.resvision.eval.report.HtmlReport} renders and writes the page. Scores
 * (AP, AR, dAP, F1, precision, recall, accuracy, ECE) are fractions in {@code [0, 1]}, as
 * pycocotools gives them; {@code -1} or {@code NaN} means "not defined" (no ground truth) and is
 * shown as a dash.
 */
package org.resvision.eval.report;
