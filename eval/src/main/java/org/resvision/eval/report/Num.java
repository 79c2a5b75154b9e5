package org.resvision.eval.report;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Number formatting independent of the default locale: '.' decimals, ASCII digits, '-' sign. */
final class Num {

    /** What an undefined value (negative score or NaN) is shown as. */
    static final String DASH = "\u2013";

    private Num() {}

    /** {@code v} with {@code digits} decimals, rounded half-even from its exact binary value. */
    static String fixed(double v, int digits) {
        if (Double.isNaN(v)) {
            return DASH;
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        String s = new BigDecimal(v).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
        return s.startsWith("-") && isZero(s) ? s.substring(1) : s;
    }

    private static boolean isZero(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= '1' && c <= '9') {
                return false;
            }
        }
        return true;
    }

    /** A score in {@code [0, 1]} with 3 decimals, or a dash when negative (pycocotools' -1) or NaN. */
    static String score(double v) {
        return v < 0 || Double.isNaN(v) ? DASH : fixed(v, 3);
    }

    /** A difference with 3 decimals and an explicit sign ({@code +0.012}, {@code -0.004}); dash for NaN. */
    static String signed(double v) {
        if (Double.isNaN(v)) {
            return DASH;
        }
        String s = fixed(v, 3);
        return s.startsWith("-") ? "\u2212" + s.substring(1) : "+" + s;
    }

    /** A share as a percentage with one decimal ({@code 12.5%}). */
    static String percent(double fraction) {
        return fixed(fraction * 100, 1) + "%";
    }

    /** A count, without grouping separators. */
    static String count(long n) {
        return Long.toString(n);
    }

    /** An SVG coordinate: rounded to 0.1, without a trailing {@code .0}. */
    static String coord(double v) {
        long tenths = Math.round(v * 10);
        long whole = tenths / 10;
        long frac = Math.abs(tenths % 10);
        String sign = tenths < 0 && whole == 0 ? "-" : "";
        return frac == 0 ? Long.toString(whole) : sign + whole + "." + frac;
    }
}
