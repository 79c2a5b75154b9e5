package org.resvision.eval.tide;

/**
 * tidecv's {@code APDataObject.get_ap}: the precision/recall curve of detections in the given
 * order, precision made non-increasing from the right, sampled at recall {@code x / 100} for
 * {@code x = 0..100} (the first point whose recall reaches it, 0 past the end), averaged, times
 * 100. 0 when the class has no GT. Stateless, thread-safe.
 */
final class TideAp {

    private static final int RESOLUTION = 100;

    private TideAp() {}

    /**
     * @param isTrue the detections' outcomes in ranking order, {@code [0, n)}
     * @param npos the class's GT count
     * @param prec scratch of at least {@code n}
     * @param rec scratch of at least {@code n}
     */
    static double ap(boolean[] isTrue, int n, int npos, double[] prec, double[] rec) {
        if (npos == 0) {
            return 0;
        }
        int tp = 0;
        for (int i = 0; i < n; i++) {
            if (isTrue[i]) {
                tp++;
            }
            prec[i] = (double) tp / (double) (i + 1);
            rec[i] = (double) tp / (double) npos;
        }
        for (int i = n - 1; i > 0; i--) {
            if (prec[i] > prec[i - 1]) {
                prec[i - 1] = prec[i];
            }
        }
        double sum = 0;
        int i = 0;
        for (int x = 0; x <= RESOLUTION; x++) {
            double recall = x / (double) RESOLUTION;
            while (i < n && rec[i] < recall) { // numpy searchsorted(recalls, recall, side='left')
                i++;
            }
            if (i < n) {
                sum += prec[i];
            }
        }
        return sum / (RESOLUTION + 1) * 100;
    }
}
