package org.resvision.eval.coco;

/** numpy's {@code argsort(-x, kind='mergesort')} on primitives: stable, descending. Stateless, thread-safe. */
public final class StableSort {

    private StableSort() {}

    /**
     * Indices of {@code keys} from largest to smallest; equal keys keep their order (0.0 == -0.0).
     *
     * @param keys the keys, without NaN (a NaN compares as neither larger nor smaller than
     *     anything, so the order around it is not numpy's); not modified
     * @return a new array of {@code keys.length} indices, the index of the largest key first
     */
    public static int[] descending(double[] keys) {
        int n = keys.length;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        int[] tmp = new int[n];
        // bottom-up merge sort; runs of 32 first by insertion sort
        for (int lo = 0; lo < n; lo += 32) {
            int hi = Math.min(lo + 32, n);
            for (int i = lo + 1; i < hi; i++) {
                int v = idx[i];
                double kv = keys[v];
                int j = i - 1;
                while (j >= lo && keys[idx[j]] < kv) {
                    idx[j + 1] = idx[j];
                    j--;
                }
                idx[j + 1] = v;
            }
        }
        for (int width = 32; width < n; width *= 2) {
            for (int lo = 0; lo < n - width; lo += 2 * width) {
                int mid = lo + width;
                int hi = Math.min(lo + 2 * width, n);
                if (!(keys[idx[mid - 1]] < keys[idx[mid]])) {
                    continue; // already in order
                }
                System.arraycopy(idx, lo, tmp, lo, hi - lo);
                int a = lo;
                int b = mid;
                int o = lo;
                while (a < mid && b < hi) {
                    // take from the right run only when strictly larger: stability
                    idx[o++] = keys[tmp[b]] > keys[tmp[a]] ? tmp[b++] : tmp[a++];
                }
                while (a < mid) {
                    idx[o++] = tmp[a++];
                }
                while (b < hi) {
                    idx[o++] = tmp[b++];
                }
            }
        }
        return idx;
    }
}
