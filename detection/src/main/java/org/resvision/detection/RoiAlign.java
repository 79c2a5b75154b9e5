package org.resvision.detection;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import org.resvision.nn.Autograd;
import org.resvision.nn.GradSafe;

/**
 * torchvision's {@code roi_align} with {@code aligned=False} (Faster R-CNN's setting), built on
 * NDArray ops so that gradients flow to the features.
 *
 * <p>Semantics: RoI {@code (b, x1, y1, x2, y2)} scaled by {@code spatialScale}, forced to at least
 * 1x1; each of the {@code out x out} bins averages {@code grid x grid} bilinear samples ({@code
 * grid = samplingRatio}, or {@code ceil(roi / out)} when it is {@code <= 0}); a sample with {@code
 * y < -1 || y > H || x < -1 || x > W} counts as zero, others are clamped into the map.
 *
 * <p>How: bilinear sampling is separable, so each bin is a weighted sum of at most {@code (2
 * grid)^2} feature positions whose weights are products of per-axis weights. Java computes the
 * distinct positions and weights of every bin (merging samples that share a pixel). These weights
 * form a sparse pooling matrix {@code [R*out*out, B*H*W]}; with the features laid out as rows
 * {@code [B*H*W, C]}, pooling is one sparse x dense product, whose backward (the matrix's
 * transpose times the gradient) scatters into the features' gradient. Nothing of size {@code
 * R*out*out*K*C} is gathered, and autograd keeps only the sparse matrix. When the thread does
 * not record for autograd ({@link Autograd#isRecording()}: inference) and the features are on the
 * CPU, the same weighted sums run in Java over the features' channel-last rows, read in place.
 *
 * <p>Stateless; safe to call from several threads.
 */
public final class RoiAlign {

    private RoiAlign() {}

    /**
     * Pools each RoI to {@code out x out} bins.
     *
     * @param features [B, C, H, W]
     * @param rois {@code (batchIndex, x1, y1, x2, y2)} per RoI, flat
     * @param spatialScale feature-map pixels per input pixel (1/4 for the finest FPN level)
     * @param out the pooled side, in bins
     * @param samplingRatio bilinear samples per bin along each axis; {@code <= 0}: {@code ceil(roi size / out)}
     * @return [R, C, out, out], in {@code features}' manager
     * @throws IllegalArgumentException when a RoI's batch index is outside the batch
     */
    public static NDArray apply(NDArray features, float[] rois, float spatialScale, int out, int samplingRatio) {
        Shape s = features.getShape();
        int b = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        int r = rois.length / 5;
        NDManager m = features.getManager();
        if (r == 0) {
            return m.zeros(new Shape(0, c, out, out), features.getDataType(), features.getDevice());
        }
        Plan plan = plan(rois, spatialScale, out, samplingRatio, b, h, w);
        if (pooledInJava(features)) {
            return inference(features, plan, r, c, out);
        }
        // the pooling matrix [R * out * out, B * H * W]: one non-zero per (bin, feature position)
        int bins = out * out;
        int nnz = 0;
        for (float v : plan.weight) {
            nnz += v != 0f ? 1 : 0;
        }
        long cells = (long) r * bins;
        if (nnz == 0) { // every sample outside the map
            return m.zeros(new Shape(r, c, out, out), features.getDataType(), features.getDevice());
        }
        long[] coords = new long[2 * nnz]; // row (bin) indices, then column (position) indices
        float[] values = new float[nnz];
        int q = 0;
        for (int j = 0; j < plan.weight.length; j++) {
            if (plan.weight[j] != 0f) {
                coords[q] = j / plan.k;
                coords[nnz + q] = plan.index[j];
                values[q++] = plan.weight[j];
            }
        }
        try (NDArray pooling = GradSafe.sparseCoo(m, coords, values, new Shape(cells, (long) b * h * w), features.getDevice());
                NDArray rows = features.transpose(0, 2, 3, 1).reshape(-1, c);
                NDArray pooled = pooling.matMul(rows); // [cells, C]; backward: pooling^T x grad
                NDArray hwc = pooled.reshape(r, out, out, c)) {
            return hwc.transpose(0, 3, 1, 2);
        }
    }

    /** Whether pooling over {@code features} runs in Java: nothing is recorded for autograd, and the map is on the CPU. */
    static boolean pooledInJava(NDArray features) {
        return !Autograd.isRecording() && features.getDevice().equals(Device.cpu());
    }

    /**
     * The same sums in Java when no gradient is needed (inference on the CPU): each bin
     * accumulates its weighted channel-last feature rows, read in place, RoIs split across the
     * cores; the result is written straight into a libtorch tensor.
     */
    private static NDArray inference(NDArray features, Plan plan, int r, int c, int out) {
        NDArray result = features.getManager().create(new Shape(r, c, out, out), DataType.FLOAT32);
        poolInto(features, plan, c, out, result.toByteBuffer(true).asFloatBuffer(), java.util.stream.IntStream.range(0, r).toArray());
        return result;
    }

    /**
     * Inference pooling into rows of a caller's [N, C, out, out] float buffer: RoI {@code i} of
     * {@code rois} goes to row {@code destRow[i]} ({@link MultiScaleRoiAlign} pools every level
     * into one tensor this way, in box order, with no concatenation or reordering copies).
     */
    static void poolInto(NDArray features, float[] rois, float spatialScale, int out, int samplingRatio, FloatBuffer dest, int[] destRow) {
        Shape s = features.getShape();
        Plan plan = plan(rois, spatialScale, out, samplingRatio, (int) s.get(0), (int) s.get(2), (int) s.get(3));
        poolInto(features, plan, (int) s.get(1), out, dest, destRow);
    }

    private static void poolInto(NDArray features, Plan plan, int c, int out, FloatBuffer dest, int[] destRow) {
        // channel-last rows in libtorch memory (a view when the map is stored channels-last),
        // read in place: no copy of the map on the Java heap
        try (NDArray t = features.transpose(0, 2, 3, 1); NDArray f32 = t.toType(DataType.FLOAT32, false); NDArray cl = f32.reshape(-1, c)) {
            poolRows(cl.toByteBuffer(true).asFloatBuffer(), plan, c, out, dest, destRow);
        }
    }

    private static void poolRows(FloatBuffer rows, Plan plan, int c, int out, FloatBuffer dest, int[] destRow) {
        int bins = out * out;
        int k = plan.k;
        ThreadLocal<float[][]> scratch = ThreadLocal.withInitial(() -> new float[][] {new float[bins * c], new float[bins * c]});
        java.util.stream.IntStream.range(0, destRow.length).parallel().forEach(roi -> {
            float[][] buf = scratch.get();
            float[] hwc = buf[0];
            float[] chw = buf[1];
            java.util.Arrays.fill(hwc, 0f);
            for (int bin = 0; bin < bins; bin++) {
                int o = bin * c;
                int p = (roi * bins + bin) * k;
                for (int j = 0; j < k; j++) {
                    float wt = plan.weight[p + j];
                    if (wt == 0f) {
                        continue;
                    }
                    int src = (int) plan.index[p + j] * c;
                    for (int ch = 0; ch < c; ch++) {
                        hwc[o + ch] += wt * rows.get(src + ch);
                    }
                }
            }
            for (int bin = 0; bin < bins; bin++) {
                for (int ch = 0; ch < c; ch++) {
                    chw[ch * bins + bin] = hwc[bin * c + ch];
                }
            }
            dest.put(destRow[roi] * bins * c, chw); // absolute: safe from many threads
        });
    }

    /** Per bin, {@code k} (row index, weight) pairs; unused slots point at row 0 with weight 0. */
    record Plan(int k, long[] index, float[] weight) {}

    static Plan plan(float[] rois, float spatialScale, int out, int samplingRatio, int batch, int h, int w) {
        int r = rois.length / 5;
        int bins = out * out;
        // per RoI and bin position, per axis: the distinct pixel indices and their summed weights
        int maxGrid = 1;
        int[] gridH = new int[r];
        int[] gridW = new int[r];
        float[][] geom = new float[r][4];
        for (int i = 0; i < r; i++) {
            int bi = (int) rois[5 * i];
            if (bi < 0 || bi >= batch) {
                throw new IllegalArgumentException("RoI " + i + " refers to image " + bi + " of a batch of " + batch);
            }
            float x1 = rois[5 * i + 1] * spatialScale;
            float y1 = rois[5 * i + 2] * spatialScale;
            float x2 = rois[5 * i + 3] * spatialScale;
            float y2 = rois[5 * i + 4] * spatialScale;
            float rw = Math.max(x2 - x1, 1f);
            float rh = Math.max(y2 - y1, 1f);
            float binH = rh / out;
            float binW = rw / out;
            gridH[i] = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(rh / out);
            gridW[i] = samplingRatio > 0 ? samplingRatio : (int) Math.ceil(rw / out);
            maxGrid = Math.max(maxGrid, Math.max(gridH[i], gridW[i]));
            geom[i][0] = y1;
            geom[i][1] = binH;
            geom[i][2] = x1;
            geom[i][3] = binW;
        }
        int axisMax = 2 * maxGrid;
        int[][][] yIdx = new int[r][out][];
        float[][][] yW = new float[r][out][];
        int[][][] xIdx = new int[r][out][];
        float[][][] xW = new float[r][out][];
        int k = 1;
        int[] tmpI = new int[axisMax];
        float[] tmpW = new float[axisMax];
        int[] kyMax = new int[r];
        int[] kxMax = new int[r];
        for (int i = 0; i < r; i++) {
            for (int p = 0; p < out; p++) {
                int n = axis(geom[i][0], geom[i][1], gridH[i], p, h, tmpI, tmpW);
                yIdx[i][p] = java.util.Arrays.copyOf(tmpI, n);
                yW[i][p] = java.util.Arrays.copyOf(tmpW, n);
                kyMax[i] = Math.max(kyMax[i], n);
                n = axis(geom[i][2], geom[i][3], gridW[i], p, w, tmpI, tmpW);
                xIdx[i][p] = java.util.Arrays.copyOf(tmpI, n);
                xW[i][p] = java.util.Arrays.copyOf(tmpW, n);
                kxMax[i] = Math.max(kxMax[i], n);
            }
            k = Math.max(k, kyMax[i] * kxMax[i]);
        }
        long[] index = new long[r * bins * k];
        float[] weight = new float[r * bins * k];
        for (int i = 0; i < r; i++) {
            long base = (long) ((int) rois[5 * i]) * h * w;
            float count = Math.max(gridH[i] * gridW[i], 1);
            for (int py = 0; py < out; py++) {
                for (int px = 0; px < out; px++) {
                    int o = ((i * out + py) * out + px) * k;
                    for (int a = 0; a < yIdx[i][py].length; a++) {
                        for (int bb = 0; bb < xIdx[i][px].length; bb++) {
                            index[o] = base + (long) yIdx[i][py][a] * w + xIdx[i][px][bb];
                            weight[o] = yW[i][py][a] * xW[i][px][bb] / count;
                            o++;
                        }
                    }
                }
            }
        }
        return new Plan(k, index, weight);
    }

    /**
     * The samples of bin {@code p} along one axis: distinct pixel indices and the sum of their
     * bilinear weights over the grid (zero-weight samples dropped); returns how many.
     */
    static int axis(float start, float bin, int grid, int p, int size, int[] idx, float[] wt) {
        int n = 0;
        for (int g = 0; g < grid; g++) {
            float v = start + p * bin + (g + .5f) * bin / grid;
            if (v < -1f || v > size) {
                continue;
            }
            if (v <= 0) {
                v = 0;
            }
            int lo = (int) v;
            int hi;
            if (lo >= size - 1) {
                hi = lo = size - 1;
                v = lo;
            } else {
                hi = lo + 1;
            }
            float l = v - lo;
            n = add(idx, wt, n, lo, 1f - l);
            n = add(idx, wt, n, hi, l);
        }
        return n;
    }

    private static int add(int[] idx, float[] wt, int n, int i, float weight) {
        if (weight == 0f) {
            return n;
        }
        for (int j = 0; j < n; j++) {
            if (idx[j] == i) {
                wt[j] += weight;
                return n;
            }
        }
        idx[n] = i;
        wt[n] = weight;
        return n + 1;
    }
}
