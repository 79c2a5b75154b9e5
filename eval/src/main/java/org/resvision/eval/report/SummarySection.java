package org.resvision.eval.report;

import java.util.Map;

/** The summary: the stats table (one or two models) and the per-class table. */
final class SummarySection implements Section {

    /** What each COCO stat is, for the table's second column. */
    private static final Map<String, String> MEANING = Map.ofEntries(
            Map.entry("AP", "AP, IoU .50:.95"),
            Map.entry("AP50", "AP, IoU .50"),
            Map.entry("AP75", "AP, IoU .75"),
            Map.entry("APs", "AP, small (< 32\u00b2 px)"),
            Map.entry("APm", "AP, medium"),
            Map.entry("APl", "AP, large (> 96\u00b2 px)"),
            Map.entry("AR1", "AR, 1 detection per image"),
            Map.entry("AR10", "AR, 10 detections per image"),
            Map.entry("AR100", "AR, 100 detections per image"),
            Map.entry("ARs", "AR, small"),
            Map.entry("ARm", "AR, medium"),
            Map.entry("ARl", "AR, large"));

    private final Summary s;

    SummarySection(Summary s) {
        this.s = s;
    }

    @Override
    public String id() {
        return "summary";
    }

    @Override
    public String title() {
        return "Summary";
    }

    @Override
    public String body() {
        StringBuilder b = new StringBuilder(8192 + s.classes().size() * 300);
        b.append("<div class=\"row\"><div>");
        statsTable(b);
        b.append("</div>");
        if (!s.classes().isEmpty()) {
            b.append("<div class=\"grow\"><h3>Per class (").append(s.classes().size()).append(")</h3>");
            classTable(b);
            b.append("</div>");
        }
        b.append("</div>");
        return b.toString();
    }

    private void statsTable(StringBuilder b) {
        double[] a = s.stats();
        double[] o = s.otherStats();
        b.append("<table class=\"stats\"><thead><tr><th class=\"l\">Stat</th><th class=\"l\">Meaning</th><th colspan=\"2\">")
                .append(Html.esc(s.modelName())).append("</th>");
        if (o != null) {
            b.append("<th>").append(Html.esc(s.otherModelName())).append("</th><th>\u0394</th>");
        }
        b.append("</tr></thead><tbody>");
        for (int i = 0; i < a.length; i++) {
            String name = s.statNames().get(i);
            b.append("<tr><th class=\"l\" scope=\"row\">").append(Html.esc(name)).append("</th><td class=\"l muted\">")
                    .append(Html.esc(MEANING.getOrDefault(name, ""))).append("</td><td>").append(Num.score(a[i]))
                    .append("</td><td class=\"barcell\">").append(Html.bar(a[i], 100, "bar")).append("</td>");
            if (o != null) {
                double d = a[i] < 0 || o[i] < 0 ? Double.NaN : o[i] - a[i];
                b.append("<td>").append(Num.score(o[i])).append("</td><td class=\"").append(signClass(d)).append("\">")
                        .append(Num.signed(d)).append("</td>");
            }
            b.append("</tr>");
        }
        b.append("</tbody></table>");
    }

    private void classTable(StringBuilder b) {
        b.append("<div class=\"scroll\"><table class=\"classes\"><thead><tr><th>#</th><th class=\"l\">Class</th>"
                + "<th colspan=\"2\">AP</th><th>AP50</th><th>GT</th><th>Detections</th></tr></thead><tbody>");
        int i = 1;
        for (Summary.ClassRow r : s.classes()) {
            b.append("<tr><td class=\"muted\">").append(i++).append("</td><td class=\"l\">").append(Html.esc(r.name()))
                    .append("</td><td>").append(Num.score(r.ap())).append("</td><td class=\"barcell\">")
                    .append(Html.bar(r.ap(), 100, "bar")).append("</td><td>").append(Num.score(r.ap50())).append("</td><td>")
                    .append(Num.count(r.numGt())).append("</td><td>").append(Num.count(r.numDets())).append("</td></tr>");
        }
        b.append("</tbody></table></div>");
    }

    /** The CSS class of a difference: {@code pos}, {@code neg} or none. */
    static String signClass(double d) {
        return d > 0 ? "pos" : d < 0 ? "neg" : "";
    }
}
