package org.resvision.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.resvision.data.transform.Sample;
import org.resvision.data.transform.Transforms;

/**
 * What an FCN's images go through at inference, as torchvision's segmentation reference evaluates:
 * the short side resized to {@code shortSide} (bilinear, torchvision's {@code resize(img,
 * [size])}), ImageNet normalisation; and back: the per-pixel argmax of the model's {@code out},
 * resized to the image's size with nearest neighbour. The one path of {@code predict}, {@code
 * annotate-video --seg-weights} and {@link SegmentationTranslator}; the config's {@code base_size}
 * sets the size ({@link #of}).
 *
 * <p>Immutable; safe to share between threads.
 */
public final class SegmentationTransform {

    private final int shortSide;

    /**
     * A transform resizing to a short side.
     *
     * @param shortSide the short side's length in pixels before the model; 0 keeps each image's size
     * @throws IllegalArgumentException when negative
     */
    public SegmentationTransform(int shortSide) {
        if (shortSide < 0) {
            throw new IllegalArgumentException("short side " + shortSide + " must be >= 0 (0: the image's own size)");
        }
        this.shortSide = shortSide;
    }

    /**
     * The transform of a config.
     *
     * @param c a segmentation config
     * @return the transform resizing to its {@code base_size}
     */
    public static SegmentationTransform of(SegmentationConfig c) {
        return new SegmentationTransform(c.baseSize());
    }

    /**
     * The short side images are resized to.
     *
     * @return pixels, 0 for none
     */
    public int shortSide() {
        return shortSide;
    }

    /**
     * torchvision's {@code resize(img, [shortSide])}: the shorter side becomes {@code shortSide},
     * the longer {@code int(shortSide * long / short)} (truncated, as torchvision computes it).
     *
     * @param h the image's height in pixels
     * @param w the image's width in pixels
     * @param shortSide the shorter side's new length in pixels
     * @return {@code {height, width}} after the resize
     */
    public static int[] resized(int h, int w, int shortSide) {
        if (h <= w) {
            return new int[] {shortSide, (int) ((long) shortSide * w / h)};
        }
        return new int[] {(int) ((long) shortSide * h / w), shortSide};
    }

    /**
     * One image, ready for the model.
     *
     * @param rgb [3, H, W] float32 RGB in [0, 1]; left open
     * @return a new [3, h, w] array: resized when {@code shortSide > 0}, ImageNet-normalised
     */
    public NDArray prepare(NDArray rgb) {
        NDArray in = rgb;
        if (shortSide > 0) {
            int[] hw = resized((int) rgb.getShape().get(1), (int) rgb.getShape().get(2), shortSide);
            in = Transforms.bilinear(rgb, hw[0], hw[1]);
        }
        NDArray out = Transforms.normalize(Sample.of(in), Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD).image();
        if (in != rgb) {
            in.close();
        }
        return out;
    }

    /**
     * The class of each pixel of an {@code h x w} image.
     *
     * @param out the model's {@code out} for the image, [C, h', w'] or [1, C, h', w']
     * @param h the image's height in pixels
     * @param w the image's width in pixels
     * @return a new [h, w] int32 array of class indices (argmax, then nearest neighbour when the sizes differ)
     */
    public NDArray classMap(NDArray out, int h, int w) {
        NDArray logits = out.getShape().dimension() == 3 ? out.expandDims(0) : out;
        NDArray pred = logits.argMax(1); // [1, h', w']
        if (pred.getShape().get(1) != h || pred.getShape().get(2) != w) {
            NDArray f = pred.toType(DataType.FLOAT32, false).expandDims(0);
            pred = f.getNDArrayInternal().interpolation(new long[] {h, w}, 0, false).squeeze(0); // nearest
        }
        return pred.squeeze(0).toType(DataType.INT32, false);
    }
}
