package org.resvision.eval.coco;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.resvision.eval.coco.CocoMatching.CellRecord;

/**
 * {@code COCOeval.accumulate} of one {@link CocoMatching}'s cell records, per category: by
 * sorting (pycocotools' way, the reference) or by walking an order sorted once ({@link Walk}),
 * over images counted once or as often as a resample draws them. Holds no state of its own
 * beyond the matching's arrays; thread-safe (per-thread scratch buffers).
 */
final class Accumulation {

    private static final double EPS = CocoMatching.EPS;
    private static final byte TRUTHY = CocoMatching.TRUTHY;
    private static final byte IGNORED = CocoMatching.IGNORED;

    private final CocoEvalParams p;
    private final CellRecord[] records;
    private final int I;
    private final int K;
    private final int A;
    private final int T;

    Accumulation(CocoMatching m) {
        p = m.p;
        records = m.records;
        I = m.I;
        K = m.K;
        A = m.A;
        T = m.T;
    }

    /**
     * {@code COCOeval.accumulate} for category {@code k} over the weighted images, by walking the
     * category's precomputed score order ({@link Walk}) once instead of concatenating and sorting
     * the records for every maxDet. Equal, bit for bit, to {@link #accumulateCategoryBySorting}:
     * <ul>
     *   <li>order: the stable sort of the concatenation (images ascending, each image's copies
     *   next to each other, each record's first maxDet detections) is the order by (score
     *   descending, image, copy, position). The walk holds the order by (score, image, position)
     *   and repeats each block of equal score and image once per copy; a smaller maxDet keeps the
     *   detections whose position is below it, in the same order;
     *   <li>counts: at every moment {@code fp = seen - tp - ignored}, all integers, so only true
     *   positives and ignored detections are counted one by one;
     *   <li>precision: {@code pr} only changes at counted detections, a false positive never raises
     *   it (the denominator grows) and an ignored one repeats it, so the envelope at the position
     *   where the TP count first reaches {@code c} is the maximum of {@code pr} at the moments the
     *   TP count reaches {@code c, c+1, ...}; each is computed with numpy's expression
     *   {@code tp / (fp + tp + eps)} from the same integers.
     * </ul>
     */
    void accumulateCategory(int k, Walk walk, int[] weights, double[] precision, double[] recall, int R, int M) {
        int J = walk.cellImages.length;
        int[] npig = new int[A];
        boolean any = false;
        for (int j = 0; j < J; j++) {
            int w = weights == null ? 1 : weights[walk.cellImages[j]];
            if (w > 0) {
                any = true;
                for (int a = 0; a < A; a++) {
                    npig[a] += w * walk.npig[a * J + j];
                }
            }
        }
        if (!any) {
            return;
        }
        Scratch s = SCRATCH.get().start(M * A * T, M, A, T, npig, p.recallThresholds());
        long[] tpMask = walk.tpMask;
        long[] ignoredMask = walk.ignoredMask;
        int[] image = walk.image;
        byte[] firstMaxDet = walk.firstMaxDet;
        int[] md = p.maxDets();
        int[] blocks = walk.blockStarts;
        int B = blocks.length - 1;
        for (int b = 0; b < B; b++) {
            int from = blocks[b];
            int to = blocks[b + 1];
            int w = weights == null ? 1 : weights[image[from]];
            for (int copy = 0; copy < w; copy++) {
                for (int x = from; x < to; x++) {
                    s.count(firstMaxDet[x], tpMask, ignoredMask, x * A, A, T, M);
                }
            }
        }
        int[] total = new int[M]; // detections in the concatenation, ignored ones included
        for (int j = 0; j < J; j++) {
            int w = weights == null ? 1 : weights[walk.cellImages[j]];
            for (int mi = 0; mi < M; mi++) {
                total[mi] += w * Math.min(md[mi], walk.detections[j]);
            }
        }
        finish(k, npig, total, s, precision, recall, R, M);
    }

    /**
     * {@code COCOeval.accumulate} for category {@code k} of one evaluation (every image once), as
     * {@link #accumulateCategory} computes it (the same counts, moments and envelope, so the same
     * numbers bit for bit), without a kept {@link Walk}: the records' first maxDet detections are
     * sorted once (a smaller maxDet keeps, in the same order, those whose position is below it),
     * their flags copied from the records in image order (one pass through the pool) and read in
     * score order from that copy. Needs no NaN score and at most 64 IoU
     * thresholds (the matching's {@code walkable}).
     */
    void accumulateCategoryOnce(int k, double[] precision, double[] recall, int R, int M) {
        int J = 0;
        int all = 0;
        for (int i = 0; i < I; i++) {
            CellRecord r = records[k * I + i];
            if (r != null) {
                J++;
                all += r.D;
            }
        }
        if (J == 0) {
            return;
        }
        int[] npig = new int[A];
        int[] md = p.maxDets();
        int[] total = new int[M];
        // the concatenation in image order: scores, flags and the first maxDet keeping each detection,
        // read from the records in their order (the sorted walk below then reads this, not the pool)
        Concatenation c = all <= Concatenation.KEPT ? CONCATENATION.get().ensure(all, A) : new Concatenation().ensure(all, A);
        double[] scores = c.scores;
        long[] tpMask = c.tpMask;
        long[] ignoredMask = c.ignoredMask;
        byte[] firstMaxDet = c.firstMaxDet;
        for (int i = 0, n = 0; i < I; i++) {
            CellRecord r = records[k * I + i];
            if (r == null) {
                continue;
            }
            for (int a = 0; a < A; a++) {
                npig[a] += r.npig(a);
            }
            for (int mi = 0; mi < M; mi++) {
                total[mi] += Math.min(md[mi], r.D);
            }
            r.copyScores(r.D, scores, n);
            for (int d = 0, mi = 0; d < r.D; d++, n++) {
                while (mi < M - 1 && d >= md[mi]) { // records are cut to the last maxDet
                    mi++;
                }
                firstMaxDet[n] = (byte) mi;
                r.masks(d, tpMask, ignoredMask, n * A);
            }
        }
        Scratch s = SCRATCH.get().start(M * A * T, M, A, T, npig, p.recallThresholds());
        int[] order = StableSort.descending(scores, all);
        for (int e = 0; e < all; e++) {
            int o = order[e];
            s.count(firstMaxDet[o], tpMask, ignoredMask, o * A, A, T, M);
        }
        finish(k, npig, total, s, precision, recall, R, M);
    }

    /** Precision (the envelope at the recall thresholds) and recall of category k from the counts in {@code s}. */
    private void finish(int k, int[] npig, int[] total, Scratch s, double[] precision, double[] recall, int R, int M) {
        int AT = A * T;
        int[] tp = s.tp;
        double[] best = s.best;
        for (int a = 0; a < A; a++) {
            if (npig[a] == 0) {
                continue;
            }
            for (int mi = 0; mi < M; mi++) {
                for (int t = 0; t < T; t++) {
                    int at = mi * AT + a * T + t;
                    int n = tp[at];
                    recall[((t * K + k) * A + a) * M + mi] = total[mi] > 0 ? (double) n / npig[a] : 0;
                    // the envelope at recall threshold ri: the largest pr of buckets ri + 1 .. R (see Scratch)
                    double envelope = 0;
                    for (int ri = R - 1; ri >= 0; ri--) {
                        envelope = Math.max(envelope, best[at * (R + 1) + ri + 1]);
                        precision[(((t * R + ri) * K + k) * A + a) * M + mi] = total[mi] == 0 ? 0 : envelope;
                    }
                }
            }
        }
    }

    /** Per-thread buffers of {@link #accumulateCategoryOnce}: a category's detections in image order. */
    private static final ThreadLocal<Concatenation> CONCATENATION = ThreadLocal.withInitial(Concatenation::new);

    private static final class Concatenation {
        /** Categories of up to this many detections reuse their thread's buffers (~4.6 MB a thread at most); larger ones make their own. */
        static final int KEPT = 1 << 16;

        double[] scores = new double[0];
        long[] tpMask = new long[0];
        long[] ignoredMask = new long[0];
        byte[] firstMaxDet = new byte[0];

        /** Room for {@code n} detections at {@code areas} area ranges (the contents are overwritten by each use). */
        Concatenation ensure(int n, int areas) {
            if (firstMaxDet.length < n || tpMask.length < n * areas) {
                int room = Math.max(n, Math.min(2 * firstMaxDet.length, KEPT));
                scores = new double[room];
                tpMask = new long[room * areas];
                ignoredMask = new long[room * areas];
                firstMaxDet = new byte[room];
            }
            return this;
        }
    }

    /** Per-thread buffers of {@link #accumulateCategory} and {@link #accumulateCategoryOnce}, set per category by {@code start}. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * The counts of one category's walk, per counter (maxDet mi, area a, threshold t) and, instead
     * of pr at every TP count (an array as long as the ground truth), its envelope's ingredients:
     * COCOeval's precision at recall threshold ri is the largest {@code pr(c)} over the TP counts
     * {@code c >= max(need[ri], 1)} reached, where {@code need[ri]} (numpy's searchsorted of the
     * recall thresholds in {@code c / npig}) rises with ri. Bucket {@code b(c)}, the number of
     * thresholds with {@code need <= c}, rises with c one step at a time, so each pr goes into the
     * maximum of its bucket ({@code best}) as it comes, and the precision at ri is the largest
     * bucket maximum above ri: the same numbers, each pr computed once with numpy's expression.
     */
    private static final class Scratch {
        int[] tp = new int[0];
        int[] ignoredAt = new int[0];
        int[] ignoredAll = new int[0];
        int[] seen = new int[0];
        /** [counter]: b(c) at the counter's TP count c. */
        int[] bucket = new int[0];
        /** [counter * (R + 1) + b]: the largest pr taken in bucket b. */
        double[] best = new double[0];
        /** [a * R + ri]: need[ri] at area a (Integer.MAX_VALUE where the area has no ground truth). */
        int[] need = new int[0];
        int R;

        /**
         * Zeroed counts for {@code counters} counters (maxDets, then areas, then thresholds), the
         * category's non-ignored ground truth {@code npig[a]} and the recall thresholds.
         */
        Scratch start(int counters, int maxDets, int areas, int thresholds, int[] npig, double[] recThrs) {
            R = recThrs.length;
            if (tp.length < counters) {
                tp = new int[counters];
                ignoredAt = new int[counters];
                bucket = new int[counters];
            } else {
                Arrays.fill(tp, 0, counters, 0);
                Arrays.fill(ignoredAt, 0, counters, 0);
            }
            if (best.length < counters * (R + 1)) { // (another evaluation's parameters may have more recall thresholds)
                best = new double[counters * (R + 1)];
            } else {
                Arrays.fill(best, 0, counters * (R + 1), 0);
            }
            if (ignoredAll.length < maxDets * areas) {
                ignoredAll = new int[maxDets * areas];
            } else {
                Arrays.fill(ignoredAll, 0, maxDets * areas, 0);
            }
            if (seen.length < maxDets) {
                seen = new int[maxDets];
            } else {
                Arrays.fill(seen, 0, maxDets, 0);
            }
            if (need.length < areas * R) {
                need = new int[areas * R];
            }
            for (int a = 0; a < areas; a++) {
                // searchsorted(rc, recThrs, 'left') with rc = tp / npig (the same double division numpy does)
                int c = 0;
                for (int ri = 0; ri < R; ri++) {
                    if (npig[a] == 0) {
                        need[a * R + ri] = Integer.MAX_VALUE;
                        continue;
                    }
                    while ((double) c / npig[a] < recThrs[ri]) {
                        c++;
                    }
                    need[a * R + ri] = c;
                }
                int b0 = 0; // b(0)
                while (b0 < R && need[a * R + b0] <= 0) {
                    b0++;
                }
                for (int mi = 0; mi < maxDets; mi++) {
                    Arrays.fill(bucket, (mi * areas + a) * thresholds, (mi * areas + a + 1) * thresholds, b0);
                }
            }
            return this;
        }

        /**
         * Counts one detection in score order, kept from maxDet index {@code mi0} on, with its
         * true-positive and ignored bits per IoU threshold at area a in {@code tpMask[at + a]} and
         * {@code ignoredMask[at + a]}: at every moment {@code fp = seen - tp - ignored}, so only
         * true positives and ignored detections are counted one by one, and {@code pr} is taken
         * when the TP count rises (into its bucket's maximum).
         */
        void count(int mi0, long[] tpMask, long[] ignoredMask, int at, int A, int T, int M) {
            long allT = T == 64 ? -1L : (1L << T) - 1;
            int AT = A * T;
            int R1 = R + 1;
            for (int mi = mi0; mi < M; mi++) {
                seen[mi]++;
            }
            for (int a = 0, xa = at; a < A; a++, xa++) {
                long ig = ignoredMask[xa];
                long tps = tpMask[xa];
                int needAt = a * R;
                for (int mi = mi0; mi < M; mi++) {
                    if (ig == allT) {
                        ignoredAll[mi * A + a]++;
                        continue;
                    }
                    int at0 = mi * AT + a * T;
                    // bit by bit from threshold 0 (the quick compiler makes numberOfTrailingZeros a call;
                    // a detection is mostly a true positive from the lowest threshold up to some)
                    int x = at0;
                    for (long bits = ig; bits != 0; bits >>>= 1, x++) {
                        if ((bits & 1) != 0) {
                            ignoredAt[x]++;
                        }
                    }
                    int countable = seen[mi] - ignoredAll[mi * A + a]; // seen, less those ignored at every t
                    x = at0 - 1;
                    for (long bits = tps; bits != 0; bits >>>= 1) {
                        x++;
                        if ((bits & 1) == 0) {
                            continue;
                        }
                        int c = ++tp[x];
                        int fp = countable - c - ignoredAt[x];
                        double pr = (double) c / ((double) fp + (double) c + EPS); // numpy's tp / (fp + tp + eps)
                        int b = bucket[x];
                        while (b < R && need[needAt + b] <= c) {
                            b++;
                        }
                        bucket[x] = b;
                        if (pr > best[x * R1 + b]) {
                            best[x * R1 + b] = pr;
                        }
                    }
                }
            }
        }
    }


    /** Category {@code k}'s detections (every record's, cut to maxDet) in the order the accumulation walks. */
    Walk walk(int k) {
        int J = 0;
        for (int i = 0; i < I; i++) {
            if (records[k * I + i] != null) {
                J++;
            }
        }
        int[] cellImages = new int[J];
        int[] detections = new int[J];
        int[] npig = new int[A * J];
        int total = 0;
        for (int i = 0, j = 0; i < I; i++) {
            CellRecord r = records[k * I + i];
            if (r != null) {
                cellImages[j] = i;
                detections[j] = r.D;
                for (int a = 0; a < A; a++) {
                    npig[a * J + j] = r.npig(a);
                }
                total += r.D;
                j++;
            }
        }
        // the concatenation in image order, stably sorted by descending score
        double[] scores = new double[total];
        int[] imageOf = new int[total];
        int[] positionOf = new int[total];
        int n = 0;
        for (int j = 0; j < J; j++) {
            CellRecord r = records[k * I + cellImages[j]];
            for (int d = 0; d < r.D; d++) {
                scores[n] = r.score(d);
                imageOf[n] = cellImages[j];
                positionOf[n] = d;
                n++;
            }
        }
        int[] order = StableSort.descending(scores);
        int[] image = new int[total];
        byte[] firstMaxDet = new byte[total];
        long[] tpMask = new long[total * A];
        long[] ignoredMask = new long[total * A];
        int[] starts = new int[total + 1];
        int B = 0;
        for (int e = 0; e < total; e++) {
            int o = order[e];
            image[e] = imageOf[o];
            int position = positionOf[o];
            int mi = 0; // the first maxDet keeping it (records are cut to the last)
            while (mi < p.maxDets().length - 1 && position >= p.maxDets()[mi]) {
                mi++;
            }
            firstMaxDet[e] = (byte) mi;
            records[k * I + image[e]].masks(position, tpMask, ignoredMask, e * A);
            if (e == 0 || image[e] != image[e - 1] || CocoMatching.descending(scores[o], scores[order[e - 1]]) != 0) {
                starts[B++] = e;
            }
        }
        starts[B] = total;
        return new Walk(cellImages, detections, npig, image, firstMaxDet, tpMask, ignoredMask, Arrays.copyOf(starts, B + 1));
    }

    /**
     * The direct transcription of {@code COCOeval.accumulate} for one category: concatenate the
     * (weighted) records in image order, stable-sort by score, cumulative sums, envelope. Used by a
     * single evaluation (before any weighted one made the walk) and where the walk does not apply
     * (a NaN score, more than 64 IoU thresholds); the reference {@link #accumulateCategory} is
     * tested against.
     */
    void accumulateCategoryBySorting(int k, int[] weights, double[] precision, double[] recall, int R, int M) {
        List<CellRecord> recs = new ArrayList<>();
        for (int i = 0; i < I; i++) {
            CellRecord r = records[k * I + i];
            for (int copy = weights == null ? 1 : weights[i]; r != null && copy > 0; copy--) {
                recs.add(r);
            }
        }
        if (recs.isEmpty()) {
            return;
        }
        double[] recThrs = p.recallThresholds();
        for (int mi = 0; mi < M; mi++) {
            int md = p.maxDets()[mi];
            int total = 0;
            for (CellRecord r : recs) {
                total += Math.min(md, r.D);
            }
            // concatenation in image order, then a stable sort by descending score
            double[] scores = new double[total];
            int[] recOf = new int[total];
            int[] starts = new int[recs.size()];
            int n = 0;
            for (int ri = 0; ri < recs.size(); ri++) {
                CellRecord r = recs.get(ri);
                int keep = Math.min(md, r.D);
                starts[ri] = n;
                r.copyScores(keep, scores, n);
                java.util.Arrays.fill(recOf, n, n + keep, ri);
                n += keep;
            }
            int[] order = StableSort.descending(scores);
            int[] owner = new int[total];
            int[] pos = new int[total]; // position of each sorted detection inside its record
            for (int j = 0; j < total; j++) {
                owner[j] = recOf[order[j]];
                pos[j] = order[j] - starts[owner[j]];
            }
            // the flags of the detections in score order, gathered once: [j][a][t]
            int AT = A * T;
            byte[] sorted = new byte[total * AT];
            for (int j = 0; j < total; j++) {
                CellRecord rj = recs.get(owner[j]);
                for (int a = 0; a < A; a++) {
                    for (int t = 0; t < T; t++) {
                        sorted[j * AT + a * T + t] = rj.flag(a, pos[j], t);
                    }
                }
            }
            int[][] firstReach = new int[T][]; // [t][c]: first position where the TP count reaches c
            double[][] pr = new double[T][total];
            long[] tp = new long[T];
            long[] fp = new long[T];
            for (int a = 0; a < A; a++) {
                int npig = 0;
                for (CellRecord r : recs) {
                    npig += r.npig(a);
                }
                if (npig == 0) {
                    continue;
                }
                // searchsorted(rc, recThrs, 'left') with rc = tp / npig: the first position whose
                // TP count c satisfies c / npig >= thr (the same double division numpy does)
                int[] need = new int[R];
                int c = 0;
                for (int ri = 0; ri < R; ri++) {
                    while ((double) c / npig < recThrs[ri]) {
                        c++;
                    }
                    need[ri] = c;
                }
                for (int t = 0; t < T; t++) {
                    if (firstReach[t] == null || firstReach[t].length < npig + 1) {
                        firstReach[t] = new int[npig + 1];
                    }
                    firstReach[t][0] = 0;
                }
                java.util.Arrays.fill(tp, 0);
                java.util.Arrays.fill(fp, 0);
                // one pass over the detections in score order, every IoU threshold at once
                for (int j = 0; j < total; j++) {
                    int off = j * AT + a * T;
                    for (int t = 0; t < T; t++) {
                        byte fj = sorted[off + t];
                        if ((fj & IGNORED) == 0) {
                            if ((fj & TRUTHY) != 0) {
                                tp[t]++;
                                firstReach[t][(int) tp[t]] = j;
                            } else {
                                fp[t]++;
                            }
                        }
                        pr[t][j] = (double) tp[t] / ((double) fp[t] + (double) tp[t] + EPS);
                    }
                }
                for (int t = 0; t < T; t++) {
                    double[] prt = pr[t];
                    int base = ((t * K + k) * A + a) * M + mi;
                    recall[base] = total > 0 ? (double) tp[t] / npig : 0;
                    for (int j = total - 1; j > 0; j--) {
                        if (prt[j] > prt[j - 1]) {
                            prt[j - 1] = prt[j];
                        }
                    }
                    for (int ri = 0; ri < R; ri++) {
                        int j = need[ri] <= tp[t] ? firstReach[t][need[ri]] : total;
                        int idx = (((t * R + ri) * K + k) * A + a) * M + mi;
                        precision[idx] = j < total ? prt[j] : 0;
                    }
                }
            }
        }
    }


    /**
     * One category's detections (every record's, cut to maxDet) sorted as the accumulation of the
     * unweighted records sorts them, with what a weighted accumulation needs to repeat them.
     */
    static final class Walk {
        /** Image indices that have a record in this category, ascending. */
        final int[] cellImages;
        /** [j]: detections in the record of cellImages[j]. */
        final int[] detections;
        /** [a * J + j]: non-ignored GT of cellImages[j] at area range a. */
        final int[] npig;
        /** [e]: image index of the e-th detection in order (score descending, image, position). */
        final int[] image;
        /** [e]: the index of the first maxDets value that keeps it (its rank in its image and category is below it). */
        final byte[] firstMaxDet;
        /** [e * A + a]: bit t set where it is a true positive at IoU threshold t, area range a. */
        final long[] tpMask;
        /** [e * A + a]: bit t set where it is ignored (neither true nor false positive). */
        final long[] ignoredMask;
        /** Starts of the blocks of equal score and image, then the count. */
        final int[] blockStarts;

        Walk(int[] cellImages, int[] detections, int[] npig, int[] image, byte[] firstMaxDet, long[] tpMask, long[] ignoredMask,
                int[] blockStarts) {
            this.cellImages = cellImages;
            this.detections = detections;
            this.npig = npig;
            this.image = image;
            this.firstMaxDet = firstMaxDet;
            this.tpMask = tpMask;
            this.ignoredMask = ignoredMask;
            this.blockStarts = blockStarts;
        }
    }
}
