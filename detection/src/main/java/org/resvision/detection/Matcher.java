package org.resvision.detection;

/**
 * torchvision's {@code Matcher}: each prediction (column of the IoU matrix) gets its best ground
 * truth if that IoU is {@code >= high}, {@link #BELOW_LOW} if it is below {@code low}, {@link
 * #BETWEEN} otherwise. With {@code allowLowQuality} (the RPN's setting) every prediction that
 * ties for a ground truth's best IoU keeps its match even below {@code high}.
 */
public final class Matcher {

    public static final int BELOW_LOW = -1;
    public static final int BETWEEN = -2;

    private final float high;
    private final float low;
    private final boolean allowLowQuality;

    public Matcher(float high, float low, boolean allowLowQuality) {
        if (low > high) {
            throw new IllegalArgumentException("low threshold " + low + " above high threshold " + high);
        }
        this.high = high;
        this.low = low;
        this.allowLowQuality = allowLowQuality;
    }

    /** @param iou [gt][prediction]; at least one ground truth */
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
