package org.resvision.eval.report;

/** The worst classes: AP over AP50 as horizontal bars, with GT and detection counts. */
final class WorstClassesSection implements Section {

    private static final int ROW = 20;
    private static final int LABEL_W = 170;
    private static final int BAR_W = 420;

    private final WorstClasses w;

    WorstClassesSection(WorstClasses w) {
        this.w = w;
    }

    @Override
    public String id() {
        return "worst";
    }

    @Override
    public String title() {
        return "Worst classes by AP";
    }

    @Override
    public String body() {
        if (w.rows().isEmpty()) {
            return "<p class=\"note\">No class with ground truth.</p>";
        }
        int n = w.rows().size();
        double height = 30 + n * ROW + 34;
        Svg svg = new Svg(LABEL_W + BAR_W + 300, height, "The " + n + " classes of lowest AP");
        Svg.Plot p = new Svg.Plot(LABEL_W, 24, BAR_W, n * ROW, 0, 1, 0, n);
        p.axes(svg, Svg.ticks(0, 1, 5), v -> Num.fixed(v, 1), "AP (dark) and AP50 (light)", new double[0], v -> "", null);
        svg.rect(LABEL_W, 4, 12, 10, "bar-ap50", null, null).text(LABEL_W + 16, 13, "AP50", "tick", "start");
        svg.rect(LABEL_W + 60, 4, 12, 10, "bar-ap", null, null).text(LABEL_W + 76, 13, "AP", "tick", "start");
        for (int i = 0; i < n; i++) {
            Summary.ClassRow r = w.rows().get(i);
            double y = p.top() + i * ROW;
            String tip = r.name() + ": AP " + Num.score(r.ap()) + ", AP50 " + Num.score(r.ap50()) + ", " + r.numGt() + " GT, "
                    + r.numDets() + " detections";
            svg.text(LABEL_W - 6, y + ROW / 2.0 + 4, Html.clip(r.name(), 26), "label", "end");
            svg.rect(p.x(0), y + 3, p.x(Math.max(0, r.ap50())) - p.x(0), ROW - 6, "bar-ap50", null, tip);
            svg.rect(p.x(0), y + 6, p.x(Math.max(0, r.ap())) - p.x(0), ROW - 12, "bar-ap", null, tip);
            svg.text(p.right() + 8, y + ROW / 2.0 + 4, "AP " + Num.score(r.ap()) + " \u00b7 AP50 " + Num.score(r.ap50())
                    + " \u00b7 " + r.numGt() + " GT \u00b7 " + r.numDets() + " detections", "value", "start");
        }
        return svg.end();
    }
}
