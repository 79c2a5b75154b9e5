package org.resvision.eval.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The detection confusion matrix as a heatmap coloured by the row's share (square-root scale, so
 * that small confusions show), hover titles per cell, and the largest confusions between classes
 * as a table.
 */
final class ConfusionSection implements Section {

    private static final int TOP = 15;

    private final Confusion c;

    ConfusionSection(Confusion c) {
        this.c = c;
    }

    @Override
    public String id() {
        return "confusion";
    }

    @Override
    public String title() {
        return "Confusion matrix";
    }

    @Override
    public String body() {
        int n = c.labels().size();
        long[] rowSum = new long[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                rowSum[i] += c.count(i, j);
            }
        }
        StringBuilder b = new StringBuilder(64 * 1024 + n * n * 40);
        b.append("<p class=\"note\">Rows: true class; columns: predicted class. IoU \u2265 ").append(Num.fixed(c.iouThreshold(), 2))
                .append(", score \u2265 ").append(Num.fixed(c.scoreThreshold(), 2))
                .append(". The background row counts detections that match no ground truth, the background column ground truth "
                        + "that no detection found. Colour: share of the row (square-root scale); hover a cell for its count.</p>");
        b.append("<div class=\"row\"><div class=\"wide\">").append(heatmap(rowSum)).append("</div><div>").append(legend())
                .append(topTable(rowSum)).append("</div></div>");
        return b.toString();
    }

    private String heatmap(long[] rowSum) {
        int n = c.labels().size();
        double cell = Math.max(6, Math.min(28, Math.floor(720.0 / Math.max(1, n))));
        double font = Math.max(6.5, Math.min(12, cell - 0.5));
        int maxLen = 0;
        for (String l : c.labels()) {
            maxLen = Math.max(maxLen, Math.min(22, l.codePointCount(0, l.length())));
        }
        double margin = 24 + maxLen * font * 0.58;
        double size = n * cell;
        Svg svg = new Svg(margin + size + 10, margin + size + 10, "Confusion matrix of " + n + " labels");
        String fs = "font-size:" + Num.coord(font) + "px";
        svg.raw("<g style=\"" + fs + "\">");
        for (int i = 0; i < n; i++) {
            String l = Html.clip(c.labels().get(i), 22);
            svg.text(margin - 4, margin + i * cell + cell / 2 + font * 0.35, l, "cm-label", "end");
            double x = margin + i * cell + cell / 2 + font * 0.35;
            svg.text(x, margin - 4, l, "cm-label", "start", -90);
        }
        svg.raw("</g>");
        svg.text(margin + size / 2, 11, "predicted", "axis-title", "middle");
        svg.text(11, margin + size / 2, "true", "axis-title", "middle", -90);
        svg.rect(margin, margin, size, size, "cm-bg", null, null);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                long v = c.count(i, j);
                if (v == 0) {
                    continue;
                }
                double share = rowSum[i] == 0 ? 0 : (double) v / rowSum[i];
                String tip = "true " + c.labels().get(i) + ", predicted " + c.labels().get(j) + ": " + v + " ("
                        + Num.percent(share) + " of the row)";
                svg.rect(margin + j * cell, margin + i * cell, cell, cell, null, Colors.blues(Math.sqrt(share)), tip);
            }
        }
        for (int k = 10; k < n; k += 10) {
            svg.line(margin + k * cell, margin, margin + k * cell, margin + size, "cm-sep");
            svg.line(margin, margin + k * cell, margin + size, margin + k * cell, "cm-sep");
        }
        svg.rect(margin, margin, size, size, "frame", null, null);
        return svg.end();
    }

    /** The colour scale: share of the row, square-root spaced. */
    private static String legend() {
        int w = 240;
        Svg svg = new Svg(w + 20, 46, "Colour scale: share of the row");
        int steps = 48;
        for (int i = 0; i < steps; i++) {
            double t = (i + 0.5) / steps;
            svg.rect(10 + i * (double) w / steps, 4, (double) w / steps + 0.6, 14, null, Colors.blues(t), null);
        }
        for (double share : new double[] {0.01, 0.05, 0.25, 0.5, 1}) {
            double x = 10 + Math.sqrt(share) * w;
            svg.line(x, 18, x, 22, "frame");
            svg.text(x, 33, Num.fixed(share * 100, 0) + "%", "tick", "middle");
        }
        svg.text(10, 44, "share of the true class's row", "tick", "start");
        return svg.end();
    }

    /** The largest off-diagonal counts between two classes (not background). */
    private String topTable(long[] rowSum) {
        int n = c.labels().size();
        int classes = n > 0 && Confusion.BACKGROUND.equals(c.labels().get(n - 1)) ? n - 1 : n;
        List<int[]> cells = new ArrayList<>();
        for (int i = 0; i < classes; i++) {
            for (int j = 0; j < classes; j++) {
                if (i != j && c.count(i, j) > 0) {
                    cells.add(new int[] {i, j});
                }
            }
        }
        cells.sort(Comparator.<int[]>comparingLong(a -> -c.count(a[0], a[1])).thenComparingInt(a -> a[0]).thenComparingInt(a -> a[1]));
        StringBuilder b = new StringBuilder();
        b.append("<h3>Largest confusions between classes</h3>");
        if (cells.isEmpty()) {
            return b.append("<p class=\"note\">None.</p>").toString();
        }
        b.append("<table><thead><tr><th class=\"l\">True</th><th class=\"l\">Predicted</th><th>Count</th><th>Row share</th></tr></thead><tbody>");
        for (int[] a : cells.subList(0, Math.min(TOP, cells.size()))) {
            long v = c.count(a[0], a[1]);
            b.append("<tr><td class=\"l\">").append(Html.esc(c.labels().get(a[0]))).append("</td><td class=\"l\">")
                    .append(Html.esc(c.labels().get(a[1]))).append("</td><td>").append(v).append("</td><td>")
                    .append(Num.percent((double) v / rowSum[a[0]])).append("</td></tr>");
        }
        return b.append("</tbody></table>").toString();
    }
}
