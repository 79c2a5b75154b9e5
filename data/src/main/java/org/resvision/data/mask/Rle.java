package org.resvision.data.mask;

import java.util.Arrays;

/**
 * A run-length encoded binary mask in COCO's layout: pixels in column-major order (down each
 * column, then the next column), runs alternating 0s and 1s and starting with 0s.
 *
 * @param h image height
 * @param w image width
 * @param counts run lengths; they sum to {@code h * w} for a well-formed mask
 */
public record Rle(int h, int w, int[] counts) {

    /** Number of 1 pixels (maskApi {@code rleArea}). */
    public long area() {
        long a = 0;
        for (int j = 1; j < counts.length; j += 2) {
            a += counts[j];
        }
        return a;
    }

    /** Sum of all runs (must equal {@code h * w}). */
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
