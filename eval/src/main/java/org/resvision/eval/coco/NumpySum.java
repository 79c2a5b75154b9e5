package org.resvision.eval.coco;

/**
 * numpy's float64 {@code add.reduce} on a contiguous array (pairwise summation), so that means
 * over more than a few values ({@code np.mean} in pycocotools' and lvis-api's summaries) agree to
 * the last bit. Stateless, thread-safe.
 */
public final class NumpySum {

    private NumpySum() {}

    /** numpy's reduction buffer: a contiguous float64 sum is pairwise within blocks of this many, sequential across them. */
    static final int BUFSIZE = 8192;

    /**
     * {@code np.add.reduce(a[:n])} for a contiguous float64 array (0.0 + each 8192-block's pairwise sum, in order).
     *
     * @param a the values; not modified
     * @param n how many of the first values to sum, {@code 0 <= n <= a.length}
     * @return the sum, bit for bit numpy's; 0.0 for {@code n = 0}
     */
    public static double sum(double[] a, int n) {
        double res = 0.;
        for (int from = 0; from < n; from += BUFSIZE) {
            res += pairwise(a, from, Math.min(BUFSIZE, n - from));
        }
        return res;
    }

    /** numpy's {@code pairwise_sum} of {@code a[from, from + n)}. */
    static double pairwise(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        } else if (n <= 128) {
            double[] r = new double[8];
            for (int j = 0; j < 8; j++) {
                r[j] = a[from + j];
            }
            int i;
            for (i = 8; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[from + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        } else {
            int n2 = n / 2;
            n2 -= n2 % 8;
            return pairwise(a, from, n2) + pairwise(a, from + n2, n - n2);
        }
    }
}
