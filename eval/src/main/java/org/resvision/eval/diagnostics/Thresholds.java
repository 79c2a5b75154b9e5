package org.resvision.eval.diagnostics;

import java.util.Locale;
import org.resvision.eval.coco.CocoMatching;

/** Small shared helpers: the index of an evaluated IoU threshold, and per-image grouping. */
final class Thresholds {

    private Thresholds() {}

    /** The index of {@code iou} among the matching's IoU thresholds (within 1e-9), or an error listing them. */
    static int iouIndex(CocoMatching m, double iou) {
        double[] thr = m.params().iouThresholds();
        int t = find(thr, iou);
        if (t >= 0) {
            return t;
        }
        StringBuilder sb = new StringBuilder();
        for (double v : thr) {
            sb.append(sb.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", v));
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "IoU %.4g is not one of the evaluated IoU thresholds (%s)", iou, sb));
    }

    /** The index of {@code v} among {@code thr} (within 1e-9), or -1. */
    static int find(double[] thr, double v) {
        for (int t = 0; t < thr.length; t++) {
            if (Math.abs(thr[t] - v) < 1e-9) {
                return t;
            }
        }
        return -1;
    }

    /** Indices {@code 0..n-1} grouped by {@code key[j]} in {@code 0..groups-1} (stable), {@code start[g]..start[g+1]}; negative keys dropped. */
    static int[] group(int[] key, int groups, int[] start) {
        for (int k : key) {
            if (k >= 0) {
                start[k + 1]++;
            }
        }
        for (int g = 0; g < groups; g++) {
            start[g + 1] += start[g];
        }
        int[] pos = java.util.Arrays.copyOf(start, groups);
        int[] out = new int[start[groups]];
        for (int j = 0; j < key.length; j++) {
            if (key[j] >= 0) {
                out[pos[key[j]]++] = j;
            }
        }
        return out;
    }
}
