package org.resvision.data.loader;

import java.util.Random;
import org.resvision.data.transform.Sample;
import org.resvision.data.transform.Transforms;

/**
 * How a detection source prepares an image for a model, torchvision's way: in training a random
 * horizontal flip, then normalisation, then {@link Transforms#resizeForDetection}. The detection
 * model's transform has the sizes, mean and std (its config's {@code min_size}, {@code max_size},
 * {@code image_mean}, {@code image_std}), the recipe the flip ({@code horizontal_flip}); the COCO
 * and VOC sources both apply it.
 *
 * <p>Immutable (the arrays are copied in and out); safe to share between threads.
 *
 * @param minSize the short side's length after the resize (torchvision: 800)
 * @param maxSize the long side's limit after the resize (torchvision: 1333)
 * @param mean per-channel mean (RGB, on 0..1 pixels) subtracted
 * @param std per-channel standard deviation divided by
 * @param flipProbability the chance of a horizontal flip in training, 0 to 1 (0: never)
 */
public record DetectionInput(int minSize, int maxSize, float[] mean, float[] std, double flipProbability) {

    /**
     * Checks the values and copies the arrays.
     *
     * @param minSize the short side's length after the resize
     * @param maxSize the long side's limit after the resize
     * @param mean per-channel mean
     * @param std per-channel standard deviation
     * @param flipProbability the chance of a horizontal flip in training
     * @throws IllegalArgumentException when a size is not positive, mean or std does not hold 3 values, a
     *     std is not positive, or the probability is outside [0, 1]
     */
    public DetectionInput {
        if (minSize <= 0 || maxSize < minSize) {
            throw new IllegalArgumentException("min size " + minSize + " / max size " + maxSize + " must satisfy 0 < min <= max");
        }
        if (mean.length != 3 || std.length != 3 || !(std[0] > 0 && std[1] > 0 && std[2] > 0)) {
            throw new IllegalArgumentException("image mean and std must hold 3 values each, std positive");
        }
        if (!(flipProbability >= 0 && flipProbability <= 1)) {
            throw new IllegalArgumentException("flip probability must be in [0, 1], got " + flipProbability);
        }
        mean = mean.clone();
        std = std.clone();
    }

    /**
     * torchvision's defaults at these sizes: ImageNet's mean and std, flips with probability 0.5.
     *
     * @param minSize the short side's length after the resize
     * @param maxSize the long side's limit after the resize
     * @return the input
     */
    public static DetectionInput imagenet(int minSize, int maxSize) {
        return new DetectionInput(minSize, maxSize, Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD, 0.5);
    }

    /**
     * {@code mean}.
     *
     * @return a copy
     */
    @Override
    public float[] mean() {
        return mean.clone();
    }

    /**
     * {@code std}.
     *
     * @return a copy
     */
    @Override
    public float[] std() {
        return std.clone();
    }

    /**
     * A loaded image with its objects, prepared.
     *
     * @param s the image [3, H, W] RGB in [0, 1] with its boxes
     * @param train whether to flip at random (one draw from {@code rnd} when {@code flipProbability > 0})
     * @param rnd the item's randomness
     * @return the flipped (maybe), normalised and resized sample
     */
    public Sample apply(Sample s, boolean train, Random rnd) {
        Sample out = s;
        if (train && flipProbability > 0) {
            out = Transforms.randomHorizontalFlip(out, rnd, flipProbability);
        }
        out = Transforms.normalize(out, mean, std);
        return Transforms.resizeForDetection(out, minSize, maxSize);
    }
}
