package org.resvision.nn;

/**
 * The normalisation layer a backbone is built with.
 *
 * @param frozen {@code true} for torchvision's {@code FrozenBatchNorm2d} (fixed affine from the
 *     buffers), {@code false} for a trainable {@code BatchNorm2d}
 * @param eps the epsilon added to the variance: 1e-5 in torchvision 0.14; torchvision's COCO
 *     detection weights (v1) were trained with 0.0
 */
public record Norm(boolean frozen, float eps) {

    /** torchvision's default epsilon. */
    public static final float DEFAULT_EPS = 1e-5f;

    /**
     * torchvision's default normalisation.
     *
     * @return a trainable {@code BatchNorm2d} with {@link #DEFAULT_EPS}
     */
    public static Norm batchNorm() {
        return new Norm(false, DEFAULT_EPS);
    }

    /**
     * The normalisation torchvision's detection builders use over a pretrained backbone.
     *
     * @return a {@code FrozenBatchNorm2d} with {@link #DEFAULT_EPS}
     */
    public static Norm frozenBatchNorm() {
        return new Norm(true, DEFAULT_EPS);
    }

    /**
     * The same kind with another epsilon.
     *
     * @param newEps the epsilon added to the variance
     * @return a new {@code Norm}; this one is unchanged
     */
    public Norm withEps(float newEps) {
        return new Norm(frozen, newEps);
    }

    /**
     * A new layer of this kind over {@code channels} channels.
     *
     * @param channels C of the [N, C, H, W] input
     * @return a new, uninitialized {@link FrozenBatchNorm2d} or {@link BatchNorm2d} with this epsilon
     */
    public TorchModule create(int channels) {
        return frozen ? new FrozenBatchNorm2d(channels, eps) : new BatchNorm2d(channels, eps);
    }
}
