package org.resvision.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;
import org.resvision.data.transform.Sample;
import org.resvision.data.transform.Transforms;

/**
 * torchvision's {@code GeneralizedRCNNTransform} for inference: normalise, resize (the float32
 * size rule of {@link Transforms#detectionSize}, bilinear without antialias), zero-pad the batch
 * to a multiple of 32; and {@link #postprocess}: boxes back to each original image.
 *
 * <p>Immutable (it copies the mean and std); safe to share between threads.
 */
public final class DetectionTransform {

    /**
     * A transformed batch: images [N, 3, H, W], resized sizes and original sizes, {@code {h, w}} each.
     *
     * @param images [N, 3, H, W] float32, zero-padded to multiples of 32; closed by {@link #close()}
     * @param imageSizes per image {@code {h, w}} after the resize, before the padding
     * @param originalSizes per image {@code {h, w}} as given
     */
    public record Prepared(NDArray images, int[][] imageSizes, int[][] originalSizes) implements AutoCloseable {
        @Override
        public void close() {
            images.close();
        }
    }

    /** The padded batch's height and width are multiples of this (torchvision's {@code size_divisible}). */
    public static final int SIZE_DIVISIBLE = 32;

    private final int minSize;
    private final int maxSize;
    private final float[] mean;
    private final float[] std;

    /**
     * A transform with these settings.
     *
     * @param minSize the shorter side's length in pixels after the resize (800)
     * @param maxSize the longer side's limit in pixels, which wins over {@code minSize} (1333)
     * @param mean per-channel mean (R, G, B) of pixels in [0, 1]
     * @param std per-channel standard deviation (R, G, B)
     */
    public DetectionTransform(int minSize, int maxSize, float[] mean, float[] std) {
        this.minSize = minSize;
        this.maxSize = maxSize;
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /**
     * The shorter side's length after the resize.
     *
     * @return pixels (torchvision's {@code min_size})
     */
    public int minSize() {
        return minSize;
    }

    /**
     * The longer side's limit after the resize, which wins over {@link #minSize()}.
     *
     * @return pixels (torchvision's {@code max_size})
     */
    public int maxSize() {
        return maxSize;
    }

    /**
     * The per-channel mean subtracted from pixels in [0, 1].
     *
     * @return a copy, R, G, B
     */
    public float[] mean() {
        return mean.clone();
    }

    /**
     * The per-channel standard deviation the pixels are divided by after the mean.
     *
     * @return a copy, R, G, B
     */
    public float[] std() {
        return std.clone();
    }

    /**
     * One image [3, H, W] RGB in 0..1, normalised and resized (not padded).
     *
     * @param image [3, H, W] float32 RGB in [0, 1]; left open, the caller still owns it
     * @return a new [3, h, w] float32 array in {@code image}'s manager
     * @throws IllegalArgumentException when {@code image} is not [3, H, W]
     */
    public NDArray normalizeAndResize(NDArray image) {
        if (image.getShape().dimension() != 3 || image.getShape().get(0) != 3) {
            throw new IllegalArgumentException("image has shape " + image.getShape() + ", expected [3, H, W]");
        }
        Sample n = Transforms.normalize(Sample.of(image), mean, std);
        Sample r = Transforms.resizeForDetection(n, minSize, maxSize);
        if (r.image() != n.image()) {
            n.image().close();
        }
        return r.image();
    }

    /**
     * Normalises, resizes and pads images into one batch.
     *
     * @param images [3, H, W] RGB in 0..1, any sizes
     * @return the batch (in the first image's manager; close it) with each image's sizes; the inputs stay open
     * @throws IllegalArgumentException when an image is not [3, H, W] (the message names its index)
     */
    public Prepared prepare(List<NDArray> images) {
        NDList resized = new NDList();
        int[][] sizes = new int[images.size()][];
        int[][] originals = new int[images.size()][];
        for (int i = 0; i < images.size(); i++) {
            NDArray im = images.get(i);
            originals[i] = new int[] {(int) im.getShape().get(1), (int) im.getShape().get(2)};
            NDArray r;
            try {
                r = normalizeAndResize(im);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("image " + i + ": " + e.getMessage());
            }
            resized.add(r);
            sizes[i] = new int[] {(int) r.getShape().get(1), (int) r.getShape().get(2)};
        }
        NDArray batch = Transforms.padBatch(resized, SIZE_DIVISIBLE);
        resized.close();
        return new Prepared(batch, sizes, originals);
    }

    /**
     * Detections in each original image's coordinates.
     *
     * @param detections per image, in the resized image's pixels ({@link FasterRcnn#detect})
     * @param p the batch they came from
     * @return new detections, per image, in its original pixels
     */
    public static List<Detections> postprocess(List<Detections> detections, Prepared p) {
        List<Detections> out = new ArrayList<>();
        for (int i = 0; i < detections.size(); i++) {
            out.add(detections.get(i).rescale(p.imageSizes()[i][0], p.imageSizes()[i][1], p.originalSizes()[i][0], p.originalSizes()[i][1]));
        }
        return out;
    }
}
