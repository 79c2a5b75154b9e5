package org.resvision.eval.report;

/** Escaping of text for HTML content and attribute values (also inside inline SVG). */
final class Html {

    private Html() {}

    /**
     * {@code s} with {@code & < > " '} as character references and control characters (but tab
     * and newline) and lone surrogates as U+FFFD; {@code null} as the empty string.
     */
    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c) || (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c < 0xa0)) {
                        b.append('\uFFFD');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** An inline bar for a table cell: {@code fraction} of {@code width} pixels (nothing when undefined). */
    static String bar(double fraction, int width, String cls) {
        if (Double.isNaN(fraction) || fraction < 0) {
            return "";
        }
        double w = Math.min(1, fraction) * width;
        return "<span class=\"" + cls + "\" style=\"width:" + Num.coord(w) + "px\"></span>";
    }

    /** {@code s} cut to at most {@code max} code points, ending with an ellipsis when cut. */
    static String clip(String s, int max) {
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "\u2026";
    }
}
