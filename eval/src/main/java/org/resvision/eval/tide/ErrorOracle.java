package org.resvision.eval.tide;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.resvision.eval.coco.StableSort;

/**
 * tidecv's {@code TIDERun.fix_errors} and {@code ClassedAPDataObject.get_mAP}: the mAP of the
 * detections as they are, and after an oracle fixes one error type (or all false positives, or
 * all false negatives).
 *
 * <p>Order matters on score ties, as in tidecv: as they are, detections rank by score, then push
 * order ({@code seq}); after a fix, tidecv re-pushes the error detections before the true
 * positives, so ties rank errors (fixed or not) first. The mAP averages, in tidecv's class order
 * (its dict order, which only changes the last bits), every class with a detection or a GT: a
 * class with detections but no GT counts as 0. Each class's candidates are sorted once; each
 * variant is one linear walk. Immutable after construction; {@link #mAp} is thread-safe.
 */
final class ErrorOracle {

    /** One way of presenting the detections to AP. */
    enum Variant {
        AS_IS(-1),
        FIX_CLS(TideError.CLS.ordinal()),
        FIX_LOC(TideError.LOC.ordinal()),
        FIX_BOTH(TideError.BOTH.ordinal()),
        FIX_DUPE(TideError.DUPE.ordinal()),
        FIX_BKG(TideError.BKG.ordinal()),
        FIX_MISS(-1),
        FALSE_POS(-1),
        FALSE_NEG(-1);

        final int fixes;

        Variant(int fixes) {
            this.fixes = fixes;
        }

        /** The variant that fixes {@code e}. */
        static Variant fixing(TideError e) {
            return values()[1 + e.ordinal()];
        }
    }

    /** The detection errors: CLS, LOC, BOTH, DUPE, BKG. */
    private static final int ERROR_KINDS = 5;

    /** A true positive: present in every variant, true. */
    private static final int KIND_TP = 0;
    /** A false positive that its fix removes: present (false) unless its error type is fixed. */
    private static final int KIND_FP = 1;
    /** A false positive that its fix turns into a true positive in the same class: present, true when fixed. */
    private static final int KIND_FP_FIXED_HERE = 2;
    /** The place a fix moves a detection to (another class, or out of a crowd region): present, true, only when fixed. */
    private static final int KIND_FIX_TARGET = 3;

    private final Outcomes o;
    private final int nCls;
    private final int[] npos;
    private final int[] missed;
    private final int[] unmatched;
    private final int[] candStart;
    private final int[] cand;
    /** Per sorted candidate: its {@link #kind} and error, as {@code kind << 3 | error}. */
    private final byte[] candCode;
    /** Per sorted candidate: its score differs from the previous one's (a new tie group starts). */
    private final boolean[] candHead;
    private final int[] baseOrder;
    private final int[] firstFp;
    private final int[] firstFixed;

    ErrorOracle(TideInput in, Outcomes o) {
        this.o = o;
        nCls = in.classCount();
        npos = new int[nCls];
        missed = new int[nCls];
        unmatched = new int[nCls];
        for (int g = 0; g < in.gCls.length; g++) {
            int c = in.gCls[g];
            npos[c]++;
            if (!o.gtUsed[g]) {
                unmatched[c]++;
            }
            if (o.gtMissed[g]) {
                missed[c]++;
            }
        }
        int n = o.detectionCount();
        candStart = new int[nCls + 1];
        for (int p = 0; p < n; p++) {
            int a = ownClass(p);
            int b = fixedClass(p);
            if (a >= 0) {
                candStart[a + 1]++;
            }
            if (b >= 0) {
                candStart[b + 1]++;
            }
        }
        for (int c = 0; c < nCls; c++) {
            candStart[c + 1] += candStart[c];
        }
        cand = new int[candStart[nCls]];
        int[] fill = Arrays.copyOf(candStart, nCls);
        for (int p = 0; p < n; p++) {
            int a = ownClass(p);
            int b = fixedClass(p);
            if (a >= 0) {
                cand[fill[a]++] = p;
            }
            if (b >= 0) {
                cand[fill[b]++] = p;
            }
        }
        candCode = new byte[cand.length];
        candHead = new boolean[cand.length];
        IntStream.range(0, nCls).parallel().forEach(this::sortCandidates);
        baseOrder = baseClassOrder(in);
        firstFp = new int[nCls * ERROR_KINDS];
        firstFixed = new int[nCls * ERROR_KINDS];
        firstErrors();
    }

    /** The class a detection sits in as it is, or -1 when ignored. */
    private int ownClass(int p) {
        return o.state[p] == Outcomes.IGNORED ? -1 : o.cls[p];
    }

    /** The class its fix moves it to, when that is another list than {@link #ownClass}; else -1. */
    private int fixedClass(int p) {
        return o.fixTp[p] && o.fixClass[p] != ownClass(p) ? o.fixClass[p] : -1;
    }

    /** Candidates of class c by descending score, ties in seq order (stable on seq-ordered input). */
    private void sortCandidates(int c) {
        int from = candStart[c];
        int len = candStart[c + 1] - from;
        double[] s = new double[len];
        for (int q = 0; q < len; q++) {
            s[q] = o.score[cand[from + q]];
        }
        int[] order = StableSort.descending(s);
        int[] sorted = new int[len];
        for (int q = 0; q < len; q++) {
            sorted[q] = cand[from + order[q]];
        }
        System.arraycopy(sorted, 0, cand, from, len);
        for (int q = from; q < from + len; q++) {
            int p = cand[q];
            candHead[q] = q == from || o.score[p] != o.score[cand[q - 1]];
            candCode[q] = (byte) (kind(p, c) << 3 | (o.error[p] & 7));
        }
    }

    /** How candidate p of class c behaves across variants. */
    private int kind(int p, int c) {
        if (o.state[p] == Outcomes.TP) {
            return KIND_TP;
        }
        if (ownClass(p) != c) {
            return KIND_FIX_TARGET;
        }
        return o.fixTp[p] && o.fixClass[p] == c ? KIND_FP_FIXED_HERE : KIND_FP;
    }

    /** tidecv's first-touch order of classes as it fills its AP data: per image, GT classes then pushed detections. */
    private int[] baseClassOrder(TideInput in) {
        boolean[] seen = new boolean[nCls];
        int[] order = new int[nCls];
        int k = 0;
        for (int i = 0; i < in.imageCount(); i++) {
            for (int g = in.gStart[i]; g < in.gStart[i + 1]; g++) {
                int c = in.gCls[g];
                if (!seen[c]) {
                    seen[c] = true;
                    order[k++] = c;
                }
            }
            for (int p = o.keptStart[i]; p < o.keptStart[i + 1]; p++) {
                int c = ownClass(p);
                if (c >= 0 && !seen[c]) {
                    seen[c] = true;
                    order[k++] = c;
                }
            }
        }
        return Arrays.copyOf(order, k);
    }

    private int positives(int c, Variant v) {
        return switch (v) {
            case FIX_MISS -> npos[c] - missed[c];
            case FALSE_NEG -> npos[c] - unmatched[c];
            default -> npos[c];
        };
    }

    /** The mAP tidecv reports for variant {@code v}; NaN when no class is left to average (tidecv divides by zero). */
    double mAp(Variant v) {
        double[] aps = new double[nCls];
        IntStream.range(0, nCls).parallel().forEach(c -> aps[c] = classAp(c, v));
        double sum = 0;
        int count = 0;
        for (int c : classOrder(v)) {
            if (!Double.isNaN(aps[c])) {
                sum += aps[c];
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** AP of class c under v, or NaN when the class is empty there (no detection, no GT). */
    private double classAp(int c, Variant v) {
        int from = candStart[c];
        int to = candStart[c + 1];
        boolean[] seq = new boolean[to - from];
        int n = 0;
        int fixes = v.fixes;
        if (v == Variant.AS_IS || v == Variant.FALSE_POS) {
            int tp = 0;
            for (int q = from; q < to; q++) {
                int code = candCode[q];
                int kind = code >> 3;
                if (kind != KIND_FIX_TARGET) {
                    boolean t = kind == KIND_TP;
                    seq[n++] = t;
                    tp += t ? 1 : 0;
                }
            }
            if (v == Variant.FALSE_POS) { // true positives scored 1, false positives 0
                Arrays.fill(seq, 0, tp, true);
                Arrays.fill(seq, tp, n, false);
            }
        } else {
            for (int q = from; q < to; ) {
                int end = q + 1;
                while (end < to && !candHead[end]) {
                    end++;
                }
                boolean anyTp = false;
                for (int r = q; r < end; r++) { // re-pushed errors rank before true positives on ties
                    int code = candCode[r];
                    int kind = code >> 3;
                    boolean fixed = (code & 7) == fixes;
                    switch (kind) {
                        case KIND_TP -> anyTp = true;
                        case KIND_FP -> {
                            if (!fixed) {
                                seq[n++] = false;
                            }
                        }
                        case KIND_FP_FIXED_HERE -> seq[n++] = fixed;
                        default -> {
                            if (fixed) {
                                seq[n++] = true;
                            }
                        }
                    }
                }
                if (anyTp) {
                    for (int r = q; r < end; r++) {
                        if (candCode[r] >> 3 == KIND_TP) {
                            seq[n++] = true;
                        }
                    }
                }
                q = end;
            }
        }
        int pos = positives(c, v);
        if (n == 0 && pos == 0) {
            return Double.NaN;
        }
        return TideAp.ap(seq, n, pos, new double[n], new double[n]);
    }

    /**
     * tidecv's class order for v: as is, the first-touch order; after a fix, first the classes of
     * the re-pushed errors (by the seq of their first one), then the rest in first-touch order.
     */
    private int[] classOrder(Variant v) {
        if (v == Variant.AS_IS) {
            return baseOrder;
        }
        long[] key = new long[nCls]; // first re-pushed seq << 32 | class, or MAX_VALUE
        int E = v.fixes;
        for (int c = 0; c < nCls; c++) {
            int first = Integer.MAX_VALUE;
            for (int e = 0; e < ERROR_KINDS; e++) {
                first = Math.min(first, e == E ? firstFixed[c * ERROR_KINDS + e] : firstFp[c * ERROR_KINDS + e]);
            }
            key[c] = first == Integer.MAX_VALUE ? Long.MAX_VALUE : (long) first << 32 | c;
        }
        long[] sorted = key.clone();
        Arrays.sort(sorted);
        boolean[] seen = new boolean[nCls];
        int[] order = new int[nCls];
        int k = 0;
        for (long x : sorted) {
            if (x != Long.MAX_VALUE) {
                int c = (int) (x & 0xffffffffL);
                seen[c] = true;
                order[k++] = c;
            }
        }
        for (int c : baseOrder) {
            if (!seen[c]) {
                seen[c] = true;
                order[k++] = c;
            }
        }
        return Arrays.copyOf(order, k);
    }

    /** Per (class, error): the first seq of a false positive of that class and error, and of a fix into that class. */
    private void firstErrors() {
        Arrays.fill(firstFp, Integer.MAX_VALUE);
        Arrays.fill(firstFixed, Integer.MAX_VALUE);
        for (int p = o.detectionCount() - 1; p >= 0; p--) {
            int e = o.error[p];
            if (e < 0) {
                continue;
            }
            if (o.state[p] == Outcomes.FP) {
                firstFp[o.cls[p] * ERROR_KINDS + e] = p;
            }
            if (o.fixTp[p]) {
                firstFixed[o.fixClass[p] * ERROR_KINDS + e] = p;
            }
        }
    }
}
