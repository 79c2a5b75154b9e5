package org.resvision.detection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Non-maximum suppression with torchvision's semantics: boxes in descending score order, a box is
 * suppressed when its IoU with a kept box is strictly greater than the threshold (float32, areas
 * without +1). {@link #batched} runs it independently per group (class or level), like {@code
 * batched_nms}, and returns the kept indices sorted by descending score. Ties in score are
 * broken by index (torch's sort is not stable, so torchvision's order among equal scores is
 * arbitrary).
 *
 * <p>Boxes are flat {@code x1, y1, x2, y2} arrays; results are indices into them. Stateless; safe to
 * call from several threads.
 */
public final class Nms {

    private Nms() {}

    /**
     * Indices into {@code scores}, descending by score, ties by ascending index (as {@code
     * Float.compare}: NaN first). A primitive sort of (order-preserving score bits, index) pairs
     * packed into longs: no boxing, which mattered for the RPN's per-level sorts (tens of
     * thousands of anchors per image).
     *
     * @param scores all scores
     * @param subset the indices to order
     * @return a new array holding {@code subset}'s indices, best score first
     */
    public static int[] order(float[] scores, int[] subset) {
        long[] keys = new long[subset.length];
        for (int i = 0; i < keys.length; i++) {
            int bits = Float.floatToIntBits(scores[subset[i]]);
            int ascending = bits ^ ((bits >> 31) & 0x7fffffff); // int order == float order
            keys[i] = ((long) ~ascending << 32) | (subset[i] & 0xffffffffL);
        }
        java.util.Arrays.sort(keys);
        int[] out = new int[keys.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }

    /**
     * {@code nms(boxes[subset], scores[subset], threshold)} as indices into the full arrays, best first.
     *
     * @param boxes all boxes, flat
     * @param scores all scores, one per box
     * @param subset the indices taking part
     * @param threshold IoU strictly above which the lower-scoring box is suppressed
     * @return the kept indices, best score first
     */
    public static int[] nms(float[] boxes, float[] scores, int[] subset, float threshold) {
        int[] ord = order(scores, subset);
        int n = ord.length;
        float[] x1 = new float[n], y1 = new float[n], x2 = new float[n], y2 = new float[n], area = new float[n];
        for (int k = 0; k < n; k++) {
            int i = ord[k];
            x1[k] = boxes[4 * i];
            y1[k] = boxes[4 * i + 1];
            x2[k] = boxes[4 * i + 2];
            y2[k] = boxes[4 * i + 3];
            area[k] = (x2[k] - x1[k]) * (y2[k] - y1[k]);
        }
        boolean[] suppressed = new boolean[n];
        int[] keep = new int[n];
        int kept = 0;
        for (int a = 0; a < n; a++) {
            if (suppressed[a]) {
                continue;
            }
            keep[kept++] = ord[a];
            for (int b = a + 1; b < n; b++) {
                if (suppressed[b]) {
                    continue;
                }
                float w = Math.max(0f, Math.min(x2[a], x2[b]) - Math.max(x1[a], x1[b]));
                float h = Math.max(0f, Math.min(y2[a], y2[b]) - Math.max(y1[a], y1[b]));
                float inter = w * h;
                float iou = inter / (area[a] + area[b] - inter);
                if (iou > threshold) {
                    suppressed[b] = true;
                }
            }
        }
        return java.util.Arrays.copyOf(keep, kept);
    }

    /**
     * {@code batched_nms}: NMS within each group of {@code groups[i]}; kept indices, best first.
     *
     * @param boxes all boxes, flat
     * @param scores all scores, one per box
     * @param groups per box its group (class or level): boxes of different groups never suppress each other
     * @param subset the indices taking part
     * @param threshold IoU strictly above which the lower-scoring box of a group is suppressed
     * @return the kept indices of all groups, best score first
     */
    public static int[] batched(float[] boxes, float[] scores, int[] groups, int[] subset, float threshold) {
        Map<Integer, List<Integer>> byGroup = new HashMap<>();
        for (int i : subset) {
            byGroup.computeIfAbsent(groups[i], k -> new ArrayList<>()).add(i);
        }
        List<Integer> kept = new ArrayList<>();
        for (List<Integer> members : byGroup.values()) {
            int[] m = members.stream().mapToInt(Integer::intValue).toArray();
            for (int i : nms(boxes, scores, m, threshold)) {
                kept.add(i);
            }
        }
        int[] k = kept.stream().mapToInt(Integer::intValue).toArray();
        return order(scores, k);
    }

    /**
     * All indices {@code 0..n-1}.
     *
     * @param n how many
     * @return a new array {@code 0, 1, ..., n - 1} (a whole-array {@code subset})
     */
    public static int[] all(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
