package org.resvision.eval.report;

import java.util.ArrayList;
import java.util.List;

/** TIDE: the AP each kind of error costs, main and special errors as two bar charts. */
final class TideSection implements Section {

    private final Tide t;

    TideSection(Tide t) {
        this.t = t;
    }

    @Override
    public String id() {
        return "tide";
    }

    @Override
    public String title() {
        return "Error breakdown (TIDE)";
    }

    @Override
    public String body() {
        StringBuilder b = new StringBuilder(4096);
        b.append("<div class=\"row\">");
        if (!t.main().isEmpty()) {
            b.append("<div><h3>Main errors: dAP when fixed</h3>").append(chart("Main TIDE errors", t.main(), 0)).append("</div>");
        }
        if (!t.special().isEmpty()) {
            b.append("<div><h3>Special errors: dAP when fixed</h3>")
                    .append(chart("Special TIDE errors", t.special(), t.main().size())).append("</div>");
        }
        b.append("</div>");
        b.append("<p class=\"note\">Cls: right box, wrong class. Loc: right class, poor box. Both: wrong class and poor box. "
                + "Dupe: a duplicate of a matched detection. Bkg: background detected as an object. Miss: ground truth never detected. "
                + "FalsePos / FalseNeg: all false positives / negatives removed.");
        if (t.note() != null) {
            b.append(' ').append(Html.esc(t.note()));
        }
        b.append("</p>");
        return b.toString();
    }

    private static String chart(String label, List<Tide.ErrorType> errors, int colorOffset) {
        List<HBars.Bar> bars = new ArrayList<>();
        for (int i = 0; i < errors.size(); i++) {
            Tide.ErrorType e = errors.get(i);
            String value = Num.fixed(e.dAp(), 3) + (e.count() >= 0 ? "  (" + e.count() + ")" : "");
            bars.add(new HBars.Bar(e.name(), e.dAp(), value, Colors.categorical(colorOffset + i),
                    e.name() + ": dAP " + Num.fixed(e.dAp(), 4) + (e.count() >= 0 ? ", " + e.count() + " errors" : "")));
        }
        return HBars.svg(label, bars, "dAP (count in parentheses)", 90, 330);
    }
}
