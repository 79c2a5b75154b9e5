package org.resvision.eval.tide;

import org.resvision.data.mask.Rle;

/**
 * A mask as its foreground runs at absolute pixel positions (column-major, as in the RLE), with
 * its area and the box {@code toBbox} gives it (inclusive pixels {x0, y0, x1, y1}; a run crossing
 * a column spans the full height). Made once per mask, it answers intersections with a two-pointer
 * walk over the overlapping runs only, where pycocotools' {@code rleIou} merges both masks whole.
 * Immutable, thread-safe.
 */
final class MaskRuns {

    final int h;
    final int w;
    final int[] start;
    final int[] end; // exclusive
    final long area;
    final long x0;
    final long y0;
    final long x1;
    final long y1;
    /** Foreground runs in use in {@link #start} / {@link #end}. */
    final int runs;

    private MaskRuns(Rle r) {
        h = r.h();
        w = r.w();
        int[] cnts = r.counts();
        int n = cnts.length;
        int[] s = new int[n / 2];
        int[] e = new int[n / 2];
        int k = 0;
        int pos = 0; // < h * w <= Rle.MAX_PIXELS
        long a = 0;
        for (int j = 0; j + 1 < n; j += 2) { // background, foreground, background, ...
            pos += cnts[j];
            int c = cnts[j + 1];
            if (c > 0) {
                s[k] = pos;
                e[k] = pos + c;
                k++;
                a += c;
            }
            pos += c;
        }
        long bx0 = Long.MAX_VALUE;
        long by0 = Long.MAX_VALUE;
        long bx1 = -1;
        long by1 = -1;
        if (k > 0) { // runs ascend: the first starts leftmost, the last ends rightmost
            bx0 = s[0] / h;
            bx1 = (e[k - 1] - 1) / h;
            int colStart = (int) bx0 * h; // the first pixel of the column the current run starts in
            for (int i = 0; i < k; i++) {
                while (s[i] >= colStart + h) {
                    colStart += h;
                }
                int last = e[i] - 1;
                if (last >= colStart + h) { // a run crossing a column: the full height
                    by0 = 0;
                    by1 = h - 1;
                    break;
                }
                by0 = Math.min(by0, s[i] - colStart);
                by1 = Math.max(by1, last - colStart);
            }
        }
        start = s;
        end = e;
        runs = k;
        area = a;
        x0 = bx0;
        y0 = by0;
        x1 = bx1;
        y1 = by1;
    }

    static MaskRuns of(Rle r) {
        return new MaskRuns(r);
    }

    /** Pixels in both masks' boxes (0 when the boxes are apart or a mask is empty). */
    long boxIntersection(MaskRuns o) {
        long bw = Math.min(x1, o.x1) - Math.max(x0, o.x0) + 1;
        long bh = Math.min(y1, o.y1) - Math.max(y0, o.y0) + 1;
        return bw <= 0 || bh <= 0 ? 0 : bw * bh;
    }

    /** Pixels in both masks (same size assumed). */
    long intersection(MaskRuns o) {
        int i = firstEndingAfter(o.runs > 0 ? o.start[0] : 0);
        int j = o.firstEndingAfter(runs > 0 ? start[0] : 0);
        long sum = 0;
        while (i < runs && j < o.runs) {
            int s = Math.max(start[i], o.start[j]);
            int e = Math.min(end[i], o.end[j]);
            if (e > s) {
                sum += e - s;
            }
            if (end[i] < o.end[j]) {
                i++;
            } else {
                j++;
            }
        }
        return sum;
    }

    /** The first run whose end is past {@code pos} (binary search). */
    private int firstEndingAfter(int pos) {
        int lo = 0;
        int hi = runs;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (end[mid] <= pos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * pycocotools' IoU of detection mask {@code this} and GT {@code g}: intersection over union, or
     * over the detection's area for a crowd GT; 0 without intersection, -1 for different sizes.
     */
    double iou(MaskRuns g, boolean crowd) {
        if (h != g.h || w != g.w) {
            return -1;
        }
        long i = intersection(g);
        if (i == 0) {
            return 0;
        }
        return (double) i / (double) (crowd ? area : area + g.area - i);
    }
}
