package org.resvision.eval.tide;

import org.resvision.data.mask.MaskRuns;

/**
 * The mask IoUs an image's TIDE decisions need, exact (pycocotools' {@code rleIou} values) where
 * they can matter and 0 where they cannot. A pair's IoU is at most {@code m / (a + b - m)} with
 * {@code m = min(a, b, box intersection)} (areas a, b; {@code toBbox}'s boxes contain their
 * masks), and a correctly rounded division keeps that order, so a pair whose bound is below the
 * background threshold has an IoU below it too: it can neither match (pos >= background), nor be
 * a Loc/Cls/Dupe candidate, nor lift an image's best IoU above background. Crowd pairs (IoU =
 * intersection / detection area) are only compared with {@code > pos}. Stateless, thread-safe.
 */
final class MaskIous {

    private MaskIous() {}

    /**
     * Detections against GT (or crowd regions when {@code crowd}), {@code [d][g]}: exact where
     * the bound reaches {@code threshold}, else 0.
     */
    static double[][] of(MaskRuns[] dt, MaskRuns[] gt, boolean crowd, double threshold) {
        double[][] o = new double[dt.length][gt.length];
        for (int d = 0; d < dt.length; d++) {
            for (int g = 0; g < gt.length; g++) {
                long inter = dt[d].boxIntersection(gt[g]);
                if (inter > 0 && bound(dt[d].area(), gt[g].area(), inter, crowd) >= threshold) {
                    o[d][g] = dt[d].iou(gt[g], crowd);
                }
            }
        }
        return o;
    }

    /** The upper bound of the IoU (or crowd IoU) of masks with areas a (detection), b and box intersection. */
    static double bound(long a, long b, long boxInter, boolean crowd) {
        long m = Math.min(Math.min(a, b), boxInter);
        return crowd ? (double) m / (double) a : (double) m / (double) (a + b - m);
    }
}
