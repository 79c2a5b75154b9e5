package org.resvision.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.List;
import org.resvision.data.boxes.Boxes;
import org.resvision.nn.GradSafe;

/**
 * torchvision's {@code MultiScaleRoIAlign} (featmap names {@code 0..3}, output 7, sampling ratio
 * 2): each box is pooled from one FPN level chosen by {@code LevelMapper}, {@code floor(4 +
 * log2(sqrt(area) / 224) + 1e-6)} clamped to the available levels; level scales are {@code 2^round(
 * log2(feature height / largest image height))}.
 *
 * <p>Immutable; safe to share between threads (it has no parameters).
 */
public final class MultiScaleRoiAlign {

    private final int outputSize;
    private final int samplingRatio;
    private final float canonicalScale;
    private final int canonicalLevel;

    /**
     * With torchvision's {@code LevelMapper} constants (canonical scale 224, level 4).
     *
     * @param outputSize each box is pooled to {@code outputSize x outputSize} (7)
     * @param samplingRatio bilinear samples per bin along each axis ({@code <= 0}: adaptive) (2)
     */
    public MultiScaleRoiAlign(int outputSize, int samplingRatio) {
        this(outputSize, samplingRatio, 224, 4);
    }

    /**
     * With other {@code LevelMapper} constants.
     *
     * @param outputSize each box is pooled to {@code outputSize x outputSize}
     * @param samplingRatio bilinear samples per bin along each axis ({@code <= 0}: adaptive)
     * @param canonicalScale the box size in pixels that maps to {@code canonicalLevel} (224)
     * @param canonicalLevel the pyramid level, log2 of the stride, of a box of {@code canonicalScale} (4)
     */
    public MultiScaleRoiAlign(int outputSize, int samplingRatio, float canonicalScale, int canonicalLevel) {
        this.outputSize = outputSize;
        this.samplingRatio = samplingRatio;
        this.canonicalScale = canonicalScale;
        this.canonicalLevel = canonicalLevel;
    }

    /**
     * The pooled size.
     *
     * @return the side of the pooled features, in bins
     */
    public int outputSize() {
        return outputSize;
    }

    /** {@code _infer_scale}: a power of two close to {@code featureSize / imageSize}. */
    static float scale(long featureSize, int imageSize) {
        float approx = (float) ((double) featureSize / imageSize);
        return (float) Math.pow(2, Math.rint(Math.log(approx) / Math.log(2)));
    }

    /** The level (0-based among {@code levels}) each box is pooled from. */
    int[] levels(float[] boxes, int kMin, int kMax) {
        int n = Boxes.count(boxes);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            float s = (float) Math.sqrt(Boxes.area(boxes, i));
            float lg = (float) (Math.log(s / canonicalScale) / Math.log(2));
            float t = (float) Math.floor(canonicalLevel + lg + 1e-6f);
            out[i] = (int) Math.min(Math.max(t, kMin), kMax) - kMin;
        }
        return out;
    }

    /**
     * Pools every image's boxes from the level {@code LevelMapper} picks for each.
     *
     * @param features the pooled levels, finest first, each [B, C, H_l, W_l]
     * @param boxes per image, its boxes (flat {@code x1, y1, x2, y2})
     * @param imageSizes per image {@code {h, w}} (resized, unpadded)
     * @return [sum of boxes, C, out, out], images in order, in the first level's manager
     */
    public NDArray apply(List<NDArray> features, List<float[]> boxes, int[][] imageSizes) {
        int maxH = 0;
        for (int[] s : imageSizes) {
            maxH = Math.max(maxH, s[0]);
        }
        float[] scales = new float[features.size()];
        for (int l = 0; l < scales.length; l++) {
            scales[l] = scale(features.get(l).getShape().get(2), maxH);
        }
        int kMin = (int) Math.round(-Math.log(scales[0]) / Math.log(2));
        int kMax = (int) Math.round(-Math.log(scales[scales.length - 1]) / Math.log(2));
        int total = 0;
        for (float[] b : boxes) {
            total += Boxes.count(b);
        }
        float[] all = new float[total * 4];
        int[] image = new int[total];
        int k = 0;
        for (int i = 0; i < boxes.size(); i++) {
            float[] b = boxes.get(i);
            System.arraycopy(b, 0, all, 4 * k, b.length);
            for (int j = 0; j < Boxes.count(b); j++) {
                image[k++] = i;
            }
        }
        NDArray first = features.get(0);
        long c = first.getShape().get(1);
        NDManager m = first.getManager();
        if (features.size() == 1) {
            return RoiAlign.apply(first, rois(all, image, null, -1), scales[0], outputSize, samplingRatio);
        }
        int[] level = levels(all, kMin, kMax);
        if (RoiAlign.pooledInJava(first) && total > 0) {
            // inference: every level pools straight into its boxes' rows of one tensor
            NDArray result = m.create(new Shape(total, c, outputSize, outputSize), DataType.FLOAT32);
            FloatBuffer dest = result.toByteBuffer(true).asFloatBuffer();
            for (int l = 0; l < features.size(); l++) {
                int lv = l;
                int[] rows = java.util.stream.IntStream.range(0, total).filter(i -> level[i] == lv).toArray();
                if (rows.length == 0) {
                    continue;
                }
                RoiAlign.poolInto(features.get(l), rois(all, image, level, l), scales[l], outputSize, samplingRatio, dest, rows);
            }
            return result;
        }
        // pool each level's boxes, then put the rows back in box order with one gather
        NDList pooled = new NDList();
        long[] position = new long[total];
        int next = 0;
        for (int l = 0; l < features.size(); l++) {
            int count = 0;
            for (int i = 0; i < total; i++) {
                if (level[i] == l) {
                    position[i] = next + count++;
                }
            }
            if (count == 0) {
                continue;
            }
            pooled.add(RoiAlign.apply(features.get(l), rois(all, image, level, l), scales[l], outputSize, samplingRatio));
            next += count;
        }
        if (pooled.isEmpty()) {
            return m.zeros(new Shape(0, c, outputSize, outputSize), first.getDataType(), first.getDevice());
        }
        NDArray cat = pooled.size() == 1 ? pooled.get(0) : ai.djl.ndarray.NDArrays.concat(pooled);
        boolean identity = true;
        for (int i = 0; i < total; i++) {
            identity &= position[i] == i;
        }
        if (identity) {
            if (pooled.size() > 1) {
                pooled.close();
            }
            return cat;
        }
        try (NDArray idx = GradSafe.longs(m, position).toDevice(first.getDevice(), false)) {
            NDArray out = cat.get(idx);
            pooled.close();
            cat.close();
            return out;
        }
    }

    /** {@code (image, x1, y1, x2, y2)} rows of the boxes on {@code level} (all when level is null). */
    private static float[] rois(float[] boxes, int[] image, int[] level, int l) {
        int n = 0;
        for (int i = 0; i < image.length; i++) {
            if (level == null || level[i] == l) {
                n++;
            }
        }
        float[] out = new float[5 * n];
        int k = 0;
        for (int i = 0; i < image.length; i++) {
            if (level == null || level[i] == l) {
                out[k++] = image[i];
                System.arraycopy(boxes, 4 * i, out, k, 4);
                k += 4;
            }
        }
        return out;
    }
}
