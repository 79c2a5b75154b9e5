package org.resvision.backbone.train;

/**
 * Checks of the training recipe fields every task's config has, with the configs' field names in
 * the messages: a value no run can use (no iterations, a negative or NaN learning rate, a zero
 * checkpoint interval) is refused before anything is written.
 */
public final class Recipe {

    private Recipe() {}

    /** Throws {@link IllegalArgumentException} naming the first field that no training run can use. */
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
