package org.resvision.eval.tide;

import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.Rle;

/**
 * The mask IoUs an image's TIDE decisions need, exact (pycocotools' {@code rleIou}) where they
 * can matter and 0 where they cannot. A pair's IoU is at most {@code m / (a + b - m)} with
 * {@code m = min(a, b, box intersection)} (areas a, b; {@code toBbox} boxes contain their masks),
 * and a correctly rounded division keeps that order, so a pair whose bound is below the
 * background threshold has an IoU below it too: it can neither match (pos >= background), nor be
 * a Loc/Cls/Dupe candidate, nor lift an image's best IoU above background. Crowd pairs (IoU =
 * intersection / detection area) are only compared with {@code > pos}. Stateless, thread-safe.
 */
final class MaskIous {

    private MaskIous() {}

    /** The kept detections' masks against GT (or crowd regions when {@code crowd}): {@code [d][g]}. */
    static double[][] of(Rle[] dt, Rle[] gt, boolean crowd, double threshold) {
        double[][] db = new double[dt.length][];
        long[] da = new long[dt.length];
        for (int d = 0; d < dt.length; d++) {
            db[d] = MaskApi.toBbox(dt[d]);
            da[d] = dt[d].area();
        }
        double[][] gb = new double[gt.length][];
        long[] ga = new long[gt.length];
        for (int g = 0; g < gt.length; g++) {
            gb[g] = MaskApi.toBbox(gt[g]);
            ga[g] = gt[g].area();
        }
        double[][] o = new double[dt.length][gt.length];
        for (int d = 0; d < dt.length; d++) {
            for (int g = 0; g < gt.length; g++) {
                long inter = boxIntersection(db[d], gb[g]);
                if (inter > 0 && bound(da[d], ga[g], inter, crowd) >= threshold) {
                    o[d][g] = MaskApi.rleIou(dt[d], gt[g], crowd);
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

    /** The intersection area of two integer-pixel boxes [x, y, w, h] (0 when they do not overlap). */
    static long boxIntersection(double[] a, double[] b) {
        double w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
        double h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
        return w <= 0 || h <= 0 ? 0 : (long) w * (long) h;
    }
}
