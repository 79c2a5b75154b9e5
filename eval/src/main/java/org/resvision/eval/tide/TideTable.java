package org.resvision.eval.tide;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** tidecv's {@code plotting.print_table} and its number formats, as lines. Stateless, thread-safe. */
final class TideTable {

    private TideTable() {}

    /** The lines {@code print_table(rows, title)} prints: title centred, thick rules, a rule under the header. */
    static List<String> lines(List<List<String>> rows, String title) {
        int cols = rows.get(0).size();
        int[] width = new int[cols];
        for (List<String> row : rows) {
            for (int c = 0; c < cols; c++) {
                width[c] = Math.max(width[c], row.get(c).length());
            }
        }
        StringBuilder divider = new StringBuilder("--");
        for (int c = 0; c < cols; c++) {
            divider.append(c == 0 ? "" : "---").append("-".repeat(width[c]));
        }
        divider.append('-');
        String thin = divider.toString();
        String thick = thin.replace('-', '=');
        List<String> out = new ArrayList<>();
        if (title != null) {
            int leftPad = Math.floorDiv(thin.length() - title.length(), 2);
            out.add(padLeft(title, leftPad + title.length()));
        }
        out.add(thick);
        for (int r = 0; r < rows.size(); r++) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < cols; c++) {
                line.append(c == 0 ? "" : "   ").append(padLeft(rows.get(r).get(c), width[c]));
            }
            out.add(line.append("  ").toString());
            if (r == 0) {
                out.add(thin);
            }
        }
        out.add(thick);
        return out;
    }

    /** Python's {@code '{:.2f}'}: the exact binary value rounded half-even, the sign kept (so -0.00 when tiny and negative). */
    static String fixed2(double v) {
        String s = new BigDecimal(Math.abs(v)).setScale(2, RoundingMode.HALF_EVEN).toPlainString();
        return (Double.doubleToRawLongBits(v) < 0 ? "-" : "") + s;
    }

    /** Python's {@code '{:6.2f}'}. */
    static String fixed6x2(double v) {
        return padLeft(fixed2(v), 6);
    }

    static String padLeft(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
