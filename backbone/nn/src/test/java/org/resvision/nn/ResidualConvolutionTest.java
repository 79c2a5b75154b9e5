package org.resvision.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/**
 * {@link ResidualConvolution}: the fused convolution + norm + add + ReLU gives the unfused
 * numbers, in the residual's storage, and steps aside wherever it must.
 */
class ResidualConvolutionTest {

    /** A norm with random weights and running statistics far from 0 and 1. */
    private static BatchNormBase norm(NDManager m, BatchNormBase bn) {
        bn.initialize(m, DataType.FLOAT32, new Shape(2, bn.channels(), 4, 4));
        for (String[] p : new String[][] {{"weight", "0.5", "1.5"}, {"bias", "-1", "1"}, {"running_mean", "-2", "2"}, {"running_var", "0.2", "3"}}) {
            NDArray a = bn.getParameters().get(p[0]).getArray();
            a.set(new ai.djl.ndarray.index.NDIndex(":"), m.randomUniform(Float.parseFloat(p[1]), Float.parseFloat(p[2]), a.getShape()));
        }
        return bn;
    }

    /** relu(residual + norm(conv(x))) with separate ops, into new arrays. */
    private static float[] unfused(ParameterStore ps, Conv2dLayer conv, BatchNormBase bn, NDArray x, NDArray residual) {
        try (NDArray c = conv.apply(ps, x, false);
                NDArray n = bn.forward(ps, new NDList(c), false).singletonOrThrow();
                NDArray sum = n.add(residual);
                NDArray r = sum.clip(0f, Float.MAX_VALUE)) {
            return r.toFloatArray();
        }
    }

    private static void check(Conv2dLayer conv, BatchNormBase bn, Shape in) {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            conv.initialize(m, DataType.FLOAT32, in);
            norm(m, bn);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = MemoryFormat.channelsLast(m.randomNormal(in));
            Shape out = conv.getOutputShapes(new Shape[] {in})[0];
            NDArray residual = MemoryFormat.channelsLast(m.randomNormal(out));
            float[] expected = unfused(ps, conv, bn, x, residual);
            NDArray fused = ResidualConvolution.addInto(ps, conv, bn, x, residual, false);
            assertNotNull(fused, "channels-last float32 inference on the CPU must fuse");
            float[] actual = fused.toFloatArray();
            assertArrayEquals(actual, residual.toFloatArray(), "the result lives in the residual's storage");
            double diff = 0;
            double norm = 0;
            int zeros = 0;
            for (int i = 0; i < expected.length; i++) {
                diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
                norm = Math.max(norm, Math.abs(expected[i]));
                zeros += expected[i] == 0f ? 1 : 0;
            }
            assertTrue(zeros > expected.length / 10 && zeros < expected.length * 9 / 10, "ReLU cuts some values: " + zeros);
            assertTrue(diff <= 2e-6 * norm, "max |diff| " + diff + " against max |value| " + norm);
        }
    }

    @Test
    void aBottleneckExpansionGivesTheUnfusedNumbers() {
        check(Conv2dLayer.builder(32, 128, 1).bias(false).build(), new FrozenBatchNorm2d(128, 1e-5f), new Shape(2, 32, 17, 15));
    }

    @Test
    void aStridedDilatedGroupedConvolutionWithBiasGivesTheUnfusedNumbers() {
        check(Conv2dLayer.builder(16, 24, 3).stride(2).padding(2).dilation(2).groups(4).bias(true).build(),
                new BatchNorm2d(24, 1e-5f), new Shape(1, 16, 21, 18));
    }

    @Test
    void aNormWithoutEpsilonGivesTheUnfusedNumbers() {
        // torchvision's v1 detection weights: FrozenBatchNorm with eps 0
        check(Conv2dLayer.builder(24, 96, 1).bias(false).build(), new FrozenBatchNorm2d(96, 0f), new Shape(1, 24, 19, 23));
    }

    @Test
    void stepsAsideForNchwAutogradBatchStatisticsAndTheSwitch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Conv2dLayer conv = Conv2dLayer.builder(8, 16, 1).bias(false).build();
            Shape in = new Shape(1, 8, 9, 9);
            conv.initialize(m, DataType.FLOAT32, in);
            BatchNormBase bn = norm(m, new BatchNorm2d(16, 1e-5f));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray cl = MemoryFormat.channelsLast(m.randomNormal(in));
            NDArray nchw = m.randomNormal(in);
            NDArray residual = MemoryFormat.channelsLast(m.randomNormal(new Shape(1, 16, 9, 9)));
            float[] before = residual.toFloatArray();
            assertNull(ResidualConvolution.addInto(ps, conv, bn, nchw, residual, false), "NCHW input");
            assertNull(ResidualConvolution.addInto(ps, conv, bn, cl, m.randomNormal(new Shape(1, 16, 9, 9)), false), "NCHW residual");
            assertNull(ResidualConvolution.addInto(ps, conv, bn, cl, residual, true), "batch statistics");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                assertNull(ResidualConvolution.addInto(ps, conv, bn, cl, residual, false), "autograd records");
            }
            System.setProperty("resvision.fuseResidual", "false");
            try {
                assertNull(ResidualConvolution.addInto(ps, conv, bn, cl, residual, false), "switched off");
            } finally {
                System.clearProperty("resvision.fuseResidual");
            }
            assertArrayEquals(before, residual.toFloatArray(), "nothing written");
            assertNotNull(ResidualConvolution.addInto(ps, conv, bn, cl, residual, false), "and with all of it right, it fuses");
        }
    }
}
