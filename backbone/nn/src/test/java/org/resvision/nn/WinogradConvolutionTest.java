package org.resvision.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.resvision.parity.Tensors;

/**
 * {@link WinogradConvolution}: NNPACK's convolution gives the direct convolution's numbers to
 * float rounding, in its output shape, and steps aside wherever it must.
 */
class WinogradConvolutionTest {

    /** The direct convolution, computed in float64 (the reference both float32 results are measured against). */
    private static NDArray exact(NDArray x, NDArray w, NDArray b, int padding) {
        try (NDArray x64 = x.toType(DataType.FLOAT64, false);
                NDArray w64 = w.toType(DataType.FLOAT64, false);
                NDArray b64 = b == null ? null : b.toType(DataType.FLOAT64, false);
                NDList y = Conv2d.conv2d(x64, w64, b64, new Shape(1, 1), new Shape(padding, padding), new Shape(1, 1), 1)) {
            return y.singletonOrThrow().toType(DataType.FLOAT32, false);
        }
    }

    private static void check(long n, long in, long out, long h, long w, int padding, boolean bias) {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            NDArray x = m.randomNormal(new Shape(n, in, h, w));
            NDArray weight = m.randomNormal(new Shape(out, in, 3, 3)).div(Math.sqrt(in * 9.0));
            NDArray b = bias ? m.randomUniform(-1f, 1f, new Shape(out)) : null;
            NDArray y = WinogradConvolution.convolve(x, weight, b, padding);
            assertNotNull(y, "an NCHW float32 map of " + h + "x" + w + " with " + in + " channels must take NNPACK");
            assertEquals(new Shape(n, out, h + 2 * padding - 2, w + 2 * padding - 2), y.getShape());
            NDArray expected = exact(x, weight, b, padding);
            NDArray direct = Conv2d.conv2d(x, weight, b, new Shape(1, 1), new Shape(padding, padding), new Shape(1, 1), 1).singletonOrThrow();
            double winograd = Tensors.relativeError(y, expected);
            double directError = Tensors.relativeError(direct, expected);
            System.out.printf(java.util.Locale.ROOT, "winograd n%d %d->%d %dx%d p%d: rel err %.2e, direct %.2e%n",
                    n, in, out, h, w, padding, winograd, directError);
            // measured 0.7e-5 to 1.1e-5 of the largest value (the direct convolution: about 3e-7)
            assertTrue(winograd <= 5e-5, "Winograd error " + winograd + " (direct: " + directError + ")");
        }
    }

    @Test
    void paddedWithBiasGivesTheDirectNumbers() {
        check(1, 64, 48, 40, 37, 1, true);
    }

    @Test
    void unpaddedWithoutBiasGivesTheDirectNumbers() {
        check(1, 96, 32, 34, 45, 0, false);
    }

    @Test
    void paddingTwoGivesTheDirectNumbers() {
        check(1, 80, 16, 33, 32, 2, true);
    }

    @Test
    void aBatchGoesImageByImage() {
        check(3, 64, 24, 36, 33, 1, true);
    }

    @Test
    void aLayerBuiltForItRunsItAtInferenceOnly() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(6);
            Shape in = new Shape(1, 64, 36, 36);
            Conv2dLayer conv = Conv2dLayer.builder(64, 32, 3).padding(1).bias(false).winograd(true).build();
            conv.initialize(m, DataType.FLOAT32, in);
            Conv2dLayer plain = Conv2dLayer.builder(64, 32, 3).padding(1).bias(false).build();
            plain.initialize(m, DataType.FLOAT32, in);
            plain.getParameters().get("weight").getArray().set(new ai.djl.ndarray.index.NDIndex(":"), conv.getParameters().get("weight").getArray());
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(in);
            NDArray weight = conv.getParameters().get("weight").getArray();
            float[] viaLayer = conv.apply(ps, x, false).toFloatArray();
            float[] viaOp = WinogradConvolution.convolve(x, weight, null, 1).toFloatArray();
            assertTrue(Arrays.equals(viaOp, viaLayer), "the layer's inference is the op's");
            float[] direct;
            try (NDList d = Conv2d.conv2d(x, weight, null, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)) {
                direct = d.singletonOrThrow().toFloatArray();
            }
            assertFalse(Arrays.equals(direct, viaLayer), "NNPACK's rounding differs from the direct convolution's");
            assertTrue(Arrays.equals(direct, plain.apply(ps, x, false).toFloatArray()), "a layer built without winograd(true): direct");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                float[] recorded = conv.apply(new ParameterStore(m, false), x, true).toFloatArray();
                assertTrue(Arrays.equals(direct, recorded), "while autograd records, the direct convolution");
            }
        }
    }

    @Test
    void aFailureInNnpackHandsOverToTheDirectConvolution() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(1, 64, 40, 40));
            NDArray w = m.randomNormal(new Shape(8, 64, 3, 3));
            try {
                // a float64 bias: NNPACK's data_ptr<float> inside the op throws
                assertNull(WinogradConvolution.convolve(x, w, m.zeros(new Shape(8), DataType.FLOAT64), 1),
                        "the error means: not computed here");
                assertTrue(WinogradConvolution.failed());
                assertNull(WinogradConvolution.convolve(x, w, null, 1), "and the direct convolution from then on");
            } finally {
                WinogradConvolution.clearFailure();
            }
            assertNotNull(WinogradConvolution.convolve(x, w, null, 1));
        }
    }

    @Test
    void stepsAsideWhereItDoesNotApply() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.randomNormal(new Shape(8, 64, 3, 3));
            assertNull(WinogradConvolution.convolve(MemoryFormat.channelsLast(m.randomNormal(new Shape(1, 64, 40, 40))), w, null, 1),
                    "channels-last: the op sees the layout and computes nothing");
            assertNull(WinogradConvolution.convolve(m.randomNormal(new Shape(1, 64, 31, 40)), w, null, 1), "a side under 32");
            NDArray w32 = m.randomNormal(new Shape(8, 32, 3, 3));
            assertNull(WinogradConvolution.convolve(m.randomNormal(new Shape(1, 32, 40, 40)), w32, null, 1), "32 input channels");
            assertNull(WinogradConvolution.convolve(m.randomNormal(new Shape(1, 64, 40, 40)), w, null, 3), "padding 3");
            assertNull(WinogradConvolution.convolve(m.randomNormal(new Shape(1, 64, 40, 40)), w, m.zeros(new Shape(9)), 1),
                    "a bias of the wrong length (NNPACK would read 8 of its values): libtorch's checks");
            NDArray w5 = m.randomNormal(new Shape(8, 64, 5, 5));
            assertNull(WinogradConvolution.convolve(m.randomNormal(new Shape(1, 64, 40, 40)), w5, null, 2), "a 5x5 kernel");
            assertNull(WinogradConvolution.convolve(m.randomNormal(0f, 1f, new Shape(1, 64, 40, 40), DataType.FLOAT64),
                    w.toType(DataType.FLOAT64, false), null, 1), "float64");
            NDArray x = m.randomNormal(new Shape(1, 64, 40, 40));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                assertNull(WinogradConvolution.convolve(x, w, null, 1), "autograd records");
            }
            System.setProperty("resvision.winograd", "false");
            try {
                assertNull(WinogradConvolution.convolve(m.randomNormal(new Shape(1, 64, 40, 40)), w, null, 1), "switched off");
            } finally {
                System.clearProperty("resvision.winograd");
            }
        }
    }
}
