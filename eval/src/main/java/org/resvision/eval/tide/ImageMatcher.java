package org.resvision.eval.tide;

import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.MaskRuns;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.StableSort;

/**
 * tidecv's {@code TIDEExample} and the error tests of {@code TIDERun._eval_image} for one image:
 * class-agnostic IoUs, greedy matching in score order (each detection takes the unused GT of its
 * class with the highest IoU, first on ties, if {@code >= pos}), crowd regions of its class with
 * crowd-IoU {@code > pos} ignoring unmatched detections, then one error per detection that is not
 * a true positive. Stateless; {@link #match} is safe to call for different images at once.
 */
final class ImageMatcher {

    private static final byte CLS = (byte) TideError.CLS.ordinal();
    private static final byte LOC = (byte) TideError.LOC.ordinal();
    private static final byte BOTH = (byte) TideError.BOTH.ordinal();
    private static final byte DUPE = (byte) TideError.DUPE.ordinal();
    private static final byte BKG = (byte) TideError.BKG.ordinal();

    private final TideInput in;
    private final Outcomes out;
    private final double pos;
    private final double bg;

    ImageMatcher(TideInput in, Outcomes out, TideParams p) {
        this.in = in;
        this.out = out;
        this.pos = p.posThreshold();
        this.bg = p.backgroundThreshold();
    }

    /** Matches image {@code i} and writes its slices of {@link Outcomes}. */
    void match(int i) throws CocoEvalException {
        int g0 = in.gStart[i];
        int G = in.gStart[i + 1] - g0;
        int k0 = out.keptStart[i];
        int K = out.keptStart[i + 1] - k0;
        if (K == 0) {
            for (int j = 0; j < G; j++) {
                out.gtMissed[g0 + j] = true;
            }
            return;
        }
        int[] ds = keptDetections(i, K);
        for (int r = 0; r < K; r++) {
            int p = k0 + r;
            out.cls[p] = in.dCls[ds[r]];
            out.score[p] = in.detScore(ds[r]);
            out.state[p] = Outcomes.FP;
            out.fixClass[p] = -1;
        }
        int c0 = in.cStart[i];
        int C = in.cStart[i + 1] - c0;
        MaskRuns[] dm = in.segm ? detMasks(i, ds) : null; // every kept mask is checked, GT or not
        double[][] iou = G == 0 ? null : ious(ds, dm, g0, G, false);
        double[][] crowdIou = C == 0 ? null : ious(ds, dm, c0, C, true);

        boolean[] gtUsed = new boolean[G];
        if (G > 0) {
            greedyMatch(k0, K, g0, G, iou, gtUsed);
        }
        for (int c = 0; c < C; c++) {
            int crowdCls = in.cCls[c0 + c];
            for (int r = 0; r < K; r++) {
                int p = k0 + r;
                if (out.state[p] != Outcomes.TP && crowdIou[r][c] > pos && crowdCls == out.cls[p]) {
                    out.state[p] = Outcomes.IGNORED;
                }
            }
        }
        System.arraycopy(gtUsed, 0, out.gtUsed, g0, G);
        boolean[] usable = new boolean[G];
        if (G == 0) {
            for (int r = 0; r < K; r++) {
                out.error[k0 + r] = out.state[k0 + r] == Outcomes.TP ? Outcomes.NO_ERROR : BKG;
            }
        } else {
            classifyErrors(k0, K, g0, G, iou, gtUsed, usable);
        }
        for (int j = 0; j < G; j++) {
            out.gtMissed[g0 + j] = !gtUsed[j] && !usable[j];
        }
    }

    /** The image's detections by descending score (ties in file order), the first {@code K}. */
    private int[] keptDetections(int i, int K) {
        int d0 = in.dStart[i];
        int n = in.dStart[i + 1] - d0;
        double[] s = new double[n];
        for (int j = 0; j < n; j++) {
            s[j] = in.detScore(d0 + j);
        }
        int[] order = StableSort.descending(s);
        int[] ds = new int[K];
        for (int r = 0; r < K; r++) {
            ds[r] = d0 + order[r];
        }
        return ds;
    }

    /** pycocotools' {@code iou} of the kept detections against GT (or crowd regions) {@code [from, from+n)}. */
    private double[][] ious(int[] ds, MaskRuns[] dm, int from, int n, boolean crowd) {
        boolean[] crowdFlags = new boolean[n];
        java.util.Arrays.fill(crowdFlags, crowd);
        if (!in.segm) {
            double[][] db = new double[ds.length][];
            for (int r = 0; r < ds.length; r++) {
                db[r] = in.detBox(ds[r]);
            }
            double[][] gb = new double[n][];
            for (int j = 0; j < n; j++) {
                gb[j] = crowd ? in.crowdBox(from + j) : in.gtBox(from + j);
            }
            return MaskApi.bboxIou(db, gb, crowdFlags);
        }
        MaskRuns[] gm = new MaskRuns[n];
        for (int j = 0; j < n; j++) {
            gm[j] = MaskRuns.withBox(crowd ? in.crowdMask(from + j) : in.gtMask(from + j));
        }
        // crowd IoUs only matter above pos; the others from background up (see MaskIous)
        return MaskIous.of(dm, gm, crowd, crowd ? Math.nextUp(pos) : bg);
    }

    /** The kept detections' masks (only kept ones are decoded: the cut comes first, as in tidecv). */
    private MaskRuns[] detMasks(int i, int[] ds) throws CocoEvalException {
        MaskRuns[] m = new MaskRuns[ds.length];
        for (int r = 0; r < ds.length; r++) {
            m[r] = MaskRuns.withBox(in.detMask(ds[r], i));
        }
        return m;
    }

    /** tidecv's matching loop: argmax over the same-class IoUs of unused GT (0 elsewhere), kept if {@code >= pos}. */
    private void greedyMatch(int k0, int K, int g0, int G, double[][] iou, boolean[] gtUsed) {
        for (int r = 0; r < K; r++) {
            int p = k0 + r;
            int c = out.cls[p];
            double[] row = iou[r];
            int best = 0;
            double bestV = gtUsed[0] || in.gCls[g0] != c ? 0 : row[0];
            for (int j = 1; j < G; j++) {
                double v = gtUsed[j] || in.gCls[g0 + j] != c ? 0 : row[j];
                if (v > bestV) {
                    bestV = v;
                    best = j;
                }
            }
            if (bestV >= pos) {
                out.state[p] = Outcomes.TP;
                gtUsed[best] = true;
            }
        }
    }

    /**
     * The error of each detection that is not a true positive (ignored ones included, as in
     * tidecv), and for CLS/LOC whether it is the first (highest-scored) to claim its GT.
     */
    private void classifyErrors(int k0, int K, int g0, int G, double[][] iou, boolean[] gtUsed, boolean[] usable) {
        double[] bestScore = new double[G];
        int[] bestPred = new int[G];
        java.util.Arrays.fill(bestScore, -1);
        java.util.Arrays.fill(bestPred, -1);
        for (int r = 0; r < K; r++) {
            int p = k0 + r;
            if (out.state[p] == Outcomes.TP) {
                out.error[p] = Outcomes.NO_ERROR;
                continue;
            }
            int c = out.cls[p];
            double[] row = iou[r];
            // argmax (first on ties) of: same-class IoU, other-class IoU, same-class IoU of used GT, any IoU
            int aCls = 0;
            int aNon = 0;
            int aUsed = 0;
            int aAll = 0;
            double vCls = in.gCls[g0] == c ? row[0] : 0;
            double vNon = in.gCls[g0] != c ? row[0] : 0;
            double vUsed = gtUsed[0] && in.gCls[g0] == c ? row[0] : 0;
            double vAll = row[0];
            for (int j = 1; j < G; j++) {
                boolean same = in.gCls[g0 + j] == c;
                double v = row[j];
                if (same) {
                    if (v > vCls) {
                        vCls = v;
                        aCls = j;
                    }
                    if (gtUsed[j] && v > vUsed) {
                        vUsed = v;
                        aUsed = j;
                    }
                } else if (v > vNon) {
                    vNon = v;
                    aNon = j;
                }
                if (v > vAll) {
                    vAll = v;
                    aAll = j;
                }
            }
            byte e;
            int target = -1;
            if (bg <= vCls && vCls <= pos) {
                e = LOC;
                target = aCls;
            } else if (vNon >= pos) {
                e = CLS;
                target = aNon;
            } else if (vUsed >= pos) {
                e = DUPE;
            } else if (vAll <= bg) {
                e = BKG;
            } else {
                e = BOTH;
            }
            out.error[p] = e;
            if (target >= 0 && !gtUsed[target]) {
                usable[target] = true;
                out.fixClass[p] = e == CLS ? in.gCls[g0 + target] : c;
                if (bestScore[target] < out.score[p]) {
                    bestScore[target] = out.score[p];
                    bestPred[target] = p;
                }
            }
        }
        for (int j = 0; j < G; j++) {
            if (bestPred[j] >= 0) {
                out.fixTp[bestPred[j]] = true;
            }
        }
    }
}
