package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resvision.nn.GcChurn;

/**
 * RoIAlign against a direct transcription of torchvision's CPU kernel (aligned=False), including
 * RoIs partly outside the map and smaller than a pixel; and its gradient.
 */
class RoiAlignTest {

    /** torchvision's roi_align_forward_kernel_impl, one output value. */
    static float reference(float[] f, int h, int w, float[] roi, float scale, int out, int ratio, int ph, int pw) {
        float x1 = roi[1] * scale, y1 = roi[2] * scale, x2 = roi[3] * scale, y2 = roi[4] * scale;
        float rw = Math.max(x2 - x1, 1f), rh = Math.max(y2 - y1, 1f);
        float bh = rh / out, bw = rw / out;
        int gh = ratio > 0 ? ratio : (int) Math.ceil(rh / out);
        int gw = ratio > 0 ? ratio : (int) Math.ceil(rw / out);
        float count = Math.max(gh * gw, 1);
        float sum = 0;
        for (int iy = 0; iy < gh; iy++) {
            float y = y1 + ph * bh + (iy + .5f) * bh / gh;
            for (int ix = 0; ix < gw; ix++) {
                float x = x1 + pw * bw + (ix + .5f) * bw / gw;
                if (y < -1f || y > h || x < -1f || x > w) {
                    continue;
                }
                float yy = Math.max(y, 0), xx = Math.max(x, 0);
                int yl = (int) yy, xl = (int) xx, yh, xh;
                if (yl >= h - 1) {
                    yh = yl = h - 1;
                    yy = yl;
                } else {
                    yh = yl + 1;
                }
                if (xl >= w - 1) {
                    xh = xl = w - 1;
                    xx = xl;
                } else {
                    xh = xl + 1;
                }
                float ly = yy - yl, lx = xx - xl, hy = 1 - ly, hx = 1 - lx;
                sum += hy * hx * f[yl * w + xl] + hy * lx * f[yl * w + xh] + ly * hx * f[yh * w + xl] + ly * lx * f[yh * w + xh];
            }
        }
        return sum / count;
    }

    @Test
    void matchesTorchvisionsKernelIncludingEdgeCases() {
        int h = 9, w = 13, out = 3;
        float scale = 0.5f;
        float[][] rois = {{0, 2, 3, 20, 15}, {1, -6, -4, 8, 6}, {0, 20, 10, 30, 25}, {1, 5.3f, 5.1f, 5.6f, 5.2f}, {0, 0, 0, 26, 18}};
        try (NDManager m = NDManager.newBaseManager()) {
            Random rnd = new Random(5);
            float[] data = new float[2 * 2 * h * w];
            for (int i = 0; i < data.length; i++) {
                data[i] = rnd.nextFloat() * 2 - 1;
            }
            NDArray f = m.create(data, new Shape(2, 2, h, w));
            // the Java path (no gradient) and the NDArray path (gradient) must both match
            NDArray g = f.duplicate();
            g.setRequiresGradient(true);
            float[] flat = new float[5 * rois.length];
            for (int i = 0; i < rois.length; i++) {
                System.arraycopy(rois[i], 0, flat, 5 * i, 5);
            }
            for (int variant = 0; variant < 4; variant++) {
                int ratio = variant % 2 == 0 ? 2 : 0;
                float[] got;
                if (variant < 2) {
                    NDArray pooled = RoiAlign.apply(f, flat, scale, out, ratio);
                    GcChurn.run(); // the result must not live in a Java buffer the GC can reclaim
                    got = pooled.toFloatArray();
                } else {
                    try (ai.djl.training.GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        got = RoiAlign.apply(g, flat, scale, out, ratio).toFloatArray();
                    }
                }
                for (int r = 0; r < rois.length; r++) {
                    int b = (int) rois[r][0];
                    for (int c = 0; c < 2; c++) {
                        float[] plane = java.util.Arrays.copyOfRange(data, (b * 2 + c) * h * w, (b * 2 + c + 1) * h * w);
                        for (int ph = 0; ph < out; ph++) {
                            for (int pw = 0; pw < out; pw++) {
                                float exp = reference(plane, h, w, rois[r], scale, out, ratio, ph, pw);
                                assertEquals(exp, got[((r * 2 + c) * out + ph) * out + pw], 1e-5f, "roi " + r + " c " + c + " bin " + ph + "," + pw);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void theConfigsCanonicalScaleChoosesEachBoxsLevel() {
        // boxes of side 22, 30 and 100 px: torchvision's 224 pools all three from P2; with 56 (a
        // setting for small images), floor(4 + log2(s / 56)) gives P2, P3 and P4
        float[] boxes = {0, 0, 22, 22, 10, 10, 40, 40, 0, 0, 100, 100};
        DetectionConfig.Builder c = DetectionConfig.builder("fasterrcnn_resnet18_fpn_small");
        assertEquals("[0, 0, 0]", java.util.Arrays.toString(FasterRcnn.of(c.build()).roiHeads().pooler().levels(boxes, 2, 5)));
        c.box_roi_canonical_scale = 56;
        assertEquals("[0, 1, 2]", java.util.Arrays.toString(FasterRcnn.of(c.build()).roiHeads().pooler().levels(boxes, 2, 5)));
        c.box_roi_canonical_scale = 0;
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, c::build);
        assertEquals("box_roi_canonical_scale 0.0 must be a positive box side in pixels", e.getMessage());
    }

    /**
     * Multi-level pooling: the inference path (each level written straight into its boxes' rows
     * of one tensor) equals the gradient path (per-level pooling, concatenation, reordering), with
     * boxes of interleaved levels and two images.
     */
    @Test
    void multiScaleInferenceWritesEveryBoxToItsRow() {
        try (NDManager m = NDManager.newBaseManager()) {
            Random rnd = new Random(11);
            List<NDArray> levels = new java.util.ArrayList<>();
            List<NDArray> trainable = new java.util.ArrayList<>();
            for (int l = 0; l < 4; l++) {
                int h = 256 >> (l + 2);
                int w = 320 >> (l + 2);
                float[] data = new float[2 * 3 * h * w];
                for (int i = 0; i < data.length; i++) {
                    data[i] = rnd.nextFloat() * 2 - 1;
                }
                NDArray f = m.create(data, new Shape(2, 3, h, w));
                levels.add(f);
                NDArray g = f.duplicate();
                g.setRequiresGradient(true);
                trainable.add(g);
            }
            // sizes from 10 px (level 0) to 250 px (level 3), levels interleaved
            float[] a = {5, 5, 15, 15, 0, 0, 300, 256, 40, 30, 150, 120, 100, 100, 112, 111, 3, 60, 203, 250};
            float[] b = {10, 10, 90, 70, 0, 0, 460, 460, 0, 0, 12, 14};
            int[][] sizes = {{256, 320}, {250, 310}};
            MultiScaleRoiAlign pooler = new MultiScaleRoiAlign(7, 2);
            assertEquals("[0, 2, 0, 0, 1]", java.util.Arrays.toString(pooler.levels(a, 2, 5)));
            assertEquals("[0, 3, 0]", java.util.Arrays.toString(pooler.levels(b, 2, 5)));
            float[] inference = pooler.apply(levels, List.of(a, b), sizes).toFloatArray();
            GcChurn.run();
            float[] reference;
            try (ai.djl.training.GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                reference = pooler.apply(trainable, List.of(a, b), sizes).toFloatArray();
            }
            assertEquals(8 * 3 * 49, inference.length);
            for (int i = 0; i < reference.length; i++) {
                assertEquals(reference[i], inference[i], 1e-5f, "element " + i + " (box " + i / (3 * 49) + ")");
            }
        }
    }

    @Test
    void gradientIsTheSumOfSamplingWeights() {
        // d(sum of outputs)/d(feature) = how much each pixel contributes; on a constant map each
        // in-range bin averages to the constant, so the total weight equals the in-range bins
        int h = 6, w = 6;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = m.ones(new Shape(1, 1, h, w));
            f.setRequiresGradient(true);
            float[] roi = {0, 1, 1, 4, 5};
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = RoiAlign.apply(f, roi, 1f, 2, 2);
                assertEquals(4f, y.sum().getFloat(), 1e-5f);
                gc.backward(y.sum());
            }
            NDArray g = f.getGradient();
            assertEquals(4f, g.sum().getFloat(), 1e-5f);
            // the RoI covers x 1..4, y 1..5: no weight leaves the pixels it touches
            assertEquals(0f, g.get("0, 0, 0, :").sum().getFloat(), 1e-6f);
            assertEquals(0f, g.get("0, 0, :, 5").sum().getFloat(), 1e-6f);
        }
    }
    /**
     * The gradient for a random upstream gradient equals the transposed kernel: RoIAlign is linear
     * in the features, so d(sum G * pool(F))/dF at a pixel is the sum over bins of G times the
     * kernel applied to that pixel's indicator map. Two images, edge RoIs, both sampling modes.
     */
    @Test
    void gradientIsTheKernelsTranspose() {
        int h = 7, w = 9, out = 3;
        float scale = 0.5f;
        float[][] rois = {{0, 2, 3, 14, 11}, {1, -6, -4, 8, 6}, {1, 10, 6, 22, 17}, {0, 5.3f, 5.1f, 5.6f, 5.2f}};
        float[] flat = new float[5 * rois.length];
        for (int i = 0; i < rois.length; i++) {
            System.arraycopy(rois[i], 0, flat, 5 * i, 5);
        }
        for (int ratio : new int[] {2, 0}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Random rnd = new Random(17 + ratio);
                NDArray f = m.randomNormal(new Shape(2, 1, h, w));
                f.setRequiresGradient(true);
                float[] up = new float[rois.length * out * out];
                for (int i = 0; i < up.length; i++) {
                    up[i] = rnd.nextFloat() * 2 - 1;
                }
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y = RoiAlign.apply(f, flat, scale, out, ratio);
                    gc.backward(y.mul(m.create(up, new Shape(rois.length, 1, out, out))).sum());
                }
                float[] got = f.getGradient().toFloatArray();
                for (int b = 0; b < 2; b++) {
                    for (int p = 0; p < h * w; p++) {
                        float[] indicator = new float[h * w];
                        indicator[p] = 1f;
                        double exp = 0;
                        for (int r = 0; r < rois.length; r++) {
                            if ((int) rois[r][0] != b) {
                                continue;
                            }
                            for (int ph = 0; ph < out; ph++) {
                                for (int pw = 0; pw < out; pw++) {
                                    exp += up[(r * out + ph) * out + pw] * reference(indicator, h, w, rois[r], scale, out, ratio, ph, pw);
                                }
                            }
                        }
                        assertEquals(exp, got[b * h * w + p], 1e-5, "ratio " + ratio + " image " + b + " pixel " + p);
                    }
                }
            }
        }
    }
}
