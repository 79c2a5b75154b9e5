package org.resvision.detection;

import org.resvision.train.Recipe;

/**
 * How a Faster R-CNN trains (torchvision's detection reference: lr 0.02 for 16 images, momentum
 * 0.9, weight decay 1e-4): the training fields of a {@link DetectionConfig}, apart from the model's
 * settings ({@link FasterRcnnConfig}).
 *
 * <p>Immutable (the milestones are copied in and out); safe to share between threads.
 *
 * @param batchSize {@code batch_size}: Images per training iteration, also per batch of evaluation; default 2
 *     (torchvision's per GPU).
 * @param iterations {@code iterations}: Training iterations (optimizer steps) in all; default 90 000.
 * @param lr {@code lr}: Base learning rate, reached after the warm-up; default 0.02 (torchvision's, for 16 images a
 *     step).
 * @param momentum {@code momentum}: SGD momentum, in [0, 1); default 0.9.
 * @param weightDecay {@code weight_decay}: L2 weight decay, added to each gradient as {@code weight_decay * w};
 *     default 1e-4.
 * @param decayNormAndBias {@code decay_norm_and_bias}: Whether weight decay also applies to 1-D parameters (norm
 *     weights, biases); default true, as torchvision.
 * @param lrSchedule {@code lr_schedule}: {@code multistep} (x0.1 at each milestone) or {@code cosine}. Default {@code
 *     multistep}.
 * @param milestones {@code milestones}: Iterations where {@code multistep} multiplies the learning rate by 0.1;
 *     default 60 000 and 80 000.
 * @param warmupIters {@code warmup_iters}: Iterations of linear warm-up from 0.001 x {@code lr} to {@code lr}, 0 for
 *     none; default 1000.
 * @param clipGradNorm {@code clip_grad_norm}: The largest global L2 norm of the gradients (scaled down to it above);
 *     0, the default, for no clipping.
 * @param horizontalFlip {@code horizontal_flip}: Random horizontal flips (probability 0.5) of the training images;
 *     default true. {@code false}: none ({@code resvision train} builds its COCO source with this, {@code image_mean}
 *     and {@code image_std}).
 * @param seed {@code seed}: Seeds the data order, the augmentation and the RPN and box head samplers, so a run
 *     repeats; default 0.
 * @param logEvery {@code log_every}: Iterations between log lines (losses, learning rate, time); default 20.
 * @param checkpointEvery {@code checkpoint_every}: Iterations between checkpoints (each followed by validation), plus
 *     one at the end; default 5000.
 */
public record DetectionRecipe(
        int batchSize,
        int iterations,
        float lr,
        float momentum,
        float weightDecay,
        boolean decayNormAndBias,
        String lrSchedule,
        int[] milestones,
        int warmupIters,
        float clipGradNorm,
        boolean horizontalFlip,
        long seed,
        int logEvery,
        int checkpointEvery) {

    /**
     * Checks the values and copies the milestones.
     *
     * @param batchSize the config field {@code batch_size}
     * @param iterations the config field {@code iterations}
     * @param lr the config field {@code lr}
     * @param momentum the config field {@code momentum}
     * @param weightDecay the config field {@code weight_decay}
     * @param decayNormAndBias the config field {@code decay_norm_and_bias}
     * @param lrSchedule the config field {@code lr_schedule}
     * @param milestones the config field {@code milestones}
     * @param warmupIters the config field {@code warmup_iters}
     * @param clipGradNorm the config field {@code clip_grad_norm}
     * @param horizontalFlip the config field {@code horizontal_flip}
     * @param seed the config field {@code seed}
     * @param logEvery the config field {@code log_every}
     * @param checkpointEvery the config field {@code checkpoint_every}
     * @throws IllegalArgumentException naming the config field of the first value that no model or run can use
     */
    public DetectionRecipe {
        Recipe.check(batchSize, iterations, lr, momentum, weightDecay, logEvery, checkpointEvery);
        if (warmupIters < 0 || !(clipGradNorm >= 0) || !Float.isFinite(clipGradNorm)) {
            throw new IllegalArgumentException("warmup_iters " + warmupIters + " and clip_grad_norm " + clipGradNorm + " must be >= 0");
        }
        if (!"multistep".equals(lrSchedule) && !"cosine".equals(lrSchedule)) {
            throw new IllegalArgumentException("lr_schedule '" + lrSchedule + "' must be 'multistep' or 'cosine'");
        }
        if (milestones == null) {
            throw new IllegalArgumentException("milestones must be a list of iterations");
        }
        milestones = milestones.clone();
    }

    /**
     * {@code milestones}.
     *
     * @return a copy
     */
    @Override
    public int[] milestones() {
        return milestones.clone();
    }

    /**
     * Equality by value, arrays included (a record's own would compare the arrays' identities).
     *
     * @param o another object
     * @return whether {@code o} is a {@code DetectionRecipe} with equal components
     */
    @Override
    public boolean equals(Object o) {
        return ValueRecords.equal(this, o);
    }

    @Override
    public int hashCode() {
        return ValueRecords.hash(this);
    }

    @Override
    public String toString() {
        return ValueRecords.text(this);
    }
}
