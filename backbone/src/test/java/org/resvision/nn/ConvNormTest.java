package org.resvision.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ConvNorm}: the folded convolution gives the numbers and gradients of conv then norm, and folds only where it should. */
class ConvNormTest {

    private static final Shape IN = new Shape(2, 6, 13, 11);

    /** A conv and a norm with random weights and running statistics far from 0 and 1. */
    private static BatchNormBase norm(NDManager m, BatchNormBase bn) {
        bn.initialize(m, DataType.FLOAT32, new Shape(2, bn.channels(), 4, 4));
        set(m, bn, "weight", 0.5f, 1.5f);
        set(m, bn, "bias", -1f, 1f);
        set(m, bn, "running_mean", -2f, 2f);
        set(m, bn, "running_var", 0.2f, 3f);
        return bn;
    }

    private static void set(NDManager m, BatchNormBase bn, String name, float lo, float hi) {
        NDArray a = bn.getParameters().get(name).getArray();
        a.set(new ai.djl.ndarray.index.NDIndex(":"), m.randomUniform(lo, hi, a.getShape()));
    }

    /** Output, input gradient, then the gradients of every parameter that has one, of sum(y * probe). */
    private static List<float[]> run(NDManager m, Conv2dLayer conv, BatchNormBase bn, NDArray input, NDArray probe, boolean training, boolean folded) {
        ParameterStore ps = new ParameterStore(m, false);
        NDArray x = input.duplicate();
        x.setRequiresGradient(true);
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            if (folded) {
                assertTrue(ConvNorm.folds(bn, conv, x.getShape(), training), "this case must fold");
                y = ConvNorm.apply(ps, conv, bn, x, training);
            } else {
                y = bn.forward(ps, new NDList(conv.apply(ps, x, training)), training).singletonOrThrow();
            }
            gc.backward(y.mul(probe).sum());
        }
        List<float[]> out = new ArrayList<>(List.of(y.toFloatArray(), x.getGradient().toFloatArray()));
        for (var block : List.of(conv, bn)) {
            for (Parameter p : block.getParameters().values()) {
                if (p.requiresGradient()) {
                    NDArray g = p.getArray().getGradient();
                    out.add(g.toFloatArray());
                    g.subi(g); // zero for the next run
                }
            }
        }
        return out;
    }

    private static void assertClose(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size(), "the same gradients");
        for (int k = 0; k < expected.size(); k++) {
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < expected.get(k).length; i++) {
                diff = Math.max(diff, Math.abs(expected.get(k)[i] - actual.get(k)[i]));
                norm = Math.max(norm, Math.abs(expected.get(k)[i]));
            }
            assertTrue(norm > 0, "array " + k + " is all zeros");
            assertTrue(diff <= 2e-6 * norm, "array " + k + ": max |diff| " + diff + " against max |value| " + norm);
        }
    }

    private static void compare(BatchNormBase bn, boolean bias, int stride, boolean training) {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            Conv2dLayer conv = Conv2dLayer.builder(6, 8, 3).stride(stride).padding(1).bias(bias).build();
            conv.initialize(m, DataType.FLOAT32, IN);
            norm(m, bn);
            NDArray x = m.randomNormal(IN);
            NDArray probe = m.randomNormal(conv.getOutputShapes(new Shape[] {IN})[0]);
            assertClose(run(m, conv, bn, x, probe, training, false), run(m, conv, bn, x, probe, training, true));
        }
    }

    @Test
    void aFrozenNormFoldsWithTheNumbersAndGradientsOfThePair() {
        compare(new FrozenBatchNorm2d(8, 1e-5f), false, 1, true);
        compare(new FrozenBatchNorm2d(8, 0f), false, 2, true); // torchvision's v1 detection weights: eps 0
    }

    @Test
    void aConvolutionBiasIsScaledToo() {
        compare(new FrozenBatchNorm2d(8, 1e-5f), true, 1, false);
    }

    @Test
    void aBatchNormOutsideTrainingFoldsAndItsWeightAndBiasStillGetGradients() {
        // fine-tuning with BatchNorm in eval mode: the norm's weight and bias require gradients
        compare(new BatchNorm2d(8, 1e-5f), false, 1, false);
    }

    /** An inference output of IN_PLACE_MIN_VALUES values: normalised in place, with the pair's numbers to float rounding. */
    @Test
    void largeInferenceOutputsAreNormalisedInPlace() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            Conv2dLayer conv = Conv2dLayer.builder(4, 8, 1).bias(false).build();
            Shape in = new Shape(1, 4, 1024, 1024);
            conv.initialize(m, DataType.FLOAT32, in);
            BatchNormBase bn = norm(m, new BatchNorm2d(8, 1e-5f));
            Shape out = conv.getOutputShapes(new Shape[] {in})[0];
            assertEquals(ConvNorm.IN_PLACE_MIN_VALUES, out.size());
            assertTrue(ConvNorm.normalizesInPlace(bn, out, false));
            assertFalse(ConvNorm.normalizesInPlace(bn, new Shape(1, 8, 1024, 1023), false), "smaller: the pair");
            assertFalse(ConvNorm.normalizesInPlace(bn, out, true), "batch statistics");
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(in);
            float[] pair = bn.forward(ps, new NDList(conv.apply(ps, x, false)), false).singletonOrThrow().toFloatArray();
            float[] raw = conv.apply(ps, x, false).toFloatArray();
            float[] inPlace = ConvNorm.apply(ps, conv, bn, x, false).toFloatArray();
            double diff = 0;
            double moved = 0;
            double norm = 0;
            for (int i = 0; i < pair.length; i++) {
                diff = Math.max(diff, Math.abs(pair[i] - inPlace[i]));
                moved = Math.max(moved, Math.abs(raw[i] - inPlace[i]));
                norm = Math.max(norm, Math.abs(pair[i]));
            }
            assertTrue(moved > 0.1 * norm, "not normalised: off the convolution's output by " + moved);
            assertTrue(diff <= 1e-6 * norm, "max |diff| " + diff + " against max |value| " + norm);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                assertFalse(ConvNorm.normalizesInPlace(bn, out, false), "autograd records: fold or pair");
            }
        }
    }

    @Test
    void foldsOnlyRunningStatisticsUnderAutogradAndOnlyWhereTheOutputOutweighsTheWeight() {
        try (NDManager m = NDManager.newBaseManager()) {
            Conv2dLayer conv = Conv2dLayer.builder(64, 64, 3).padding(1).bias(false).build(); // 36864 weights
            BatchNormBase frozen = new FrozenBatchNorm2d(64, 1e-5f);
            BatchNormBase trainable = new BatchNorm2d(64, 1e-5f);
            Shape big = new Shape(1, 64, 24, 24); // 36864 outputs: folds
            Shape small = new Shape(1, 64, 24, 23); // 35328 outputs
            assertFalse(ConvNorm.folds(frozen, conv, big, false), "inference runs the pair");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                assertTrue(ConvNorm.folds(frozen, conv, big, true));
                assertFalse(ConvNorm.folds(frozen, conv, small, true));
                assertTrue(ConvNorm.folds(trainable, conv, big, false));
                assertFalse(ConvNorm.folds(trainable, conv, big, true), "batch statistics are not a fixed map");
            }
            assertEquals(36864, conv.weightSize());
        }
    }
}
