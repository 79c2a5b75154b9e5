package org.resvision.data.mask;

import java.util.Arrays;
import java.util.List;

/**
 * A faithful port of pycocotools' {@code maskApi.c}: the same integer arithmetic and the same
 * quirks, so areas, boxes, IoUs and compressed strings equal pycocotools' bit for bit. Masks are
 * column-major (see {@link Rle}); boxes are {@code [x, y, w, h]} in pixels.
 *
 * <p>Stateless; safe to call from several threads at once.
 */
public final class MaskApi {

    private MaskApi() {}

    /**
     * Encodes a binary mask given in column-major order ({@code mask[x * h + y]}).
     *
     * @param mask at least {@code h * w} bytes; any non-zero byte is foreground
     * @param h mask height in pixels
     * @param w mask width in pixels
     * @return a new RLE of size {@code h x w}
     * @throws ArrayIndexOutOfBoundsException when {@code mask} is shorter than {@code h * w}
     */
    public static Rle encode(byte[] mask, int h, int w) {
        int a = h * w;
        int[] cnts = new int[a + 1];
        int k = 0;
        byte p = 0;
        int c = 0;
        for (int j = 0; j < a; j++) {
            byte v = mask[j] != 0 ? (byte) 1 : (byte) 0;
            if (v != p) {
                cnts[k++] = c;
                c = 0;
                p = v;
            }
            c++;
        }
        cnts[k++] = c;
        return new Rle(h, w, Arrays.copyOf(cnts, k));
    }

    /**
     * Decodes to a column-major 0/1 mask of {@code h * w} bytes.
     *
     * @param r the mask
     * @return a new array, {@code m[x * h + y]} 1 on foreground, 0 elsewhere
     */
    public static byte[] decode(Rle r) {
        byte[] m = new byte[r.h() * r.w()];
        int pos = 0;
        byte v = 0;
        for (int c : r.counts()) {
            Arrays.fill(m, pos, pos + c, v);
            pos += c;
            v = (byte) (1 - v);
        }
        return m;
    }

    /**
     * Union ({@code intersect=false}) or intersection of masks; sizes must agree (else 0x0). The
     * result has at most as many runs as its inputs together, so that bounds the buffers (not
     * {@code h * w}, which for a large image is gigabytes).
     *
     * @param rles the masks, all of one size
     * @param intersect false: union; true: intersection
     * @return a new RLE; 0x0 when {@code rles} is empty or the sizes differ; a copy of the one mask when
     *     there is one
     */
    public static Rle merge(List<Rle> rles, boolean intersect) {
        int n = rles.size();
        if (n == 0) {
            return new Rle(0, 0, new int[0]);
        }
        Rle first = rles.get(0);
        int h = first.h();
        int w = first.w();
        if (n == 1) {
            return new Rle(h, w, first.counts().clone());
        }
        int[] cnts = first.counts();
        int m = cnts.length;
        for (int i = 1; i < n; i++) {
            Rle b = rles.get(i);
            if (b.h() != h || b.w() != w) {
                h = 0;
                w = 0;
                m = 0;
                break;
            }
            int[] aCnts = Arrays.copyOf(cnts, m);
            int[] bCnts = b.counts();
            cnts = new int[aCnts.length + bCnts.length];
            long ca = aCnts[0];
            long cb = bCnts[0];
            boolean v = false;
            boolean va = false;
            boolean vb = false;
            m = 0;
            int ai = 1;
            int bi = 1;
            long cc = 0;
            long ct = 1;
            while (ct > 0) {
                long c = Math.min(ca, cb);
                cc += c;
                ct = 0;
                ca -= c;
                if (ca == 0 && ai < aCnts.length) {
                    ca = aCnts[ai++];
                    va = !va;
                }
                ct += ca;
                cb -= c;
                if (cb == 0 && bi < bCnts.length) {
                    cb = bCnts[bi++];
                    vb = !vb;
                }
                ct += cb;
                boolean vp = v;
                v = intersect ? va && vb : va || vb;
                if (v != vp || ct == 0) {
                    cnts[m++] = (int) cc;
                    cc = 0;
                }
            }
        }
        return new Rle(h, w, Arrays.copyOf(cnts, m));
    }

    /**
     * The tight box [x, y, w, h] ({@code rleToBbox}), with its quirk: a foreground run that
     * crosses a column boundary makes the box span the full image height.
     *
     * @param r the mask
     * @return a new {@code [x, y, w, h]}, integer-valued, in pixels; {@code [0, 0, 0, 0]} for an empty or
     *     zero-height mask
     */
    public static double[] toBbox(Rle r) {
        return new MaskRuns(r, false).box;
    }

    /**
     * The box [x, y, w, h] rasterised as the polygon of its corners ({@code rleFrBbox}).
     *
     * @param bb {@code [x, y, w, h]} in pixels (at least 4 numbers; the rest are ignored)
     * @param h image height in pixels
     * @param w image width in pixels
     * @return a new RLE of size {@code h x w}, clipped to the image
     */
    public static Rle frBbox(double[] bb, int h, int w) {
        double xs = bb[0];
        double xe = xs + bb[2];
        double ys = bb[1];
        double ye = ys + bb[3];
        return frPoly(new double[] {xs, ys, xs, ye, xe, ye, xe, ys}, h, w);
    }

    /** The most upsampled outline points {@link #frPoly} allocates (a polygon around 2^23 pixels long). */
    static final long MAX_POLYGON_POINTS = 5L << 23;

    /**
     * The column of the boundary point where the upsampled outline steps from {@code pu} to {@code
     * u}, or -1 for none. maskApi.c: {@code xd = (u + .5) / scale - .5} (u the smaller, or u - 1)
     * must be a whole number in [0, w - 1]. With scale 5 that is u = 5 x + 2, and then xd is x
     * exactly (other residues are 0.2 or more from a whole number): integer arithmetic.
     */
    private static int boundaryColumn(int u, int pu, int w) {
        int q = (u < pu ? u : u - 1) - 2;
        int xi = q < 0 ? -1 : div5(q);
        return q >= 0 && 5 * xi == q && xi <= w - 1 ? xi : -1;
    }

    /**
     * The row of that boundary point, from the smaller {@code v} of the step: maskApi.c's {@code
     * yd = ceil((v + .5) / scale - .5)} clamped to [0, h], which is {@code ceil((v - 2) / 5)}.
     */
    private static int boundaryRow(int v, int h) {
        int r = v - 2;
        return r <= 0 ? 0 : Math.min(div5(r + 4), h);
    }

    /** Whether u has passed from {@code target} to {@code target + 1} (rising) or back (falling). */
    private static boolean passed(int u, int target, boolean rising) {
        return rising ? u > target : u <= target;
    }

    /** {@code q / 5} for {@code 0 <= q < 2^31}, by a multiplication (the quotient, exactly). */
    private static int div5(int q) {
        return (int) ((q * 0xCCCCCCCDL) >>> 34);
    }

    /**
     * The positions {@code bx[j] * h + by[j]} ({@code j < k}, each at most {@code h * w}) in
     * ascending order, in an array with one slot more: by column (a counting sort over the
     * columns the points span), then by row within each column (an insertion sort: a polygon's
     * outline crosses a column a few times, a sort where it crosses it often). Sorting the
     * positions, as maskApi.c does, gives the same.
     */
    private static long[] sortedPositions(int[] bx, int[] by, int k, int h) {
        long[] a = new long[k + 1];
        if (k == 0) {
            return a;
        }
        int xMin = Integer.MAX_VALUE;
        int xMax = Integer.MIN_VALUE;
        for (int j = 0; j < k; j++) {
            xMin = Math.min(xMin, bx[j]);
            xMax = Math.max(xMax, bx[j]);
        }
        int columns = xMax - xMin + 1;
        if (columns > 4 * k + 64) { // sparse points over a wide range: a plain sort
            for (int j = 0; j < k; j++) {
                a[j] = bx[j] * (long) h + by[j];
            }
            Arrays.sort(a, 0, k);
            return a;
        }
        int[] start = new int[columns + 1];
        for (int j = 0; j < k; j++) {
            start[bx[j] - xMin + 1]++;
        }
        for (int c = 0; c < columns; c++) {
            start[c + 1] += start[c];
        }
        for (int j = 0; j < k; j++) {
            a[start[bx[j] - xMin]++] = bx[j] * (long) h + by[j];
        }
        // start[c] is now the end of column c (the start of c + 1)
        for (int c = 0, from = 0; c < columns; c++) {
            int to = start[c];
            if (to - from > 32) { // a column crossed many times (a zigzag outline)
                Arrays.sort(a, from, to);
                from = to;
                continue;
            }
            for (int i = from + 1; i < to; i++) {
                long x = a[i];
                int j = i - 1;
                while (j >= from && a[j] > x) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            from = to;
        }
        return a;
    }

    /**
     * {@link #frPoly}'s boundary points, per thread: room for a whole upsampled outline, most of
     * which stays unused, was a new pair of arrays per polygon (~340 MB of garbage for the val2017
     * ground truth). Outlines of up to {@link #KEPT} points reuse the thread's pair; longer ones
     * get their own.
     */
    private static final class Outline {
        static final int KEPT = 1 << 18;
        static final ThreadLocal<Outline> MINE = ThreadLocal.withInitial(Outline::new);

        int[] bx = new int[0];
        int[] by = new int[0];

        Outline ensure(int n) {
            if (bx.length < n) {
                int room = Math.max(n, Math.min(2 * bx.length, KEPT));
                bx = new int[room];
                by = new int[room];
            }
            return this;
        }
    }

    /**
     * Rasterises a polygon {@code [x0, y0, x1, y1, ...]} exactly as {@code rleFrPoly}: 5x
     * upsampling, C's truncating casts, boundary points downsampled along y.
     *
     * @param xy the polygon's vertices in pixels, closed implicitly (an odd last number is ignored)
     * @param h image height in pixels
     * @param w image width in pixels
     * @return a new RLE of size {@code h x w}; parts outside the image are clipped
     * @throws IllegalArgumentException when the upsampled outline would exceed about 2^23 pixels
     *     (coordinates far outside any image)
     */
    public static Rle frPoly(double[] xy, int h, int w) {
        int k = xy.length / 2;
        double scale = 5;
        int[] x = new int[k + 1];
        int[] y = new int[k + 1];
        for (int j = 0; j < k; j++) {
            x[j] = (int) (scale * xy[j * 2] + .5);
        }
        x[k] = x[0];
        for (int j = 0; j < k; j++) {
            y[j] = (int) (scale * xy[j * 2 + 1] + .5);
        }
        y[k] = y[0];
        long total = 0;
        for (int j = 0; j < k; j++) {
            total += Math.max(Math.abs((long) x[j] - x[j + 1]), Math.abs((long) y[j] - y[j + 1])) + 1;
        }
        if (total > MAX_POLYGON_POINTS) {
            throw new IllegalArgumentException("polygon outline is longer than " + MAX_POLYGON_POINTS / 5 + " pixels (coordinates too large?)");
        }
        // the outline, point by point, each compared with the one before as it is made (maskApi.c
        // stores them all, then walks them): where u changes, the boundary point it may give
        Outline outline = total <= Outline.KEPT ? Outline.MINE.get().ensure((int) total) : new Outline().ensure((int) total);
        int[] bx = outline.bx;
        int[] by = outline.by;
        int m = 0;
        boolean started = false;
        int pu = 0; // the previous point
        int pv = 0;
        for (int j = 0; j < k; j++) {
            int xs = x[j];
            int xe = x[j + 1];
            int ys = y[j];
            int ye = y[j + 1];
            int dx = Math.abs(xe - xs);
            int dy = Math.abs(ys - ye);
            boolean alongX = dx >= dy;
            boolean flip = (alongX && xs > xe) || (!alongX && ys > ye);
            if (flip) {
                int t = xs;
                xs = xe;
                xe = t;
                t = ys;
                ys = ye;
                ye = t;
            }
            double s = alongX ? (double) (ye - ys) / dx : (double) (xe - xs) / dy;
            int steps = alongX ? dx : dy;
            if (alongX) {
                // u = xs + t steps by one, so of the points after the first only those with
                // u - 3 = 5 x (for the point pair t - 1, t, in either direction) can give one:
                // those are visited, every fifth, and their v and the previous point's computed
                // as maskApi.c computes them. The first point is compared with the last edge's end.
                int t0 = flip ? steps : 0;
                int u0 = t0 + xs;
                int v0 = (int) (ys + s * t0 + .5);
                int x0 = started && u0 != pu ? boundaryColumn(u0, pu, w) : -1;
                if (x0 >= 0) {
                    bx[m] = x0;
                    by[m] = boundaryRow(Math.min(v0, pv), h);
                    m++;
                }
                long qHi = (long) xs + steps - 3; // q = xs + t - 3 for t = 1 .. steps (in long: xs may be near 2^31)
                long xiLo = (Math.max(0L, (long) xs - 2) + 4) / 5;
                long xiHi = qHi < 0 ? -1 : Math.min(w - 1, qHi / 5);
                for (int xi = (int) Math.min(xiLo, Integer.MAX_VALUE); xi <= xiHi; xi++) {
                    int t = 5 * xi + 3 - xs;
                    int va = (int) (ys + s * (t - 1) + .5);
                    int vb = (int) (ys + s * t + .5);
                    bx[m] = xi;
                    by[m] = boundaryRow(Math.min(va, vb), h);
                    m++;
                }
                int t1 = flip ? 0 : steps;
                started = true;
                pu = t1 + xs;
                pv = (int) (ys + s * t1 + .5);
                continue;
            }
            // steep: v = ys + t steps by one and u = (int) (xs + s t + .5) moves by at most one a step,
            // always the same way (|s| < 1). A step from u' to u gives a point where min(u, u') - 2 =
            // 5 x (boundaryColumn, either direction), at row min(v, v') = ys + t - 1 for the step
            // t - 1 -> t: for each such x the one step where u passes from 5 x + 2 to 5 x + 3 is found
            // (from an estimate, then point by point) instead of visiting every point
            int t0 = flip ? steps : 0;
            int u0 = (int) (xs + s * t0 + .5);
            int x0 = started && u0 != pu ? boundaryColumn(u0, pu, w) : -1;
            if (x0 >= 0) {
                bx[m] = x0;
                by[m] = boundaryRow(Math.min(t0 + ys, pv), h);
                m++;
            }
            int uFirst = (int) (xs + s * 0 + .5);
            int uLast = (int) (xs + s * steps + .5);
            long lo = Math.max(Math.min(uFirst, uLast), 2L); // U = 5 x + 2 with U, U + 1 both passed
            long hi = Math.max(uFirst, uLast) - 1L;
            long xiHi = hi < 2 ? -1 : Math.min(w - 1, (hi - 2) / 5);
            boolean rising = s > 0;
            for (long xl = (lo - 2 + 4) / 5; xl <= xiHi; xl++) {
                int xi = (int) xl;
                int target = 5 * xi + 2;
                // the first t with u(t) past target (above it rising, at or below it falling)
                double guess = (target + .5 - xs) / s + 1; // the crossing lies between guess - 1 and guess
                int t = guess < 1 ? 1 : guess > steps ? steps : (int) guess;
                while (t > 1 && passed((int) (xs + s * (t - 1) + .5), target, rising)) {
                    t--;
                }
                while (t < steps && !passed((int) (xs + s * t + .5), target, rising)) {
                    t++;
                }
                bx[m] = xi;
                by[m] = boundaryRow(ys + t - 1, h);
                m++;
            }
            int t1 = flip ? 0 : steps;
            started = true;
            pu = (int) (xs + s * t1 + .5);
            pv = t1 + ys;
        }
        k = m;
        long[] a = sortedPositions(bx, by, k, h);
        a[k++] = ((long) h * w) & 0xffffffffL;
        long p = 0;
        for (int j = 0; j < k; j++) {
            long t = a[j];
            a[j] -= p;
            p = t;
        }
        int[] b = new int[k];
        int j = 0;
        m = 0;
        b[m++] = (int) a[j++];
        while (j < k) {
            if (a[j] > 0) {
                b[m++] = (int) a[j++];
            } else {
                j++;
                if (j < k) {
                    b[m - 1] += (int) a[j++];
                }
            }
        }
        return new Rle(h, w, Arrays.copyOf(b, m));
    }

    /**
     * COCO's compressed string ({@code rleToString}): LEB128-like, 6 bits per char, deltas.
     *
     * @param r the mask
     * @return the {@code counts} string, ASCII characters {@code '0'..'o'}; the size is not included
     */
    public static String toString(Rle r) {
        int[] cnts = r.counts();
        StringBuilder s = new StringBuilder(cnts.length * 2);
        for (int i = 0; i < cnts.length; i++) {
            long x = cnts[i] & 0xffffffffL;
            if (i > 2) {
                x -= cnts[i - 2] & 0xffffffffL;
            }
            boolean more = true;
            while (more) {
                int c = (int) (x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    /**
     * Parses COCO's compressed string ({@code rleFrString}); characters outside {@code '0'..'o'},
     * numbers longer than 7 characters and runs that are negative or do not sum to {@code h * w}
     * are an {@link IllegalArgumentException} (maskApi.c reads on into undefined values).
     *
     * @param s the {@code counts} string
     * @param h mask height in pixels (the RLE's {@code size[0]})
     * @param w mask width in pixels (the RLE's {@code size[1]})
     * @return a new RLE of size {@code h x w}
     * @throws IllegalArgumentException with a one-line reason when the string is malformed
     */
    public static Rle fromString(String s, int h, int w) {
        byte[] chars = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return fromBytes(chars, 0, chars.length, h, w);
    }

    /**
     * {@link #fromString} of the compressed string held in {@code chars[from..to)} (one byte per
     * character, as ISO-8859-1 encodes it), without making the string: the same runs, the same
     * errors (offsets counted from {@code from}).
     *
     * @param chars the bytes holding the {@code counts} string
     * @param from the index of its first character
     * @param to the index after its last
     * @param h mask height in pixels (the RLE's {@code size[0]})
     * @param w mask width in pixels (the RLE's {@code size[1]})
     * @return a new RLE of size {@code h x w}
     * @throws IllegalArgumentException with a one-line reason when the string is malformed
     */
    public static Rle fromBytes(byte[] chars, int from, int to, int h, int w) {
        Decoder dec = Decoder.of(chars, from, to);
        String problem = Rle.problem(h, w, dec.sum); // before the runs are taken from the ends (which may have overflowed)
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        int[] e = dec.ends;
        int[] cnts = new int[dec.n];
        for (int j = 0, prev = 0; j < cnts.length; j++) {
            cnts[j] = e[j] - prev;
            prev = e[j];
        }
        return new Rle(h, w, cnts);
    }

    /**
     * Why {@link #fromString} would refuse {@code s} as an {@code h x w} mask, with the same
     * message, or null: the same decoding without keeping the runs (a check of every detection's
     * mask that makes none).
     *
     * @param s the compressed counts
     * @param h mask height in pixels
     * @param w mask width in pixels
     * @return the one-line reason, or null when {@code fromString(s, h, w)} returns a mask
     */
    public static String fromStringProblem(String s, int h, int w) {
        byte[] chars = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        return fromBytesProblem(chars, 0, chars.length, h, w);
    }

    /**
     * {@link #fromStringProblem} of the string held in {@code chars[from..to)} (see {@link #fromBytes}).
     *
     * @param chars the bytes holding the {@code counts} string
     * @param from the index of its first character
     * @param to the index after its last
     * @param h mask height in pixels
     * @param w mask width in pixels
     * @return the one-line reason, or null when {@code fromBytes(chars, from, to, h, w)} returns a mask
     */
    public static String fromBytesProblem(byte[] chars, int from, int to, int h, int w) {
        try {
            return Rle.problem(h, w, Decoder.of(chars, from, to).sum);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * Decodes compressed counts ({@code rleFrString}) into this thread's buffer as the position
     * where each run ends (its runs' sum so far), with the sum of all runs (the caller checks it
     * against the size before reading the ends, which overflow past an int only then) and the
     * foreground's area. No branch per number on what is made of it: the runs are the differences,
     * and the foreground intervals the ends themselves.
     */
    private static final class Decoder {
        private static final ThreadLocal<Decoder> MINE = ThreadLocal.withInitial(Decoder::new);
        /** [m]: where run m ends. */
        int[] ends = new int[1024];
        /** The runs decoded. */
        int n;
        long sum;
        long area;

        /** This thread's decoder, having decoded {@code chars[from..to)}; valid until this thread decodes again. */
        static Decoder of(byte[] chars, int from, int to) {
            Decoder d = MINE.get();
            if (d.ends.length < to - from) { // n characters hold at most n numbers
                d.ends = new int[Math.max(to - from, 2 * d.ends.length)];
            }
            d.decode(chars, from, to);
            return d;
        }

        private void decode(byte[] chars, int from, int to) {
            int[] e = ends;
            int m = 0;
            int p = from;
            long pos = 0;
            long fg = 0;
            long prev2 = 0; // runs m - 2 and m - 1: from the fourth (m > 2, as maskApi.c) each number is a difference to run m - 2
            long prev1 = 0;
            while (p < to) {
                int c = chars[p] - 48;
                p++;
                long x;
                if ((c & ~0x1f) == 0) { // one character (most numbers): 5 bits, the 5th its sign
                    x = c << 27 >> 27;
                } else {
                    if (c >>> 6 != 0) {
                        throw outside(p - 1 - from);
                    }
                    x = c & 0x1f;
                    int digits = 1;
                    while (true) {
                        if (p >= to) {
                            throw new IllegalArgumentException("compressed RLE ends inside a number");
                        }
                        c = chars[p] - 48;
                        if (c >>> 6 != 0) {
                            throw outside(p - from);
                        }
                        if (digits == 7) {
                            throw new IllegalArgumentException("compressed RLE has a number longer than 7 characters at offset " + (p - from));
                        }
                        x |= (long) (c & 0x1f) << (5 * digits);
                        p++;
                        digits++;
                        if ((c & 0x20) == 0) {
                            if ((c & 0x10) != 0) {
                                x |= -1L << (5 * digits);
                            }
                            break;
                        }
                    }
                }
                if (m > 2) {
                    x += prev2;
                }
                if (x >>> 31 != 0) { // negative, or past an int
                    throw new IllegalArgumentException("compressed RLE decodes to a run of " + x + " pixels");
                }
                pos += x;
                e[m] = (int) pos;
                fg += (m & 1) * x; // odd runs are foreground
                m++;
                prev2 = prev1;
                prev1 = x;
            }
            n = m;
            sum = pos;
            area = fg;
        }
    }

    private static IllegalArgumentException outside(int offset) {
        return new IllegalArgumentException("compressed RLE has a character outside '0'..'o' at offset " + offset);
    }

    /**
     * Box IoU ({@code bbIou}): boxes [x, y, w, h], no +1, not clipped; for a crowd GT the union
     * is the detection's area. Returns {@code [dt][gt]}.
     *
     * @param dt detection boxes, each {@code [x, y, w, h]}
     * @param gt ground-truth boxes, each {@code [x, y, w, h]}
     * @param gtCrowd per ground-truth box, whether it is a crowd region (at least {@code gt.length} entries)
     * @return a new {@code dt.length x gt.length} matrix of IoUs in [0, 1]; 0 where boxes do not overlap
     */
    public static double[][] bboxIou(double[][] dt, double[][] gt, boolean[] gtCrowd) {
        double[][] o = new double[dt.length][gt.length];
        for (int g = 0; g < gt.length; g++) {
            double[] gb = gt[g];
            double ga = gb[2] * gb[3];
            for (int d = 0; d < dt.length; d++) {
                o[d][g] = boxIou(dt[d], gb, ga, gtCrowd[g]);
            }
        }
        return o;
    }

    static double boxIou(double[] db, double[] gb, double ga, boolean crowd) {
        return boxIou(db, 0, gb, ga, crowd);
    }

    /**
     * pycocotools' IoU of the box {@code [x, y, w, h]} stored at {@code boxes[at..at + 3]} with
     * {@code gb} (area {@code ga}); a crowd's union is the detection's area.
     *
     * @param boxes detection boxes packed 4 numbers each (as {@link org.resvision.data.coco.CocoResults}
     *     stores them)
     * @param at the index of the detection's {@code x} in {@code boxes}
     * @param gb the ground-truth box {@code [x, y, w, h]}
     * @param ga the ground-truth box's area, {@code gb[2] * gb[3]} (passed in to be computed once)
     * @param crowd whether the ground truth is a crowd region
     * @return the IoU (intersection over detection area for a crowd), in [0, 1]; 0 when the boxes do not
     *     overlap, which includes every box without positive width or height
     */
    public static double boxIou(double[] boxes, int at, double[] gb, double ga, boolean crowd) {
        double da = boxes[at + 2] * boxes[at + 3];
        double w = Math.min(boxes[at + 2] + boxes[at], gb[2] + gb[0]) - Math.max(boxes[at], gb[0]);
        if (w <= 0) {
            return 0;
        }
        double h = Math.min(boxes[at + 3] + boxes[at + 1], gb[3] + gb[1]) - Math.max(boxes[at + 1], gb[1]);
        if (h <= 0) {
            return 0;
        }
        double i = w * h;
        double u = crowd ? da : da + ga - i;
        return i / u;
    }

    /**
     * Mask IoU ({@code rleIou}): maskApi.c computes it only where the boxes from {@link #toBbox}
     * overlap, which saves work only (masks whose boxes are apart share no pixel: 0 either way), so
     * masks of one size are compared directly ({@link MaskRuns#iou}); crowd GT use the detection's
     * area as the union; masks of different sizes give -1 where their boxes overlap.
     * Returns {@code [dt][gt]}.
     *
     * @param dt detection masks
     * @param gt ground-truth masks
     * @param gtCrowd per ground-truth mask, whether it is a crowd region (at least {@code gt.length} entries)
     * @return a new {@code dt.length x gt.length} matrix: IoUs in [0, 1], 0 where the boxes do not overlap,
     *     -1 for a pair of masks of different sizes whose boxes overlap
     */
    public static double[][] rleIou(Rle[] dt, Rle[] gt, boolean[] gtCrowd) {
        MaskRuns[] dr = new MaskRuns[dt.length];
        for (int d = 0; d < dt.length; d++) {
            dr[d] = MaskRuns.of(dt[d]);
        }
        MaskRuns[] gr = new MaskRuns[gt.length];
        for (int g = 0; g < gt.length; g++) {
            gr[g] = MaskRuns.of(gt[g]);
        }
        double[][] o = new double[dt.length][gt.length];
        for (int g = 0; g < gt.length; g++) {
            for (int d = 0; d < dt.length; d++) {
                if (dt[d].h() == gt[g].h() && dt[d].w() == gt[g].w()) {
                    o[d][g] = dr[d].iou(gr[g], gtCrowd[g]); // 0 for masks whose boxes are apart, as the box test gives
                } else {
                    double[] gb = toBbox(gt[g]);
                    o[d][g] = boxIou(toBbox(dt[d]), gb, gb[2] * gb[3], gtCrowd[g]) > 0 ? -1 : 0;
                }
            }
        }
        return o;
    }

    /**
     * {@link #fromBytes} as the runs an IoU reads ({@link MaskRuns#of}), without making the mask:
     * the same checks and messages.
     *
     * @param chars the bytes holding the {@code counts} string
     * @param from the index of its first character
     * @param to the index after its last
     * @param h mask height in pixels (the RLE's {@code size[0]})
     * @param w mask width in pixels (the RLE's {@code size[1]})
     * @return the mask's foreground intervals and area
     * @throws IllegalArgumentException with a one-line reason when the string is malformed
     */
    public static MaskRuns runsFromBytes(byte[] chars, int from, int to, int h, int w) {
        Decoder dec = Decoder.of(chars, from, to);
        String problem = Rle.problem(h, w, dec.sum);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        // run j ends where run j + 1 starts: the ends of runs 0, 1, 2, ... are the foreground
        // intervals [start, end), [start, end), ... (empty ones included)
        return new MaskRuns(h, w, Arrays.copyOf(dec.ends, dec.n / 2 * 2), dec.area);
    }

    /**
     * The pixels two masks of the same size share in positions {@code [from, to)} (runs alternate
     * background, foreground, ... from the first).
     *
     * @param a one mask's runs
     * @param b the other's (summing to the same total)
     * @param from the first position counted
     * @param to the position after the last counted
     * @return the number of pixels in both, within {@code [from, to)}
     */
    static long intersection(int[] a, int[] b, long from, long to) {
        long total = 0;
        for (int c : a) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        int h = (int) total; // one column: only the positions matter
        return MaskRuns.of(new Rle(h, 1, a)).intersection(MaskRuns.of(new Rle(h, 1, b)), from, to);
    }
}
