package org.resvision.eval.segmentation;

import java.util.Locale;

/**
 * Semantic segmentation metrics as torchvision's reference scripts compute them: a confusion
 * matrix over pixels whose target is a class in {@code 0..n-1} (255, VOC's void border, and any
 * other value are ignored), then global pixel accuracy, per-class accuracy and IoU. Means skip
 * classes that never occur in target or prediction (torchvision's {@code mean()} would be NaN).
 */
public final class ConfusionMatrix {

    /** VOC's void label. */
    public static final int IGNORE = 255;

    private final int n;
    private final long[] mat; // [target * n + prediction]

    public ConfusionMatrix(int numClasses) {
        n = numClasses;
        mat = new long[n * n];
    }

    /** Adds one image (or batch): targets and predictions as flat label arrays of equal length. */
    public void update(int[] target, int[] prediction) {
        if (target.length != prediction.length) {
            throw new IllegalArgumentException("target has " + target.length + " pixels, prediction " + prediction.length);
        }
        for (int i = 0; i < target.length; i++) {
            int t = target[i];
            if (t >= 0 && t < n) {
                int p = prediction[i];
                if (p < 0 || p >= n) {
                    throw new IllegalArgumentException("predicted class " + p + " outside 0.." + (n - 1));
                }
                mat[t * n + p]++;
            }
        }
    }

    /** Adds one image given as unsigned bytes (VOC PNG indices). */
    public void update(byte[] target, byte[] prediction) {
        int[] t = new int[target.length];
        int[] p = new int[prediction.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = target[i] & 0xff;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] = prediction[i] & 0xff;
        }
        update(t, p);
    }

    public void reset() {
        java.util.Arrays.fill(mat, 0);
    }

    public long count(int target, int prediction) {
        return mat[target * n + prediction];
    }

    /** Correct pixels / counted pixels. */
    public double pixelAccuracy() {
        long diag = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            diag += mat[i * n + i];
            for (int j = 0; j < n; j++) {
                total += mat[i * n + j];
            }
        }
        return total == 0 ? Double.NaN : (double) diag / total;
    }

    /** Per class: correct / target pixels of that class (NaN when the class never occurs). */
    public double[] classAccuracy() {
        double[] acc = new double[n];
        for (int i = 0; i < n; i++) {
            long row = 0;
            for (int j = 0; j < n; j++) {
                row += mat[i * n + j];
            }
            acc[i] = row == 0 ? Double.NaN : (double) mat[i * n + i] / row;
        }
        return acc;
    }

    /** Per class: intersection / union (NaN when the class is in neither target nor prediction). */
    public double[] iou() {
        double[] iu = new double[n];
        for (int i = 0; i < n; i++) {
            long row = 0;
            long col = 0;
            for (int j = 0; j < n; j++) {
                row += mat[i * n + j];
                col += mat[j * n + i];
            }
            long union = row + col - mat[i * n + i];
            iu[i] = union == 0 ? Double.NaN : (double) mat[i * n + i] / union;
        }
        return iu;
    }

    public double meanIou() {
        return nanMean(iou());
    }

    public double meanClassAccuracy() {
        return nanMean(classAccuracy());
    }

    static double nanMean(double[] v) {
        double s = 0;
        int k = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                s += x;
                k++;
            }
        }
        return k == 0 ? Double.NaN : s / k;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "global correct: %.1f%%, mean class accuracy: %.1f%%, mean IoU: %.1f%%",
                100 * pixelAccuracy(), 100 * meanClassAccuracy(), 100 * meanIou());
    }
}
