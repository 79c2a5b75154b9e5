package org.resvision.eval.tide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.MaskRuns;
import org.resvision.data.mask.Rle;

/**
 * The mask IoUs TIDE computes against our port of pycocotools' {@code rleIou}: equal wherever
 * they reach the threshold, 0 or equal below it; the boxes are {@code toBbox}'s, the areas
 * {@code Rle.area}'s.
 */
class MaskIousTest {

    @Test
    void prunedIousAgreeWithPycocotools() {
        Random rnd = new Random(5);
        int h = 60;
        int w = 80;
        Rle[] dt = new Rle[40];
        Rle[] gt = new Rle[12];
        for (int i = 0; i < dt.length; i++) {
            dt[i] = polygon(rnd, h, w);
        }
        for (int i = 0; i < gt.length; i++) {
            gt[i] = polygon(rnd, h, w);
        }
        dt[0] = new Rle(h, w, new int[] {h * w}); // empty
        gt[0] = MaskApi.frBbox(new double[] {0, 0, w, h}, h, w); // everything
        MaskRuns[] dr = runs(dt);
        MaskRuns[] gr = runs(gt);
        int computedBelow = 0;
        int exactAbove = 0;
        for (boolean crowd : new boolean[] {false, true}) {
            boolean[] flags = new boolean[gt.length];
            java.util.Arrays.fill(flags, crowd);
            double[][] full = MaskApi.rleIou(dt, gt, flags);
            for (double threshold : new double[] {0.0, 0.1, 0.3, Math.nextUp(0.5)}) {
                double[][] pruned = MaskIous.of(dr, gr, crowd, threshold);
                for (int d = 0; d < dt.length; d++) {
                    for (int g = 0; g < gt.length; g++) {
                        if (full[d][g] >= threshold) {
                            assertEquals(full[d][g], pruned[d][g], 0, "pair " + d + "," + g + " at " + threshold);
                            exactAbove += full[d][g] > 0 ? 1 : 0;
                        } else {
                            assertTrue(pruned[d][g] == 0 || pruned[d][g] == full[d][g]);
                            computedBelow += pruned[d][g] > 0 ? 1 : 0;
                        }
                    }
                }
            }
        }
        assertTrue(exactAbove > 100, "the masks overlap enough to test: " + exactAbove);
        assertTrue(computedBelow > 0, "the bound is loose: some pairs below the threshold are computed");
    }

    @Test
    void boxesAndAreasArePycocotools() {
        Random rnd = new Random(9);
        for (int t = 0; t < 300; t++) {
            int h = 1 + rnd.nextInt(40);
            int w = 1 + rnd.nextInt(40);
            byte[] m = new byte[h * w];
            int kind = rnd.nextInt(3);
            for (int i = 0; i < m.length; i++) {
                m[i] = (byte) (kind == 0 ? 0 : rnd.nextInt(kind == 1 ? 9 : 2) == 0 ? 1 : 0);
            }
            Rle r = MaskApi.encode(m, h, w);
            MaskRuns mr = MaskRuns.withBox(r);
            assertEquals(r.area(), mr.area());
            double[] bb = MaskApi.toBbox(r);
            assertEquals(java.util.Arrays.toString(bb), java.util.Arrays.toString(mr.box()));
            if (mr.area() == 0) {
                assertEquals(0, mr.boxIntersection(mr));
            } else {
                assertEquals((long) (bb[2] * bb[3]), mr.boxIntersection(mr));
                assertEquals(mr.area(), mr.intersection(mr));
            }
        }
    }

    @Test
    void boundIsAnUpperBound() {
        // two 10x10 squares overlapping in a 5x10 strip: IoU 50 / 150; bound min(100, 100, 50) / (200 - 50)
        assertEquals(50.0 / 150, MaskIous.bound(100, 100, 50, false), 0);
        assertEquals(50.0 / 100, MaskIous.bound(100, 400, 50, true), 0, "crowd: over the detection's area");
        MaskRuns a = MaskRuns.withBox(MaskApi.frBbox(new double[] {0, 0, 10, 10}, 20, 30));
        MaskRuns b = MaskRuns.withBox(MaskApi.frBbox(new double[] {5, 0, 10, 10}, 20, 30));
        MaskRuns c = MaskRuns.withBox(MaskApi.frBbox(new double[] {10, 0, 10, 10}, 20, 30));
        assertEquals(50, a.boxIntersection(b));
        assertEquals(50, a.intersection(b));
        assertEquals(0, a.boxIntersection(c));
        assertEquals(50.0 / 150, a.iou(b, false), 0);
        assertEquals(-1, a.iou(MaskRuns.withBox(MaskApi.frBbox(new double[] {0, 0, 10, 10}, 20, 31)), false), 0);
    }

    private static MaskRuns[] runs(Rle[] masks) {
        MaskRuns[] r = new MaskRuns[masks.length];
        for (int i = 0; i < masks.length; i++) {
            r[i] = MaskRuns.withBox(masks[i]);
        }
        return r;
    }

    private static Rle polygon(Random rnd, int h, int w) {
        double cx = rnd.nextDouble() * w;
        double cy = rnd.nextDouble() * h;
        double r = 4 + rnd.nextDouble() * 20;
        double[] xy = new double[12];
        for (int k = 0; k < 6; k++) {
            double a = k * Math.PI / 3;
            double rr = r * (0.6 + 0.4 * rnd.nextDouble());
            xy[2 * k] = cx + rr * Math.cos(a);
            xy[2 * k + 1] = cy + rr * Math.sin(a);
        }
        return MaskApi.frPoly(xy, h, w);
    }
}
