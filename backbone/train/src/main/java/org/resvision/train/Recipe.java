package org.resvision.train;

/**
 * Checks of the training recipe fields every task's config has, with the configs' field names in
 * the messages: a value no run can use (no iterations, a negative or NaN learning rate, a zero
 * checkpoint interval) is refused before anything is written.
 */
public final class Recipe {

    private Recipe() {}

    /**
     * Throws {@link IllegalArgumentException} naming the first field that no training run can use.
     *
     * @param batchSize {@code batch_size}, images per step: at least 1
     * @param iterations {@code iterations}, optimizer steps of the run: at least 1
     * @param lr {@code lr}, the base learning rate: positive and finite
     * @param momentum {@code momentum}: in [0, 1)
     * @param weightDecay {@code weight_decay}: finite and at least 0
     * @param logEvery {@code log_every}, iterations between log lines: at least 1
     * @param checkpointEvery {@code checkpoint_every}, iterations between checkpoints: at least 1
     * @throws IllegalArgumentException for the first bad value, checked in the order batch_size,
     *     iterations, log_every, checkpoint_every, lr, momentum, weight_decay
     */
    public static void check(int batchSize, int iterations, float lr, float momentum, float weightDecay, int logEvery,
            int checkpointEvery) {
        atLeastOne("batch_size", batchSize);
        atLeastOne("iterations", iterations);
        atLeastOne("log_every", logEvery);
        atLeastOne("checkpoint_every", checkpointEvery);
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("lr " + lr + " must be a positive number");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum " + momentum + " must be in [0, 1)");
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight_decay " + weightDecay + " must be a number >= 0");
        }
    }

    static void atLeastOne(String field, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " " + value + " must be at least 1");
        }
    }
}
