package org.resvision.eval.segmentation;

import java.util.Locale;

/**
 * Semantic segmentation metrics as torchvision's reference scripts compute them: a confusion
 * matrix over pixels whose target is a class in {@code 0..n-1} (255, VOC's void border, and any
 * other value are ignored), then global pixel accuracy, per-class accuracy and IoU. Means skip
 * classes that never occur in target or prediction (torchvision's {@code mean()} would be NaN).
 *
 * <p>Not thread-safe: the counts are a plain array, updated without synchronization; use one per
 * thread (or synchronize).
 */
public final class ConfusionMatrix {

    /** VOC's void label. */
    public static final int IGNORE = 255;

    private final int n;
    private final long[] mat; // [target * n + prediction]

    /**
     * An empty matrix.
     *
     * @param numClasses the number of classes {@code n}, at least 1; labels {@code 0..n-1} count
     */
    public ConfusionMatrix(int numClasses) {
        n = numClasses;
        mat = new long[n * n];
    }

    /**
     * Adds one image (or batch): targets and predictions as flat label arrays of equal length.
     *
     * @param target the true class per pixel; a pixel whose target is outside {@code 0..n-1}
     *     (such as {@link #IGNORE}) is not counted
     * @param prediction the predicted class per pixel, in the same order
     * @throws IllegalArgumentException when the lengths differ (nothing is counted), or when a
     *     counted pixel's prediction is outside {@code 0..n-1}; the pixels before that one have
     *     then been counted already
     */
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

    /**
     * Adds one image given as unsigned bytes (VOC PNG indices).
     *
     * @param target the true class per pixel, read as {@code 0..255}
     * @param prediction the predicted class per pixel, read as {@code 0..255}
     * @throws IllegalArgumentException as {@link #update(int[], int[])}
     */
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

    /**
     * A matrix with this one's counts, independent of it.
     *
     * @return a new matrix of the same classes
     */
    public ConfusionMatrix copy() {
        ConfusionMatrix c = new ConfusionMatrix(n);
        System.arraycopy(mat, 0, c.mat, 0, mat.length);
        return c;
    }

    /**
     * The number of classes.
     *
     * @return {@code n}, as given to the constructor
     */
    public int numClasses() {
        return n;
    }

    /** Sets every count back to zero. */
    public void reset() {
        java.util.Arrays.fill(mat, 0);
    }

    /**
     * One cell of the matrix.
     *
     * @param target a true class, {@code 0..n-1}
     * @param prediction a predicted class, {@code 0..n-1} (neither is checked: outside, another
     *     cell is read or {@link ArrayIndexOutOfBoundsException} is thrown)
     * @return how many counted pixels of class {@code target} were predicted {@code prediction}
     */
    public long count(int target, int prediction) {
        return mat[target * n + prediction];
    }

    /**
     * Correct pixels / counted pixels.
     *
     * @return torchvision's "global correct", in {@code [0, 1]}; NaN when nothing was counted
     */
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

    /**
     * Per class: correct / target pixels of that class (NaN when the class never occurs).
     *
     * @return a new array of {@code n} recalls in {@code [0, 1]} or NaN
     */
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

    /**
     * Per class: intersection / union (NaN when the class is in neither target nor prediction).
     *
     * @return a new array of {@code n} IoUs in {@code [0, 1]} or NaN
     */
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

    /**
     * The mean of {@link #iou()} over the classes whose IoU is defined.
     *
     * @return the mean IoU in {@code [0, 1]}; NaN when nothing was counted
     */
    public double meanIou() {
        return nanMean(iou());
    }

    /**
     * The mean of {@link #classAccuracy()} over the classes that occur in the targets.
     *
     * @return the mean class accuracy in {@code [0, 1]}; NaN when nothing was counted
     */
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
