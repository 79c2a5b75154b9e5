package org.resvision.data.mask;

import java.util.Arrays;

/**
 * A run-length encoded binary mask in COCO's layout: pixels in column-major order (down each
 * column, then the next column), runs alternating 0s and 1s and starting with 0s.
 *
 * <p>Immutable in use (no method writes {@code counts}; the array is not copied, so its creator must
 * not change it either); safe to share between threads.
 *
 * @param h image height
 * @param w image width
 * @param counts run lengths, none negative, summing to {@code h * w}
 * @serial exclude
 */
public record Rle(int h, int w, int[] counts) implements java.io.Serializable {

    /** Masks up to this many pixels (the merge buffers are int-indexed). */
    public static final long MAX_PIXELS = Integer.MAX_VALUE - 8;

    /**
     * Checks the runs (see {@link #problem}).
     *
     * @param h image height
     * @param w image width
     * @param counts run lengths, none negative, summing to {@code h * w}
     * @throws IllegalArgumentException for anything else, with a one-line reason: every loop of
     *     {@link MaskApi} relies on these sums (a short RLE made {@code rleIou} step by 0 forever)
     */
    public Rle {
        String problem = problem(h, w, counts);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * Why {@code (h, w, counts)} is not a mask, or null when it is one.
     *
     * @param h mask height in pixels
     * @param w mask width in pixels
     * @param counts run lengths (not null)
     * @return a one-line reason (negative size, more than {@link #MAX_PIXELS} pixels, a negative run, runs
     *     not summing to {@code h * w}), or {@code null}
     */
    public static String problem(int h, int w, int[] counts) {
        long sum = 0;
        for (int c : counts) {
            if (c < 0) {
                String size = sizeProblem(h, w); // a bad size is named first, as before
                return size != null ? size : "RLE has a negative run (" + c + ")";
            }
            sum += c;
        }
        return problem(h, w, sum);
    }

    /**
     * {@link #problem(int, int, int[])} for runs known to be non-negative, from their sum.
     *
     * @param h mask height in pixels
     * @param w mask width in pixels
     * @param sum the sum of the runs
     * @return a one-line reason, or {@code null}
     */
    public static String problem(int h, int w, long sum) {
        String size = sizeProblem(h, w);
        if (size != null) {
            return size;
        }
        long pixels = (long) h * w;
        return sum != pixels ? "RLE runs sum to " + sum + ", not h*w = " + pixels : null;
    }

    private static String sizeProblem(int h, int w) {
        if (h < 0 || w < 0) {
            return "RLE size " + h + "x" + w + " is negative";
        }
        return (long) h * w > MAX_PIXELS ? "RLE size " + h + "x" + w + " is too large" : null;
    }

    /**
     * Number of 1 pixels (maskApi {@code rleArea}).
     *
     * @return the sum of the odd-indexed runs, 0..{@code h * w}
     */
    public long area() {
        long a = 0;
        for (int j = 1; j < counts.length; j += 2) {
            a += counts[j];
        }
        return a;
    }

    /**
     * Sum of all runs ({@code h * w}).
     *
     * @return the pixel count, {@code h * w} for every valid RLE
     */
    public long total() {
        long t = 0;
        for (int c : counts) {
            t += c;
        }
        return t;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rle r && r.h == h && r.w == w && Arrays.equals(r.counts, counts);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * h + w) + Arrays.hashCode(counts);
    }

    @Override
    public String toString() {
        return "Rle[" + h + "x" + w + ", " + counts.length + " runs, area " + area() + "]";
    }
}
