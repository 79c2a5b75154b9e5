package org.resvision.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/**
 * ResNet-50's layer3 downsampling (1x1, 512 -> 1024, stride 2) trained: values and input
 * gradients as the definition gives them. On a VM with {@link CpuQuirks} this backward pass killed
 * the JVM inside libtorch before {@link Conv2dLayer}'s workaround; elsewhere it checks libtorch's
 * own strided kernel.
 */
class StridedOneByOneTest {

    @Test
    void valuesAndInputGradientOfAStridedOneByOneConvolution() {
        int in = 512;
        int out = 1024;
        int H = 28; // layer3's input at 224 px (a 5x6 input did not reach the faulty kernel)
        int W = 27;
        int oh = (H + 1) / 2;
        int ow = (W + 1) / 2;
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            Conv2dLayer conv = Conv2dLayer.builder(in, out, 1).stride(2).bias(false).build();
            conv.initialize(m, DataType.FLOAT32, new Shape(1, in, H, W));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(1, in, H, W));
            x.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = conv.apply(ps, x, true);
                gc.backward(y.sum());
            }
            assertEquals(new Shape(1, out, oh, ow), y.getShape());
            float[] w = conv.getParameters().get("weight").getArray().toFloatArray(); // [out, in, 1, 1]
            float[] xs = x.toFloatArray();
            float[] ys = y.toFloatArray();
            // y[o, i, j] = sum_c w[o, c] x[c, 2i, 2j], by the definition in double precision
            for (int o = 0; o < out; o += 97) {
                for (int i = 0; i < oh; i += 3) {
                    for (int j = 0; j < ow; j += 2) {
                        double sum = 0;
                        for (int c = 0; c < in; c++) {
                            sum += (double) w[o * in + c] * xs[(c * H + 2 * i) * W + 2 * j];
                        }
                        assertEquals(sum, ys[(o * oh + i) * ow + j], 1e-4, "y[" + o + ", " + i + ", " + j + "]");
                    }
                }
            }
            // d sum(y) / d x[c, r, s] = sum_o w[o, c] where r and s are even, 0 elsewhere
            float[] g = x.getGradient().toFloatArray();
            for (int c = 0; c < in; c += 37) {
                double colSum = 0;
                for (int o = 0; o < out; o++) {
                    colSum += w[o * in + c];
                }
                float[] expect = new float[H * W];
                float[] got = new float[H * W];
                for (int r = 0; r < H; r++) {
                    for (int s = 0; s < W; s++) {
                        expect[r * W + s] = r % 2 == 0 && s % 2 == 0 ? (float) colSum : 0f;
                        got[r * W + s] = g[(c * H + r) * W + s];
                    }
                }
                assertArrayEquals(expect, got, 1e-3f, "channel " + c);
            }
        }
    }
}
