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
 */
public final class DetectionTransform {

    /** A transformed batch: images [N, 3, H, W], resized sizes and original sizes, {@code {h, w}} each. */
    public record Prepared(NDArray images, int[][] imageSizes, int[][] originalSizes) implements AutoCloseable {
        @Override
        public void close() {
            images.close();
        }
    }

    public static final int SIZE_DIVISIBLE = 32;

    private final int minSize;
    private final int maxSize;
    private final float[] mean;
    private final float[] std;

    public DetectionTransform(int minSize, int maxSize, float[] mean, float[] std) {
        this.minSize = minSize;
        this.maxSize = maxSize;
        this.mean = mean;
        this.std = std;
    }

    public static DetectionTransform of(DetectionConfig c) {
        return new DetectionTransform(c.min_size, c.max_size, c.image_mean, c.image_std);
    }

    /** One image [3, H, W] RGB in 0..1, normalised and resized (not padded). */
    public NDArray normalizeAndResize(NDArray image) {
        if (image.getShape().dimension() != 3 || image.getShape().get(0) != 3) {
            throw new IllegalArgumentException("image has shape " + image.getShape() + ", expected [3, H, W]");
        }
        Sample n = Transforms.normalize(new Sample(image, new float[0][], new int[0], null, null), mean, std);
        Sample r = Transforms.resizeForDetection(n, minSize, maxSize);
        if (r.image() != n.image()) {
            n.image().close();
        }
        return r.image();
    }

    /** @param images [3, H, W] RGB in 0..1, any sizes */
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

    /** Detections in each original image's coordinates. */
    public static List<Detections> postprocess(List<Detections> detections, Prepared p) {
        List<Detections> out = new ArrayList<>();
        for (int i = 0; i < detections.size(); i++) {
            out.add(detections.get(i).rescale(p.imageSizes()[i][0], p.imageSizes()[i][1], p.originalSizes()[i][0], p.originalSizes()[i][1]));
        }
        return out;
    }
}
