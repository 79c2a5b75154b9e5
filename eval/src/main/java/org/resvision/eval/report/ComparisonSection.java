package org.resvision.eval.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Two models: a forest plot of the stat differences with their 95% intervals, the same as a
 * table, and the per-class AP differences as diverging bars (two columns, largest gain first).
 */
final class ComparisonSection implements Section {

    private static final int ROW = 22;
    private static final int CLASS_ROW = 14;

    private final Comparison c;

    ComparisonSection(Comparison c) {
        this.c = c;
    }

    @Override
    public String id() {
        return "comparison";
    }

    @Override
    public String title() {
        return "Comparison: " + c.nameB() + " against " + c.nameA();
    }

    @Override
    public String body() {
        StringBuilder b = new StringBuilder(16 * 1024);
        b.append("<p class=\"note\">\u0394 = ").append(Html.esc(c.nameB())).append(" \u2212 ").append(Html.esc(c.nameA()))
                .append(", with its 95% interval: green when the interval is above 0, red when below, grey when it holds 0.</p>");
        if (!c.stats().isEmpty()) {
            b.append("<div class=\"row\"><div>").append(forest()).append("</div><div>").append(table()).append("</div></div>");
        }
        if (!c.classes().isEmpty()) {
            b.append("<h3>AP per class (\u0394, largest gain first)</h3>").append(classBars());
        }
        return b.toString();
    }

    private String forest() {
        double lo = 0;
        double hi = 0;
        for (Comparison.Stat s : c.stats()) {
            for (double v : new double[] {s.delta(), s.low(), s.high()}) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        double[] ticks = Svg.niceTicks(lo, hi, 4);
        int digits = HBars.decimals(ticks[1] - ticks[0]);
        int n = c.stats().size();
        Svg svg = new Svg(430, 16 + n * ROW + 40, "Differences of the stats with 95% intervals");
        Svg.Plot p = new Svg.Plot(70, 8, 340, n * ROW, ticks[0], ticks[ticks.length - 1], 0, 1);
        p.axes(svg, ticks, v -> fmt(v, digits), "\u0394", new double[0], v -> "", null);
        svg.line(p.x(0), p.top(), p.x(0), p.bottom(), "zero");
        for (int i = 0; i < n; i++) {
            Comparison.Stat s = c.stats().get(i);
            double y = p.top() + i * ROW + ROW / 2.0;
            String cls = s.low() > 0 ? "ci pos" : s.high() < 0 ? "ci neg" : "ci";
            String tip = s.name() + ": " + Num.score(s.a()) + " \u2192 " + Num.score(s.b()) + ", \u0394 " + Num.signed(s.delta())
                    + ", 95% [" + Num.signed(s.low()) + ", " + Num.signed(s.high()) + "]";
            svg.text(p.left() - 8, y + 4, s.name(), "label", "end");
            if (Double.isFinite(s.low()) && Double.isFinite(s.high())) {
                svg.line(p.x(s.low()), y, p.x(s.high()), y, cls);
                svg.line(p.x(s.low()), y - 4, p.x(s.low()), y + 4, cls);
                svg.line(p.x(s.high()), y - 4, p.x(s.high()), y + 4, cls);
            }
            if (Double.isFinite(s.delta())) {
                svg.circle(p.x(s.delta()), y, 3.5, "dot " + cls, tip);
            }
        }
        return svg.end();
    }

    private static String fmt(double v, int digits) {
        String s = Num.fixed(v, Math.max(digits, 1));
        return v > 0 ? "+" + s : s.replace('-', '\u2212');
    }

    private String table() {
        StringBuilder b = new StringBuilder(4096);
        b.append("<table><thead><tr><th class=\"l\">Stat</th><th>").append(Html.esc(c.nameA())).append("</th><th>")
                .append(Html.esc(c.nameB())).append("</th><th>\u0394</th><th>95% interval</th></tr></thead><tbody>");
        for (Comparison.Stat s : c.stats()) {
            String cls = s.low() > 0 ? "pos" : s.high() < 0 ? "neg" : "";
            b.append("<tr><th class=\"l\" scope=\"row\">").append(Html.esc(s.name())).append("</th><td>").append(Num.score(s.a()))
                    .append("</td><td>").append(Num.score(s.b())).append("</td><td class=\"").append(cls).append("\">")
                    .append(Num.signed(s.delta())).append("</td><td>[").append(Num.signed(s.low())).append(", ")
                    .append(Num.signed(s.high())).append("]</td></tr>");
        }
        return b.append("</tbody></table>").toString();
    }

    private String classBars() {
        List<Comparison.ClassDelta> sorted = new ArrayList<>(c.classes());
        sorted.sort(Comparator.comparingDouble((Comparison.ClassDelta d) -> Double.isNaN(d.delta()) ? Double.NEGATIVE_INFINITY : -d.delta()));
        double max = 0;
        for (Comparison.ClassDelta d : sorted) {
            if (Double.isFinite(d.delta())) {
                max = Math.max(max, Math.abs(d.delta()));
            }
        }
        double[] ticks = Svg.niceTicks(-Math.max(max, 0.01), Math.max(max, 0.01), 4);
        double span = Math.max(-ticks[0], ticks[ticks.length - 1]);
        int half = (sorted.size() + 1) / 2;
        StringBuilder b = new StringBuilder("<div class=\"row\">");
        b.append(classColumn(sorted.subList(0, half), span, ticks));
        if (half < sorted.size()) {
            b.append(classColumn(sorted.subList(half, sorted.size()), span, ticks));
        }
        return b.append("</div>").toString();
    }

    private String classColumn(List<Comparison.ClassDelta> rows, double span, double[] ticks) {
        int n = rows.size();
        Svg svg = new Svg(560, 8 + n * CLASS_ROW + 36, "Per-class AP differences");
        Svg.Plot p = new Svg.Plot(150, 6, 330, n * CLASS_ROW, -span, span, 0, 1);
        int digits = HBars.decimals(ticks[1] - ticks[0]);
        double[] shown = Arrays.stream(ticks).filter(t -> Math.abs(t) <= span + 1e-12).toArray();
        p.axes(svg, shown, v -> fmt(v, digits), "\u0394 AP", new double[0], v -> "", null);
        svg.line(p.x(0), p.top(), p.x(0), p.bottom(), "zero");
        for (int i = 0; i < n; i++) {
            Comparison.ClassDelta d = rows.get(i);
            double y = p.top() + i * CLASS_ROW;
            String tip = d.className() + ": AP " + Num.score(d.apA()) + " \u2192 " + Num.score(d.apB()) + ", \u0394 " + Num.signed(d.delta());
            svg.text(p.left() - 6, y + CLASS_ROW / 2.0 + 3.5, Html.clip(d.className(), 24), "label-s", "end");
            if (Double.isFinite(d.delta())) {
                double x0 = p.x(Math.min(0, d.delta()));
                double x1 = p.x(Math.max(0, d.delta()));
                svg.rect(x0, y + 2, x1 - x0, CLASS_ROW - 4, d.delta() >= 0 ? "bar-pos" : "bar-neg", null, tip);
            }
            svg.text(p.right() + 6, y + CLASS_ROW / 2.0 + 3.5, Num.signed(d.delta()), "label-s", "start");
        }
        return svg.end();
    }
}
