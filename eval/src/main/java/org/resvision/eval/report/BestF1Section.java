package org.resvision.eval.report;

import java.util.List;

/** The best-F1 operating point per class, as a table with F1 bars. */
final class BestF1Section implements Section {

    private final List<BestF1> rows;

    BestF1Section(List<BestF1> rows) {
        this.rows = rows;
    }

    @Override
    public String id() {
        return "f1";
    }

    @Override
    public String title() {
        return "Best F1 per class";
    }

    @Override
    public String body() {
        StringBuilder b = new StringBuilder(1024 + rows.size() * 300);
        b.append("<p class=\"note\">The score threshold that maximises each class's F1, and the precision and recall there.</p>");
        b.append("<div class=\"scroll\"><table><thead><tr><th class=\"l\">Class</th><th colspan=\"2\">F1</th>"
                + "<th>Score threshold</th><th>Precision</th><th>Recall</th></tr></thead><tbody>");
        for (BestF1 r : rows) {
            b.append("<tr><td class=\"l\">").append(Html.esc(r.className())).append("</td><td>").append(Num.score(r.f1()))
                    .append("</td><td class=\"barcell\">").append(Html.bar(r.f1(), 100, "bar")).append("</td><td>")
                    .append(Num.score(r.scoreThreshold())).append("</td><td>").append(Num.score(r.precision())).append("</td><td>")
                    .append(Num.score(r.recall())).append("</td></tr>");
        }
        return b.append("</tbody></table></div>").toString();
    }
}
