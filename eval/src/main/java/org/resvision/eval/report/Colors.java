package org.resvision.eval.report;

import java.util.Locale;

/** The report's colours: a categorical palette and a sequential scale for heatmaps. */
final class Colors {

    /** Categorical colours (Tableau 10), for series and error kinds. */
    static final String[] CATEGORICAL = {
        "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"
    };

    /** ColorBrewer's Blues, light to dark. */
    private static final int[] BLUES = {0xf7fbff, 0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x4292c6, 0x2171b5, 0x08519c, 0x08306b};

    private Colors() {}

    /** The i-th categorical colour (cycling). */
    static String categorical(int i) {
        return CATEGORICAL[Math.floorMod(i, CATEGORICAL.length)];
    }

    /**
     * A blue for {@code t} in {@code [0, 1]} (clamped): the lightest visible blue at 0, the darkest
     * at 1 (zero itself is drawn by leaving the cell out).
     */
    static String blues(double t) {
        double u = 0.1 + 0.9 * Math.max(0, Math.min(1, Double.isNaN(t) ? 0 : t));
        double pos = u * (BLUES.length - 1);
        int i = Math.min((int) pos, BLUES.length - 2);
        double f = pos - i;
        int a = BLUES[i];
        int b = BLUES[i + 1];
        int r = mix(a >> 16, b >> 16, f);
        int g = mix(a >> 8, b >> 8, f);
        int bl = mix(a, b, f);
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, bl);
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
    }
}
