package org.resvision.data.mask;

/**
 * A mask as its IoUs read it, made in one pass over its runs: its foreground runs as intervals of
 * column-major positions, its area and, when asked for ({@link #withBox}), the box {@link
 * MaskApi#toBbox} gives it (with that quirk: a foreground run crossing a column makes it full
 * height). Made once per mask, it answers each pair's intersection by merging the two masks'
 * foreground intervals between the later first foreground pixel and the earlier last one (the
 * first interval found by bisection), where pycocotools' {@code rleIou} walks both run lists
 * whole, background runs included, after a box test that only saves work: masks whose boxes are
 * apart share no pixel, so their IoU is 0 either way.
 *
 * <p>Immutable; safe to share between threads.
 */
public final class MaskRuns {

    final int h;
    final int w;
    /** {@link MaskApi#toBbox}'s box {@code [x, y, w, h]}; null unless made {@link #withBox}. */
    final double[] box;
    /**
     * [2 k], [2 k + 1]: the k-th foreground run's first position and the one after its last, in
     * order (empty runs left out, or, from a decoded string, kept as empty intervals); null for a box only.
     */
    final int[] fg;
    /** The intervals in {@link #fg}. */
    final int count;
    /** The foreground pixels ({@code rleArea}). */
    final long area;

    /**
     * The foreground intervals and area of {@code r} (no box: {@link #box()} and {@link
     * #boxIntersection} refuse, {@link #iou} needs masks of one size).
     *
     * @param r the mask
     * @return its runs
     */
    public static MaskRuns of(Rle r) {
        return new MaskRuns(r.h(), r.w(), r.counts(), r.counts().length);
    }

    /**
     * {@link #of} with the box {@link MaskApi#toBbox} gives the mask.
     *
     * @param r the mask
     * @return its runs and box
     */
    public static MaskRuns withBox(Rle r) {
        return new MaskRuns(r, true);
    }

    /** Intervals and area of the runs {@code cnts[0..n)} (valid: none negative, summing to h * w). */
    MaskRuns(int h, int w, int[] cnts, int n) {
        this.h = h;
        this.w = w;
        box = null;
        int[] f = new int[n / 2 * 2];
        int k = 0;
        long pos = 0;
        long a = 0;
        for (int j = 0; j + 1 < n; j += 2) { // background, foreground, background, ...
            pos += cnts[j];
            int c = cnts[j + 1];
            if (c > 0) {
                f[k] = (int) pos;
                f[k + 1] = (int) (pos + c);
                k += 2;
                a += c;
            }
            pos += c;
        }
        fg = f;
        count = k / 2;
        area = a;
    }

    /** Foreground intervals already made ({@code fg} kept, {@code fg.length / 2} of them, empty ones allowed) and their area. */
    MaskRuns(int h, int w, int[] fg, long area) {
        this.h = h;
        this.w = w;
        this.box = null;
        this.fg = fg;
        this.count = fg.length / 2;
        this.area = area;
    }

    /** The runs of {@code r}, with its box; only the box when {@code intervals} is false ({@link MaskApi#toBbox}). */
    MaskRuns(Rle r, boolean intervals) {
        h = r.h();
        w = r.w();
        int[] cnts = r.counts();
        int m = (cnts.length / 2) * 2;
        fg = intervals ? new int[m] : null;
        if (m == 0 || h == 0) {
            box = new double[4];
            count = 0;
            area = 0;
            return;
        }
        long hh = h;
        long xs = w;
        long ys = hh;
        long xe = 0;
        long ye = 0;
        long xp = 0;
        long sum = 0;
        int k = 0;
        // the column and row of position cc (the end of the runs so far), followed run by run: a
        // run within a column or into the next adds and subtracts, only longer ones divide
        long cc = 0;
        long col = 0;
        long row = 0;
        for (int j = 0; j < m; j++) {
            int c = cnts[j];
            cc += c;
            row += c;
            if (row >= hh) {
                if (row < 2 * hh) {
                    row -= hh;
                    col++;
                } else {
                    col += row / hh;
                    row %= hh;
                }
            }
            long x; // the position t = cc - j % 2 (a run's first pixel after a 0-run, a 1-run's last)
            long y;
            if (j % 2 == 0) {
                x = col;
                y = row;
                xp = x;
            } else {
                if (row > 0) {
                    x = col;
                    y = row - 1;
                } else if (cc > 0) {
                    x = col - 1;
                    y = hh - 1;
                } else { // t = -1, for a mask starting with two empty runs: Java's remainder and division
                    y = -1 % hh;
                    x = (-1 - y) / hh;
                }
                if (xp < x) {
                    ys = 0;
                    ye = hh - 1;
                }
                if (c > 0) {
                    sum += c;
                    if (fg != null) {
                        fg[k] = (int) (cc - c);
                        fg[k + 1] = (int) cc;
                        k += 2;
                    }
                }
            }
            xs = Math.min(xs, x);
            xe = Math.max(xe, x);
            ys = Math.min(ys, y);
            ye = Math.max(ye, y);
        }
        box = new double[] {xs, ys, xe - xs + 1, ye - ys + 1};
        count = k / 2;
        area = sum;
    }


    /**
     * The mask's height.
     *
     * @return its height in pixels
     */
    public int height() {
        return h;
    }

    /**
     * The mask's width.
     *
     * @return its width in pixels
     */
    public int width() {
        return w;
    }

    /**
     * The foreground pixel count ({@link Rle#area()}).
     *
     * @return the area in pixels
     */
    public long area() {
        return area;
    }

    /**
     * The box {@link MaskApi#toBbox} gives the mask.
     *
     * @return a new {@code [x, y, w, h]} in pixels
     * @throws IllegalStateException unless made {@link #withBox}
     */
    public double[] box() {
        return checkedBox().clone();
    }

    private double[] checkedBox() {
        if (box == null) {
            throw new IllegalStateException("these mask runs were made without their box (MaskRuns.withBox makes it)");
        }
        return box;
    }

    /**
     * The pixels both masks' boxes cover: an upper bound of their intersection (each box holds its mask).
     *
     * @param o the other mask
     * @return the area of the boxes' overlap, 0 when they are apart or one is empty
     * @throws IllegalStateException unless both were made {@link #withBox}
     */
    public long boxIntersection(MaskRuns o) {
        double[] box = checkedBox();
        o.checkedBox();
        long bw = (long) (Math.min(box[0] + box[2], o.box[0] + o.box[2]) - Math.max(box[0], o.box[0]));
        long bh = (long) (Math.min(box[1] + box[3], o.box[1] + o.box[3]) - Math.max(box[1], o.box[1]));
        return bw <= 0 || bh <= 0 ? 0 : bw * bh;
    }

    /**
     * The pixels in both masks.
     *
     * @param o a mask of the same size
     * @return the intersection's area
     */
    public long intersection(MaskRuns o) {
        return intersection(o, 0, Long.MAX_VALUE);
    }

    /**
     * pycocotools' IoU of this detection mask with ground truth {@code gt} ({@code rleIou}): the
     * intersection over the union, or over this mask's area for a crowd; 0 without intersection
     * (maskApi.c's 0 / 1). maskApi.c walks both masks to their ends counting the union and the
     * intersection; the union of two masks is their areas less the intersection (integers, so the
     * same number), and every pixel they share lies between the later first foreground pixel and
     * the earlier last one. Masks of different sizes: -1 where their boxes overlap, else 0.
     *
     * @param gt the ground-truth mask
     * @param crowd whether {@code gt} is a crowd region
     * @return the IoU in [0, 1], or -1
     * @throws IllegalArgumentException for masks of different sizes not both made {@link #withBox}
     */
    public double iou(MaskRuns gt, boolean crowd) {
        if (h != gt.h || w != gt.w) {
            if (box == null || gt.box == null) {
                throw new IllegalArgumentException("masks of different sizes (" + h + "x" + w + ", " + gt.h + "x" + gt.w
                        + "): their IoU is -1 or 0 by their boxes, which these runs were made without");
            }
            double[] gb = gt.box;
            return MaskApi.boxIou(box, gb, gb[2] * gb[3], crowd) > 0 ? -1 : 0;
        }
        if (count == 0 || gt.count == 0) {
            return 0.0;
        }
        long from = Math.max(fg[0], gt.fg[0]);
        long to = Math.min(fg[2 * count - 1], gt.fg[2 * gt.count - 1]);
        long i = from < to ? intersection(gt, from, to) : 0;
        if (i == 0) {
            return 0.0;
        }
        long u = crowd ? area : area + gt.area - i;
        return (double) i / (double) u;
    }

    /**
     * {@link #iou(MaskRuns, boolean)}, or 0 where the areas alone show that the IoU is below {@code
     * floor}: the intersection is at most the smaller area and the union at least the larger (the
     * detection's area for a crowd), and a correctly rounded division keeps that order, so {@code
     * min / max < floor} means the IoU is too. For a caller that needs only the IoUs at or above a
     * threshold (a matching): most overlapping pairs of different sizes are not walked.
     *
     * @param gt the ground-truth mask, of this mask's size
     * @param crowd whether {@code gt} is a crowd region
     * @param floor the lowest IoU that matters; 0 or less: always the IoU
     * @return the IoU, or 0 when it is below {@code floor} by the areas
     * @throws IllegalArgumentException as {@link #iou(MaskRuns, boolean)} does
     */
    public double iou(MaskRuns gt, boolean crowd, double floor) {
        if (floor > 0 && h == gt.h && w == gt.w) {
            long small = Math.min(area, gt.area);
            double bound = (double) small / (double) (crowd ? area : Math.max(area, gt.area));
            if (bound < floor) {
                return 0.0;
            }
        }
        return iou(gt, crowd);
    }

    /**
     * The pixels both masks (of the same size) have in positions {@code [from, to)}: their
     * foreground intervals merged, from the first that ends after {@code from} (found by bisection).
     */
    long intersection(MaskRuns o, long from, long to) {
        int a = firstEndingAfter(from);
        int b = o.firstEndingAfter(from);
        int[] fa = fg;
        int[] fb = o.fg;
        long i = 0;
        while (a < count && b < o.count) {
            long sa = fa[2 * a];
            long sb = fb[2 * b];
            if (sa >= to || sb >= to) {
                break;
            }
            int ea = fa[2 * a + 1];
            int eb = fb[2 * b + 1];
            long lo = Math.max(Math.max(sa, sb), from);
            long hi = Math.min(Math.min(ea, eb), to);
            if (hi > lo) {
                i += hi - lo;
            }
            if (ea < eb) {
                a++;
            } else {
                b++;
            }
        }
        return i;
    }

    /** The first interval whose end is past {@code pos} ({@link #count} for none). */
    private int firstEndingAfter(long pos) {
        int lo = 0;
        int hi = count;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (fg[2 * mid + 1] <= pos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
