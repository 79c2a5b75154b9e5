package org.resvision.eval.report;

import java.util.function.DoubleFunction;

/**
 * An inline SVG being written: shapes, text (escaped) and hover titles. Coordinates are pixels
 * of the {@code viewBox}; styling comes from the page's CSS classes.
 */
final class Svg {

    private final StringBuilder b = new StringBuilder(1024);

    /** Opens an SVG of {@code width x height} pixels, with {@code label} for screen readers. */
    Svg(double width, double height, String label) {
        b.append("<svg class=\"chart\" width=\"").append(Num.coord(width)).append("\" height=\"").append(Num.coord(height))
                .append("\" viewBox=\"0 0 ").append(Num.coord(width)).append(' ').append(Num.coord(height))
                .append("\" role=\"img\" aria-label=\"").append(Html.esc(label)).append("\">");
    }

    /** A line of CSS class {@code cls}. */
    Svg line(double x1, double y1, double x2, double y2, String cls) {
        b.append("<line x1=\"").append(Num.coord(x1)).append("\" y1=\"").append(Num.coord(y1))
                .append("\" x2=\"").append(Num.coord(x2)).append("\" y2=\"").append(Num.coord(y2))
                .append("\" class=\"").append(cls).append("\"/>");
        return this;
    }

    /**
     * A rectangle of CSS class {@code cls} (or none when null), filled with {@code fill} (or by its
     * class when null), with a hover {@code title} (none when null).
     */
    Svg rect(double x, double y, double w, double h, String cls, String fill, String title) {
        b.append("<rect x=\"").append(Num.coord(x)).append("\" y=\"").append(Num.coord(y))
                .append("\" width=\"").append(Num.coord(Math.max(0, w))).append("\" height=\"").append(Num.coord(Math.max(0, h))).append('"');
        if (cls != null) {
            b.append(" class=\"").append(cls).append('"');
        }
        if (fill != null) {
            b.append(" fill=\"").append(fill).append('"');
        }
        return closeWithTitle("rect", title);
    }

    /** A circle of CSS class {@code cls} with a hover {@code title} (none when null). */
    Svg circle(double cx, double cy, double r, String cls, String title) {
        b.append("<circle cx=\"").append(Num.coord(cx)).append("\" cy=\"").append(Num.coord(cy))
                .append("\" r=\"").append(Num.coord(r)).append("\" class=\"").append(cls).append('"');
        return closeWithTitle("circle", title);
    }

    /** A path of CSS class {@code cls} (its {@code d} made by {@link #polyline}). */
    Svg path(String d, String cls, String title) {
        if (d.isEmpty()) {
            return this;
        }
        b.append("<path d=\"").append(d).append("\" class=\"").append(cls).append('"');
        return closeWithTitle("path", title);
    }

    /**
     * Text at {@code (x, y)}, anchored {@code start}, {@code middle} or {@code end}, of CSS class
     * {@code cls}, rotated by {@code angle} degrees about its anchor.
     */
    Svg text(double x, double y, String text, String cls, String anchor, double angle) {
        b.append("<text x=\"").append(Num.coord(x)).append("\" y=\"").append(Num.coord(y)).append('"');
        if (cls != null) {
            b.append(" class=\"").append(cls).append('"');
        }
        if (!"start".equals(anchor)) {
            b.append(" text-anchor=\"").append(anchor).append('"');
        }
        if (angle != 0) {
            b.append(" transform=\"rotate(").append(Num.coord(angle)).append(' ').append(Num.coord(x)).append(' ')
                    .append(Num.coord(y)).append(")\"");
        }
        b.append('>').append(Html.esc(text)).append("</text>");
        return this;
    }

    /** Text, not rotated. */
    Svg text(double x, double y, String text, String cls, String anchor) {
        return text(x, y, text, cls, anchor, 0);
    }

    /** Raw SVG markup written by this package (never user text). */
    Svg raw(String markup) {
        b.append(markup);
        return this;
    }

    private Svg closeWithTitle(String tag, String title) {
        if (title == null) {
            b.append("/>");
        } else {
            b.append("><title>").append(Html.esc(title)).append("</title></").append(tag).append('>');
        }
        return this;
    }

    /** Closes the SVG and returns its markup. */
    String end() {
        return b.append("</svg>").toString();
    }

    /**
     * The {@code d} of a polyline through {@code (xs[i], ys[i])} in plot {@code p}'s data
     * coordinates; a NaN breaks the line, and the inner points of a horizontal run are left out
     * (the same picture, fewer bytes).
     */
    static String polyline(Plot p, double[] xs, double[] ys) {
        StringBuilder d = new StringBuilder(ys.length * 8);
        boolean open = false;
        for (int i = 0; i < ys.length; i++) {
            if (Double.isNaN(ys[i])) {
                open = false;
                continue;
            }
            boolean inner = open && i + 1 < ys.length && ys[i + 1] == ys[i] && ys[i - 1] == ys[i];
            if (inner) {
                continue;
            }
            d.append(open ? 'L' : 'M').append(Num.coord(p.x(xs[i]))).append(' ').append(Num.coord(p.y(ys[i])));
            open = true;
        }
        return d.toString();
    }

    /**
     * A plot area: a frame at {@code (left, top)} of {@code w x h} pixels showing
     * {@code [xmin, xmax] x [ymin, ymax]} (y upwards).
     */
    record Plot(double left, double top, double w, double h, double xmin, double xmax, double ymin, double ymax) {

        /** The pixel x of data value {@code v}. */
        double x(double v) {
            return left + (v - xmin) / (xmax - xmin) * w;
        }

        /** The pixel y of data value {@code v}. */
        double y(double v) {
            return top + h - (v - ymin) / (ymax - ymin) * h;
        }

        /** Bottom edge in pixels. */
        double bottom() {
            return top + h;
        }

        /** Right edge in pixels. */
        double right() {
            return left + w;
        }

        /**
         * Grid lines, the frame, tick labels and axis titles ({@code null}: none) on {@code svg}.
         */
        void axes(Svg svg, double[] xTicks, DoubleFunction<String> xFmt, String xTitle, double[] yTicks,
                DoubleFunction<String> yFmt, String yTitle) {
            for (double t : xTicks) {
                svg.line(x(t), top, x(t), bottom(), "grid");
                svg.text(x(t), bottom() + 13, xFmt.apply(t), "tick", "middle");
            }
            for (double t : yTicks) {
                svg.line(left, y(t), right(), y(t), "grid");
                svg.text(left - 4, y(t) + 3.5, yFmt.apply(t), "tick", "end");
            }
            svg.rect(left, top, w, h, "frame", null, null);
            if (xTitle != null) {
                svg.text(left + w / 2, bottom() + 28, xTitle, "axis-title", "middle");
            }
            if (yTitle != null) {
                double x = left - 30;
                svg.text(x, top + h / 2, yTitle, "axis-title", "middle", -90);
            }
        }
    }

    /** {@code n + 1} evenly spaced values from {@code lo} to {@code hi}. */
    static double[] ticks(double lo, double hi, int n) {
        double[] t = new double[n + 1];
        for (int i = 0; i <= n; i++) {
            t[i] = lo + (hi - lo) * i / n;
        }
        return t;
    }

    /**
     * Ticks at a round step (1, 2 or 5 times a power of ten) covering {@code [lo, hi]} with about
     * {@code n} intervals; the first tick is at or below {@code lo}, the last at or above {@code hi}.
     */
    static double[] niceTicks(double lo, double hi, int n) {
        if (!(hi > lo)) {
            hi = lo + 1;
        }
        double raw = (hi - lo) / n;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag <= 1 ? mag : raw / mag <= 2 ? 2 * mag : raw / mag <= 5 ? 5 * mag : 10 * mag;
        long first = (long) Math.floor(lo / step + 1e-9);
        long last = (long) Math.ceil(hi / step - 1e-9);
        double[] t = new double[(int) (last - first + 1)];
        for (int i = 0; i < t.length; i++) {
            t[i] = (first + i) * step;
        }
        return t;
    }
}
