package org.resvision.detection;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * torchvision's {@code BalancedPositiveNegativeSampler}: from labels (positive {@code >= 1},
 * negative {@code 0}, ignored {@code -1}) draws at most {@code batchSize * positiveFraction}
 * positives and fills the rest of {@code batchSize} with negatives, uniformly without
 * replacement. Immutable (the randomness is the caller's); safe to share between threads.
 */
public final class BalancedSampler {

    private final int batchSize;
    private final float positiveFraction;

    /**
     * A sampler of {@code batchSize} per image.
     *
     * @param batchSize how many to sample per image at most
     * @param positiveFraction the largest fraction of positives, in [0, 1]
     */
    public BalancedSampler(int batchSize, float positiveFraction) {
        this.batchSize = batchSize;
        this.positiveFraction = positiveFraction;
    }

    /**
     * The sampled positive and negative indices: {@code {positives, negatives}}.
     *
     * @param labels per candidate: {@code >= 1} positive, 0 negative, -1 (any negative value) ignored
     * @param rnd the draws, in a fixed order for a repeatable sample
     * @return two new arrays of candidate indices, positives in draw order, then negatives
     */
    public int[][] sample(int[] labels, Random rnd) {
        List<Integer> pos = new ArrayList<>();
        List<Integer> neg = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= 1) {
                pos.add(i);
            } else if (labels[i] == 0) {
                neg.add(i);
            }
        }
        int numPos = Math.min(pos.size(), (int) (batchSize * positiveFraction));
        int numNeg = Math.min(neg.size(), batchSize - numPos);
        return new int[][] {pick(pos, numPos, rnd), pick(neg, numNeg, rnd)};
    }

    private static int[] pick(List<Integer> from, int k, Random rnd) {
        int[] a = from.stream().mapToInt(Integer::intValue).toArray();
        for (int i = 0; i < k; i++) { // partial Fisher-Yates
            int j = i + rnd.nextInt(a.length - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return java.util.Arrays.copyOf(a, k);
    }
}
