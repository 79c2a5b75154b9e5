package org.resvision.segmentation;

import org.resvision.train.Recipe;

/**
 * How an FCN trains (torchvision's segmentation reference): SGD with momentum and weight decay on
 * every parameter, the poly schedule {@code lr * (1 - it / iterations)^0.9}, random scales of the
 * base size and square crops. The training fields of a {@link SegmentationConfig}, apart from the
 * model's.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param batchSize images per training iteration ({@code batch_size})
 * @param iterations optimizer steps in all
 * @param lr base learning rate of the poly schedule
 * @param momentum SGD momentum, in [0, 1)
 * @param weightDecay L2 weight decay ({@code weight_decay}), on every parameter
 * @param seed seeds the data order and the augmentation
 * @param logEvery iterations between log lines ({@code log_every})
 * @param checkpointEvery iterations between checkpoints, each followed by a validation ({@code checkpoint_every})
 * @param cropSize side in pixels of the square training crops ({@code crop_size})
 */
public record SegmentationRecipe(int batchSize, int iterations, float lr, float momentum, float weightDecay, long seed, int logEvery,
        int checkpointEvery, int cropSize) {

    /**
     * Checks the values.
     *
     * @param batchSize the config field {@code batch_size}
     * @param iterations the config field {@code iterations}
     * @param lr the config field {@code lr}
     * @param momentum the config field {@code momentum}
     * @param weightDecay the config field {@code weight_decay}
     * @param seed the config field {@code seed}
     * @param logEvery the config field {@code log_every}
     * @param checkpointEvery the config field {@code checkpoint_every}
     * @param cropSize the config field {@code crop_size}
     * @throws IllegalArgumentException naming the config field of the first value that no model or run can use
     */
    public SegmentationRecipe {
        Recipe.check(batchSize, iterations, lr, momentum, weightDecay, logEvery, checkpointEvery);
        if (cropSize < 1) {
            throw new IllegalArgumentException("crop_size " + cropSize + " must be at least 1");
        }
    }

    /**
     * torchvision's recipe for a number of iterations.
     *
     * @param iterations optimizer steps in all
     * @return batch 8, lr 0.01, momentum 0.9, weight decay 1e-4, seed 0, a log line every 20, one
     *     checkpoint at the end, crops of 480
     */
    public static SegmentationRecipe defaults(int iterations) {
        return new SegmentationRecipe(8, iterations, 0.01f, 0.9f, 1e-4f, 0, 20, Math.max(1, iterations), 480);
    }
}
