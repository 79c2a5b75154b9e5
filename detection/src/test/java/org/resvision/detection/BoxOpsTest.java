package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Box coder, NMS, anchors, matcher and sampler against hand-computed torchvision values. */
class BoxOpsTest {

    @Test
    void boxCoderRoundTripsAndClampsLikeTorchvision() {
        BoxCoder coder = BoxCoder.roiHeads();
        float[] ref = {10, 20, 50, 100, 0, 0, 8, 4};
        float[] target = {12, 18, 60, 90, 1, 1, 9, 5};
        float[] deltas = coder.encode(target, ref);
        // dx = 10 * (36 - 30) / 40, dw = 5 * log(48 / 40)
        assertEquals(1.5f, deltas[0], 1e-6f);
        assertEquals(5 * Math.log(48.0 / 40), deltas[2], 1e-5);
        assertArrayEquals(target, coder.decode(deltas, ref, 1), 1e-4f);
        // dw beyond log(1000/16) is clamped: width 40 * 1000/16 = 2500 at most
        float[] huge = coder.decode(new float[] {0, 0, 100, 0}, new float[] {0, 0, 40, 40}, 1);
        assertEquals(2500, huge[2] - huge[0], 0.05);
    }

    @Test
    void nmsSuppressesStrictlyAboveThresholdWithinGroups() {
        // box 1 overlaps box 0 with IoU exactly 0.5 (kept: suppression needs IoU > 0.5); box 2 with 0.81
        float[] boxes = {0, 0, 10, 10, 0, 0, 10, 5, 0, 0, 10, 9, 0, 0, 10, 10};
        float[] scores = {0.9f, 0.8f, 0.85f, 0.95f};
        assertArrayEquals(new int[] {0, 1}, Nms.nms(boxes, scores, new int[] {0, 1, 2}, 0.5f));
        // box 3 is identical to box 0 but in another group: both survive batched NMS, best first
        int[] groups = {0, 0, 0, 1};
        assertArrayEquals(new int[] {3, 0, 1}, Nms.batched(boxes, scores, groups, Nms.all(4), 0.5f));
        assertArrayEquals(new int[] {3, 1}, Nms.nms(boxes, scores, Nms.all(4), 0.5f));
    }

    @Test
    void orderIsDescendingByScoreWithTiesByIndex() {
        float[] scores = {0.5f, -1f, 2f, 0.5f, -0f, 0f, Float.NEGATIVE_INFINITY, 3e-39f, -2.5f};
        Integer[] expected = {0, 1, 2, 3, 4, 5, 6, 7, 8};
        java.util.Arrays.sort(expected, (a, b) -> {
            int c = Float.compare(scores[b], scores[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        assertArrayEquals(java.util.Arrays.stream(expected).mapToInt(Integer::intValue).toArray(), Nms.order(scores, Nms.all(scores.length)));
        assertArrayEquals(new int[] {0, 3, 8}, Nms.order(scores, new int[] {8, 3, 0}));
    }

    @Test
    void anchorsMatchTorchvisionsRoundedBaseAnchorsAndGridOrder() {
        // torchvision: AnchorGenerator(((32,),), ((0.5, 1.0, 2.0),)).cell_anchors[0]
        assertArrayEquals(new float[] {-23, -11, 23, 11, -16, -16, 16, 16, -11, -23, 11, 23},
                AnchorGenerator.baseAnchors(new float[] {32}, new float[] {0.5f, 1f, 2f}), 0f);
        AnchorGenerator g = new AnchorGenerator(new float[][] {{32}}, new float[][] {{1f}});
        int[] perLevel = new int[1];
        float[] a = g.anchors(64, 96, new int[][] {{2, 3}}, perLevel);
        assertEquals(6, perLevel[0]);
        // stride 32 both ways; order y then x
        assertArrayEquals(new float[] {-16, -16, 16, 16, 16, -16, 48, 16, 48, -16, 80, 16, -16, 16, 16, 48}, java.util.Arrays.copyOf(a, 16), 0f);
    }

    @Test
    void matcherKeepsLowQualityBestMatchesOnlyWhenAsked() {
        // gt 0's best prediction (column 1) has IoU 0.4: below the 0.7 threshold
        float[][] iou = {{0.1f, 0.4f, 0.75f * 0}, {0.2f, 0.1f, 0.9f}};
        assertArrayEquals(new int[] {Matcher.BELOW_LOW, Matcher.BETWEEN, 1}, new Matcher(0.7f, 0.3f, false).match(iou));
        assertArrayEquals(new int[] {Matcher.BELOW_LOW, 0, 1}, new Matcher(0.7f, 0.3f, true).match(iou));
    }

    @Test
    void samplerBalancesPositivesAndFillsWithNegatives() {
        int[] labels = new int[100];
        for (int i = 0; i < 10; i++) {
            labels[i] = 1 + i % 3;
        }
        labels[50] = -1;
        int[][] s = new BalancedSampler(16, 0.25f).sample(labels, new Random(1));
        assertEquals(4, s[0].length);
        assertEquals(12, s[1].length);
        for (int i : s[0]) {
            assertEquals(true, labels[i] >= 1);
        }
        for (int i : s[1]) {
            assertEquals(0, labels[i]);
        }
        // fewer positives than the quota: all of them, negatives fill up the batch
        int[][] t = new BalancedSampler(256, 0.5f).sample(labels, new Random(1));
        assertEquals(10, t[0].length);
        assertEquals(89, t[1].length);
    }
}
