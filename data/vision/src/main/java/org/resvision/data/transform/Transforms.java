package org.resvision.data.transform;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.resvision.data.boxes.Boxes;

/**
 * Image + target transforms with torchvision's semantics. New arrays belong to the input
 * image's manager.
 * Inputs are neither closed nor changed; intermediate arrays some transforms make also stay in
 * that manager until it is closed. Boxes are {@code [x1, y1, x2, y2]} in pixels.
 *
 * <p>Stateless; safe to call from several threads at once.
 */
public final class Transforms {

    /**
     * ImageNet statistics (torchvision's detection and segmentation defaults): the per-channel mean
     * (R, G, B) of images in [0, 1]; do not modify.
     */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    /** ImageNet per-channel standard deviation (R, G, B), for images in [0, 1]; do not modify. */
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /**
     * DJL's interpolation mode for nearest neighbour. (Its "bilinear" mode 1 antialiases when
     * downsampling, unlike torchvision's resize; {@link #bilinear} is ours.)
     */
    private static final int NEAREST = 0;

    private Transforms() {}

    /**
     * The size {@code GeneralizedRCNNTransform} resizes an {@code h x w} image to, bit for bit:
     * {@code scale = min(min_size * fl32(1/short), max_size * fl32(1/long))} in float32 (PyTorch
     * divides a Python number by a tensor as reciprocal-times), then {@code floor(side * scale)}
     * in double ({@code interpolate(recompute_scale_factor=True)}). A 500x375 image with 800/1333
     * becomes 1066x799.
     *
     * @param h image height in pixels
     * @param w image width in pixels
     * @param minSize target short side (torchvision: 800)
     * @param maxSize cap on the long side (torchvision: 1333)
     * @return a new {@code {newH, newW}}, each at least 1
     */
    public static int[] detectionSize(int h, int w, int minSize, int maxSize) {
        float shortSide = Math.min(h, w);
        float longSide = Math.max(h, w);
        float a = (1f / shortSide) * (float) minSize;
        float b = (1f / longSide) * (float) maxSize;
        double scale = Math.min(a, b);
        // at least one pixel: torchvision would give 0 for a 20000x1 image and fail in the first conv
        return new int[] {Math.max(1, (int) Math.floor(h * scale)), Math.max(1, (int) Math.floor(w * scale))};
    }

    /**
     * (x - mean) / std per channel.
     *
     * @param s the sample; its image must have 3 channels
     * @param mean per-channel mean, 3 values, R, G, B (for example {@link #IMAGENET_MEAN})
     * @param std per-channel standard deviation, 3 values, R, G, B (for example {@link #IMAGENET_STD})
     * @return a new sample with a new image and the same targets
     */
    public static Sample normalize(Sample s, float[] mean, float[] std) {
        NDManager m = s.image().getManager();
        try (NDArray mu = m.create(mean).reshape(3, 1, 1); NDArray sd = m.create(std).reshape(3, 1, 1);
                NDArray centred = s.image().sub(mu)) {
            return s.withImage(centred.div(sd));
        }
    }

    /**
     * torchvision's detection resize (call after {@link #normalize}, as GeneralizedRCNNTransform
     * does): bilinear without antialiasing, {@code align_corners=False}; boxes scaled by the
     * float32 ratios new/old per axis; masks resized with nearest neighbour.
     *
     * @param s the sample
     * @param minSize target short side (torchvision: 800)
     * @param maxSize cap on the long side (torchvision: 1333)
     * @return a new sample of the size {@link #detectionSize} gives, as {@link #resize}
     */
    public static Sample resizeForDetection(Sample s, int minSize, int maxSize) {
        int h = (int) s.height();
        int w = (int) s.width();
        int[] size = detectionSize(h, w, minSize, maxSize);
        return resize(s, size[0], size[1]);
    }

    /**
     * Resizes image (bilinear), masks and seg map (nearest) to {@code newH x newW}, scaling boxes.
     *
     * @param s the sample
     * @param newH new height in pixels
     * @param newW new width in pixels
     * @return a new sample with new arrays, boxes scaled by {@code newW / W} and {@code newH / H}, the same
     *     labels
     */
    public static Sample resize(Sample s, int newH, int newW) {
        int h = (int) s.height();
        int w = (int) s.width();
        NDArray img = bilinear(s.image(), newH, newW);
        float rh = (float) newH / (float) h;
        float rw = (float) newW / (float) w;
        Boxes boxes = s.boxes().scale(rw, rh);
        NDArray masks = s.masks() == null ? null : nearest(s.masks(), newH, newW);
        NDArray seg = null;
        if (s.segMap() != null) {
            try (NDArray one = s.segMap().expandDims(0)) {
                NDArray r = nearest(one, newH, newW);
                seg = r.squeeze(0);
                r.close();
            }
        }
        return new Sample(img, boxes, s.labels(), masks, seg);
    }

    /**
     * PyTorch's {@code interpolate(mode="bilinear", align_corners=False, antialias=False)} of a
     * [C, H, W] array, as two separable gathers (width, then height): for each output index,
     * source {@code s = max(0, (in/out) * (dst + 0.5) - 0.5)} (the scale a float, the rest in
     * double), neighbours {@code floor(s)} and the next (clamped), weight {@code s - floor(s)}
     * as a float. This matches torchvision 0.14's resize to one float rounding.
     *
     * @param chw the image [C, H, W], float
     * @param outH output height in pixels
     * @param outW output width in pixels
     * @return a new [C, outH, outW] array in {@code chw}'s manager (a copy even when the size is unchanged)
     */
    public static NDArray bilinear(NDArray chw, int outH, int outW) {
        Shape s = chw.getShape();
        NDManager m = chw.getManager();
        try (NDManager scope = m.newSubManager()) {
            NDArray x = chw.duplicate();
            x.attach(scope);
            NDArray cols = lerp(x, 2, (int) s.get(2), outW, scope);
            NDArray rows = lerp(cols, 1, (int) s.get(1), outH, scope);
            rows.attach(m);
            return rows;
        }
    }

    private static NDArray lerp(NDArray x, int axis, int in, int out, NDManager scope) {
        if (in == out) {
            return x;
        }
        long[] i0 = new long[out];
        long[] i1 = new long[out];
        float[] l1 = new float[out];
        float[] l0 = new float[out];
        float scale = (float) in / out;
        for (int d = 0; d < out; d++) {
            // as torch 1.13's kernel (fitted to 1 ulp): the float scale times (dst + 0.5) in double,
            // the index its floor, the weight the double remainder stored as float
            double src = Math.max(scale * (d + 0.5) - 0.5, 0.0);
            long lo = (long) src;
            i0[d] = lo;
            i1[d] = lo < in - 1 ? lo + 1 : lo;
            l1[d] = (float) (src - lo);
            l0[d] = 1f - l1[d];
        }
        Shape wShape = axis == 2 ? new Shape(1, 1, out) : new Shape(1, out, 1);
        String index = axis == 2 ? ":, :, {}" : ":, {}, :";
        NDArray a = x.get(new NDIndex(index, scope.create(i0)));
        NDArray b = x.get(new NDIndex(index, scope.create(i1)));
        return a.mul(scope.create(l0).reshape(wShape)).add(b.mul(scope.create(l1).reshape(wShape)));
    }

    private static NDArray interpolate(NDArray chw, int h, int w, int mode) {
        try (NDArray batch = chw.expandDims(0)) {
            NDArray out = batch.getNDArrayInternal().interpolation(new long[] {h, w}, mode, false);
            NDArray r = out.squeeze(0);
            out.close();
            return r;
        }
    }

    /** Nearest-neighbour resize of [N, H, W] integer maps (through float, as torchvision does). */
    private static NDArray nearest(NDArray nhw, int h, int w) {
        DataType type = nhw.getDataType();
        try (NDArray f = nhw.toType(DataType.FLOAT32, false); NDArray r = interpolate(f, h, w, NEAREST)) {
            return r.toType(type, false);
        }
    }

    /**
     * Mirrors the image left-right, with boxes, masks and seg map.
     *
     * @param s the sample
     * @return a new sample with flipped arrays, boxes {@code [W - x2, y1, W - x1, y2]}, the same labels
     */
    public static Sample horizontalFlip(Sample s) {
        return new Sample(s.image().flip(2), s.boxes().flipHorizontal(s.width()), s.labels(),
                s.masks() == null ? null : s.masks().flip(2), s.segMap() == null ? null : s.segMap().flip(1));
    }

    /**
     * With probability {@code p}, {@link #horizontalFlip}.
     *
     * @param s the sample
     * @param rnd draws one {@code nextDouble()}
     * @param p flip probability, 0..1 (torchvision: 0.5)
     * @return the flipped sample, or {@code s} itself
     */
    public static Sample randomHorizontalFlip(Sample s, Random rnd, double p) {
        return rnd.nextDouble() < p ? horizontalFlip(s) : s;
    }

    /**
     * Colour jitter on a [0, 1] image: brightness, contrast and saturation factors drawn from
     * {@code [1 - x, 1 + x]}, result clipped to [0, 1] (torchvision's ColorJitter without hue).
     * Unlike torchvision, the order is fixed (brightness, contrast, saturation) and only the result is
     * clipped, not each step.
     *
     * @param s the sample; call before {@link #normalize}
     * @param rnd draws one {@code nextDouble()} per positive range, in that order
     * @param brightness range {@code x} of the brightness factor; 0 or less: unchanged
     * @param contrast range of the contrast factor (towards the mean grey level); 0 or less: unchanged
     * @param saturation range of the saturation factor (towards each pixel's grey); 0 or less: unchanged
     * @return a new sample with a new image and the same targets
     */
    public static Sample colorJitter(Sample s, Random rnd, float brightness, float contrast, float saturation) {
        NDArray x = s.image().mul(factor(rnd, brightness));
        NDArray gray = x.mul(x.getManager().create(new float[] {0.299f, 0.587f, 0.114f}).reshape(3, 1, 1)).sum(new int[] {0}, true);
        float c = factor(rnd, contrast);
        NDArray y = x.mul(c).add(gray.mean().mul(1 - c));
        float sat = factor(rnd, saturation);
        NDArray g2 = y.mul(y.getManager().create(new float[] {0.299f, 0.587f, 0.114f}).reshape(3, 1, 1)).sum(new int[] {0}, true);
        NDArray z = y.mul(sat).add(g2.mul(1 - sat)).clip(0f, 1f);
        return s.withImage(z);
    }

    private static float factor(Random rnd, float range) {
        return range <= 0 ? 1f : (float) (1 - range + 2 * range * rnd.nextDouble());
    }

    /**
     * torchvision's segmentation reference augmentation: resize so the short side is a random
     * size in {@code [minSize, maxSize]} (image bilinear, seg map nearest), pad to at least
     * {@code crop} (image with 0, seg map with 255), then a random {@code crop x crop} window.
     * Boxes are shifted and clamped to the window (a box outside it becomes empty, not removed);
     * instance masks are dropped (the result has none).
     *
     * @param s the sample; call before {@link #normalize}, so that padding is black
     * @param rnd draws the size, then the window's row and column
     * @param minSize smallest short side in pixels
     * @param maxSize largest short side in pixels, at least {@code minSize}
     * @param crop window side in pixels
     * @return a new sample: image [C, crop, crop], seg map [crop, crop] (if any)
     */
    public static Sample randomResizeCrop(Sample s, Random rnd, int minSize, int maxSize, int crop) {
        int size = minSize + rnd.nextInt(maxSize - minSize + 1);
        int h = (int) s.height();
        int w = (int) s.width();
        int nh = h <= w ? size : (int) Math.max(1, (long) size * h / w);
        int nw = h <= w ? (int) Math.max(1, (long) size * w / h) : size;
        Sample r = resize(s, nh, nw);
        int ph = Math.max(crop, nh);
        int pw = Math.max(crop, nw);
        NDArray img = pad(r.image(), ph, pw, 0f);
        NDArray seg = r.segMap() == null ? null : pad(r.segMap().expandDims(0), ph, pw, 255f).squeeze(0);
        int y = rnd.nextInt(ph - crop + 1);
        int x = rnd.nextInt(pw - crop + 1);
        NDIndex window = new NDIndex(":, {}:{}, {}:{}", y, y + crop, x, x + crop);
        // shifted, then clamped to [0, crop] (the same float operations as clamping each coordinate)
        Boxes boxes = r.boxes().translate(-x, -y).clip(crop, crop);
        return new Sample(img.get(window), boxes, r.labels(), null,
                seg == null ? null : seg.get(new NDIndex("{}:{}, {}:{}", y, y + crop, x, x + crop)));
    }

    /** [C, H, W] padded at the bottom/right to {@code h x w} with {@code value}. */
    static NDArray pad(NDArray chw, int h, int w, float value) {
        Shape s = chw.getShape();
        if (s.get(1) == h && s.get(2) == w) {
            return chw;
        }
        NDArray out = chw.getManager().full(new Shape(s.get(0), h, w), value, chw.getDataType());
        out.set(new NDIndex(":, :{}, :{}", s.get(1), s.get(2)), chw);
        return out;
    }

    /**
     * torchvision's {@code batch_images}: zero-pads every image at the bottom/right to the batch's
     * largest size rounded up to a multiple of {@code divisor} (32), and stacks them.
     *
     * @param images [3, H, W] arrays of any sizes, at least one
     * @param divisor the multiple H and W are rounded up to
     * @return [N, 3, H, W], a new array in the first image's manager
     */
    public static NDArray padBatch(List<NDArray> images, int divisor) {
        long h = 0;
        long w = 0;
        for (NDArray im : images) {
            h = Math.max(h, im.getShape().get(1));
            w = Math.max(w, im.getShape().get(2));
        }
        h = (h + divisor - 1) / divisor * divisor;
        w = (w + divisor - 1) / divisor * divisor;
        NDList padded = new NDList();
        for (NDArray im : images) {
            padded.add(pad(im, (int) h, (int) w, 0f));
        }
        return ai.djl.ndarray.NDArrays.stack(padded);
    }
}
