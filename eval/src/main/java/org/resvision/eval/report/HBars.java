package org.resvision.eval.report;

import java.util.List;

/** A horizontal bar chart of non-negative values: a label, a bar and its value per row. */
final class HBars {

    /** One bar: its label, value, the text after it, its colour and hover title. */
    record Bar(String label, double value, String valueText, String color, String title) {}

    private HBars() {}

    /** The chart's SVG; the axis runs from 0 to a round value at or above the largest bar. */
    static String svg(String ariaLabel, List<Bar> bars, String axisTitle, int labelWidth, int barWidth) {
        int row = 26;
        double max = 0;
        for (Bar b : bars) {
            if (b.value() > max && Double.isFinite(b.value())) {
                max = b.value();
            }
        }
        double[] ticks = Svg.niceTicks(0, max > 0 ? max : 0.01, 4);
        double hi = ticks[ticks.length - 1];
        int digits = decimals(ticks[1] - ticks[0]);
        Svg svg = new Svg(labelWidth + barWidth + 110, 12 + bars.size() * row + 36, ariaLabel);
        Svg.Plot p = new Svg.Plot(labelWidth, 8, barWidth, bars.size() * row, 0, hi, 0, 1);
        p.axes(svg, ticks, v -> Num.fixed(v, digits), axisTitle, new double[0], v -> "", null);
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double y = p.top() + i * row;
            double v = Double.isFinite(b.value()) ? Math.max(0, b.value()) : 0;
            svg.text(labelWidth - 8, y + row / 2.0 + 4, Html.clip(b.label(), 24), "label", "end");
            svg.rect(p.x(0), y + 5, p.x(v) - p.x(0), row - 10, null, b.color(), b.title());
            svg.text(p.x(v) + 5, y + row / 2.0 + 4, b.valueText(), "value", "start");
        }
        return svg.end();
    }

    /** Decimals enough to tell ticks {@code step} apart. */
    static int decimals(double step) {
        int d = 0;
        while (d < 6 && Math.abs(step * Math.pow(10, d) - Math.round(step * Math.pow(10, d))) > 1e-6) {
            d++;
        }
        return d;
    }
}
