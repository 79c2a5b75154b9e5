package org.resvision.detection;

/**
 * torchvision's {@code Matcher}: each prediction (column of the IoU matrix) gets its best ground
 * truth if that IoU is {@code >= high}, {@link #BELOW_LOW} if it is below {@code low}, {@link
 * #BETWEEN} otherwise. With {@code allowLowQuality} (the RPN's setting) every prediction that
 * ties for a ground truth's best IoU keeps its match even below {@code high}. Immutable; safe to
 * share between threads.
 */
public final class Matcher {

    /** The match of a prediction whose best IoU is below {@code low}: a negative (background). */
    public static final int BELOW_LOW = -1;
    /** The match of a prediction whose best IoU is in {@code [low, high)}: ignored by the losses. */
    public static final int BETWEEN = -2;

    private final float high;
    private final float low;
    private final boolean allowLowQuality;

    /**
     * A matcher with these thresholds.
     *
     * @param high IoU from which a prediction matches its best ground truth (torchvision's {@code high_threshold})
     * @param low IoU below which a prediction is a negative
     * @param allowLowQuality keep each ground truth's best predictions matched even below {@code high}
     * @throws IllegalArgumentException when {@code low > high}
     */
    public Matcher(float high, float low, boolean allowLowQuality) {
        if (low > high) {
            throw new IllegalArgumentException("low threshold " + low + " above high threshold " + high);
        }
        this.high = high;
        this.low = low;
        this.allowLowQuality = allowLowQuality;
    }

    /**
     * Matches each prediction to a ground truth.
     *
     * @param iou [gt][prediction]; at least one ground truth
     * @return per prediction, the index of its ground truth (ties: the lowest), or {@link #BELOW_LOW} or
     *     {@link #BETWEEN}
     */
    public int[] match(float[][] iou) {
        int g = iou.length;
        int n = iou[0].length;
        int[] matches = new int[n];
        float[] best = new float[n];
        for (int j = 0; j < n; j++) {
            float v = iou[0][j];
            int arg = 0;
            for (int i = 1; i < g; i++) {
                if (iou[i][j] > v) {
                    v = iou[i][j];
                    arg = i;
                }
            }
            best[j] = v;
            matches[j] = arg;
        }
        int[] all = allowLowQuality ? matches.clone() : null;
        for (int j = 0; j < n; j++) {
            if (best[j] < low) {
                matches[j] = BELOW_LOW;
            } else if (best[j] < high) {
                matches[j] = BETWEEN;
            }
        }
        if (allowLowQuality) {
            for (int i = 0; i < g; i++) {
                float top = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    top = Math.max(top, iou[i][j]);
                }
                for (int j = 0; j < n; j++) {
                    if (iou[i][j] == top) {
                        matches[j] = all[j];
                    }
                }
            }
        }
        return matches;
    }
}
