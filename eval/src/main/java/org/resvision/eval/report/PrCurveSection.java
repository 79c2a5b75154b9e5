package org.resvision.eval.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Precision-recall curves: one chart over all classes per area range, then small multiples per
 * class, one tab per area range (radio buttons and CSS, no script).
 */
final class PrCurveSection implements Section {

    private static final String[] SERIES = {"IoU .50", "IoU .75", "IoU .50:.95"};

    private final PrCurves pr;
    private final Map<String, List<PrCurves.Curve>> byArea = new LinkedHashMap<>();

    PrCurveSection(PrCurves pr) {
        this.pr = pr;
        for (PrCurves.Curve c : pr.perClass()) {
            byArea.computeIfAbsent(c.area(), k -> new ArrayList<>()).add(c);
        }
    }

    @Override
    public String id() {
        return "pr";
    }

    @Override
    public String title() {
        return "Precision\u2013recall curves";
    }

    @Override
    public String css() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= byArea.size(); i++) {
            b.append(".tabs>input:nth-of-type(").append(i).append("):checked~div.panel:nth-of-type(").append(i)
                    .append("){display:grid}\n");
        }
        return b.toString();
    }

    @Override
    public String body() {
        StringBuilder b = new StringBuilder(64 * 1024);
        b.append("<p class=\"legend\">");
        for (int s = 0; s < SERIES.length; s++) {
            b.append("<span class=\"swatch s").append(s).append("\"></span>").append(SERIES[s]).append(' ');
        }
        b.append("<span class=\"note\">(precision at each of the ").append(pr.recallThresholds().length)
                .append(" recall thresholds, last maxDets)</span></p>");
        if (!pr.overall().isEmpty()) {
            b.append("<div class=\"row\">");
            for (PrCurves.Curve c : pr.overall()) {
                b.append("<figure>").append(chart(c, 270, 236, true)).append("<figcaption>").append(Html.esc(c.name()))
                        .append(", area ").append(Html.esc(c.area())).append("</figcaption></figure>");
            }
            b.append("</div>");
        }
        if (!byArea.isEmpty()) {
            b.append("<h3>Per class, by area range</h3><div class=\"tabs\">");
            int i = 0;
            for (String area : byArea.keySet()) {
                b.append("<input type=\"radio\" name=\"pr-area\" id=\"pr-area-").append(i).append('"').append(i == 0 ? " checked" : "")
                        .append("><label for=\"pr-area-").append(i).append("\">").append(Html.esc(area)).append("</label>");
                i++;
            }
            for (List<PrCurves.Curve> curves : byArea.values()) {
                b.append("<div class=\"panel smalls\">");
                for (PrCurves.Curve c : curves) {
                    b.append("<figure title=\"").append(Html.esc(c.name() + ", area " + c.area())).append("\">")
                            .append(chart(c, 138, 112, false)).append("<figcaption>").append(Html.esc(Html.clip(c.name(), 22)))
                            .append("</figcaption></figure>");
                }
                b.append("</div>");
            }
            b.append("</div>");
        }
        return b.toString();
    }

    /** One chart: the three curves of {@code c}, full axes when {@code large}, else 0 and 1 only. */
    private String chart(PrCurves.Curve c, int w, int h, boolean large) {
        Svg svg = new Svg(w, h, "Precision-recall curves of " + c.name() + ", area " + c.area());
        Svg.Plot p = large
                ? new Svg.Plot(46, 8, w - 56, h - 46, 0, 1, 0, 1)
                : new Svg.Plot(18, 4, w - 24, h - 20, 0, 1, 0, 1);
        if (large) {
            p.axes(svg, Svg.ticks(0, 1, 5), v -> Num.fixed(v, 1), "recall", Svg.ticks(0, 1, 5), v -> Num.fixed(v, 1), "precision");
        } else {
            p.axes(svg, new double[] {0, 0.5, 1}, v -> v == 0.5 ? "" : Num.fixed(v, 0), null, new double[] {0, 0.5, 1},
                    v -> v == 0.5 ? "" : Num.fixed(v, 0), null);
        }
        double[] rec = pr.recallThresholds();
        double[][] series = {c.iou50(), c.iou75(), c.iouMean()};
        for (int s = 0; s < series.length; s++) {
            svg.path(Svg.polyline(p, rec, series[s]), "curve s" + s, SERIES[s] + ", " + c.name() + ", area " + c.area()
                    + ": mean precision " + Num.score(mean(series[s])));
        }
        return svg.end();
    }

    /** The mean of the defined values (NaN when none). */
    private static double mean(double[] v) {
        double sum = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                sum += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
