package org.resvision.eval.report;

/**
 * Calibration: the reliability diagram (accuracy per score bin against the diagonal, the gap to
 * the bin's mean score shaded) over a histogram of detections per bin, with ECE and MCE.
 */
final class ReliabilitySection implements Section {

    private final Reliability r;

    ReliabilitySection(Reliability r) {
        this.r = r;
    }

    @Override
    public String id() {
        return "calibration";
    }

    @Override
    public String title() {
        return "Score calibration";
    }

    @Override
    public String body() {
        StringBuilder b = new StringBuilder(8192);
        b.append("<p><span class=\"kpi\">ECE ").append(Num.fixed(r.ece(), 3)).append("</span><span class=\"kpi\">MCE ")
                .append(Num.fixed(r.mce(), 3)).append("</span><span class=\"note\">accuracy: the share of a bin's detections "
                        + "that are true positives; a calibrated detector follows the diagonal.</span></p>");
        b.append("<div class=\"row\"><div>").append(diagram()).append("</div><div>").append(histogram()).append("</div></div>");
        return b.toString();
    }

    private String diagram() {
        Svg svg = new Svg(380, 350, "Reliability diagram");
        Svg.Plot p = new Svg.Plot(52, 12, 310, 290, 0, 1, 0, 1);
        p.axes(svg, Svg.ticks(0, 1, 5), v -> Num.fixed(v, 1), "score", Svg.ticks(0, 1, 5), v -> Num.fixed(v, 1), "accuracy");
        for (Reliability.Bin bin : r.bins()) {
            if (bin.count() == 0) {
                continue;
            }
            double x0 = p.x(bin.lower());
            double x1 = p.x(bin.upper());
            double acc = clamp(bin.accuracy());
            double mean = clamp(bin.meanScore());
            String tip = "scores " + Num.fixed(bin.lower(), 2) + "\u2013" + Num.fixed(bin.upper(), 2) + ": " + bin.count()
                    + " detections, mean score " + Num.fixed(bin.meanScore(), 3) + ", accuracy " + Num.fixed(bin.accuracy(), 3);
            svg.rect(x0 + 0.5, p.y(acc), x1 - x0 - 1, p.bottom() - p.y(acc), "rel-acc", null, tip);
            svg.rect(x0 + 0.5, p.y(Math.max(acc, mean)), x1 - x0 - 1, Math.abs(p.y(acc) - p.y(mean)), "rel-gap", null,
                    "gap " + Num.fixed(Math.abs(bin.accuracy() - bin.meanScore()), 3) + " (" + tip + ")");
        }
        svg.line(p.x(0), p.y(0), p.x(1), p.y(1), "diag");
        svg.rect(p.left() + 10, p.top() + 10, 12, 10, "rel-acc", null, null).text(p.left() + 27, p.top() + 19, "accuracy", "tick", "start");
        svg.rect(p.left() + 10, p.top() + 26, 12, 10, "rel-gap", null, null)
                .text(p.left() + 27, p.top() + 35, "gap to mean score", "tick", "start");
        return svg.end();
    }

    private String histogram() {
        long max = 1;
        for (Reliability.Bin bin : r.bins()) {
            max = Math.max(max, bin.count());
        }
        double[] yTicks = Svg.niceTicks(0, max, 4);
        double top = yTicks[yTicks.length - 1];
        Svg svg = new Svg(380, 350, "Detections per score bin");
        Svg.Plot p = new Svg.Plot(62, 12, 300, 290, 0, 1, 0, top);
        p.axes(svg, Svg.ticks(0, 1, 5), v -> Num.fixed(v, 1), "score", yTicks, v -> Num.fixed(v, 0), "detections");
        for (Reliability.Bin bin : r.bins()) {
            if (bin.count() == 0) {
                continue;
            }
            double x0 = p.x(bin.lower());
            double x1 = p.x(bin.upper());
            svg.rect(x0 + 0.5, p.y(bin.count()), x1 - x0 - 1, p.bottom() - p.y(bin.count()), "rel-count", null,
                    "scores " + Num.fixed(bin.lower(), 2) + "\u2013" + Num.fixed(bin.upper(), 2) + ": " + bin.count() + " detections");
        }
        return svg.end();
    }

    private static double clamp(double v) {
        return Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
    }
}
