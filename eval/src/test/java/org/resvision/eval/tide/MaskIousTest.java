package org.resvision.eval.tide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.Rle;

/**
 * The pruned mask IoUs equal pycocotools' wherever they reach the threshold, and are 0 or the
 * exact value (below the threshold) elsewhere; the bound is never below the exact IoU.
 */
class MaskIousTest {

    @Test
    void prunedIousAgreeWithTheFullMatrix() {
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
        int computedBelow = 0;
        for (boolean crowd : new boolean[] {false, true}) {
            boolean[] flags = new boolean[gt.length];
            java.util.Arrays.fill(flags, crowd);
            double[][] full = MaskApi.rleIou(dt, gt, flags);
            for (double threshold : new double[] {0.0, 0.1, 0.3, Math.nextUp(0.5)}) {
                double[][] pruned = MaskIous.of(dt, gt, crowd, threshold);
                for (int d = 0; d < dt.length; d++) {
                    for (int g = 0; g < gt.length; g++) {
                        if (full[d][g] >= threshold) {
                            assertEquals(full[d][g], pruned[d][g], 0, "pair " + d + "," + g + " at " + threshold);
                        } else {
                            assertTrue(pruned[d][g] == 0 || pruned[d][g] == full[d][g]);
                            computedBelow += pruned[d][g] > 0 ? 1 : 0;
                        }
                    }
                }
            }
        }
        assertTrue(computedBelow > 0, "some pairs below the threshold were still worth computing (the bound is loose)");
    }

    @Test
    void boundIsAnUpperBound() {
        // two 10x10 squares overlapping in a 5x10 strip: IoU 50 / 150; bound min(100, 100, 50) / (200 - 50)
        assertEquals(50.0 / 150, MaskIous.bound(100, 100, 50, false), 0);
        assertEquals(50.0 / 100, MaskIous.bound(100, 400, 50, true), 0, "crowd: over the detection's area");
        assertEquals(50, MaskIous.boxIntersection(new double[] {0, 0, 10, 10}, new double[] {5, 0, 10, 10}));
        assertEquals(0, MaskIous.boxIntersection(new double[] {0, 0, 10, 10}, new double[] {10, 0, 10, 10}));
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
