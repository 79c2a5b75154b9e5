package org.resvision.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** The TorchScript relu_: values, in-place effect, autograd, and its fallbacks. */
class InplaceReluTest {

    private static final float[] X = {-2f, -0.5f, 0f, 1.5f, 3f};
    private static final float[] RELU = {0f, 0f, 0f, 1.5f, 3f};

    @Test
    void overwritesItsInputWithTheRelu() {
        assertTrue(InplaceRelu.available(), "the TorchScript module must load into DJL's libtorch");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(X);
            NDArray r = InplaceRelu.apply(x);
            assertArrayEquals(RELU, r.toFloatArray());
            assertArrayEquals(RELU, x.toFloatArray(), "the input's storage holds the result");
            assertTrue(r.getManager() == x.getManager());
        }
    }

    @Test
    void gradientFlowsThroughTheInPlaceOp() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(X);
            w.setRequiresGradient(true);
            NDArray c = m.create(new float[] {1f, 2f, 3f, 4f, 5f});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // mul saves only its scalar, so y may be overwritten; GradSafe, not DJL's mul(Number),
                // whose scalar lives in a Java buffer the GC may reclaim before backward
                NDArray y = GradSafe.mul(w, 2f);
                NDArray r = InplaceRelu.apply(y);
                GcChurn.run();
                gc.backward(r.mul(c).sum());
            }
            // d/dw sum(c * relu(2w)) = 2c where 2w > 0 (exact, signs of zeros included: a -0.0 or a
            // wild number here was DJL's reclaimed scalar, seen in CI before GradSafe)
            assertArrayEquals(new float[] {0f, 0f, 0f, 8f, 10f}, w.getGradient().toFloatArray());
        }
    }

    @Test
    void notRecordedOutsideAGradientCollector() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(X);
            w.setRequiresGradient(true);
            NDArray r = InplaceRelu.apply(w.mul(1f));
            assertArrayEquals(RELU, r.toFloatArray());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                EngineException e = assertThrows(EngineException.class, () -> gc.backward(r.sum()));
                assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
            }
        }
    }

    @Test
    void anInputSavedForBackwardFailsLoudlyAtBackward() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(X);
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = w.exp(); // exp's backward reads its output: overwriting it is illegal
                NDArray r = InplaceRelu.apply(y);
                EngineException e = assertThrows(EngineException.class, () -> gc.backward(r.sum()));
                assertTrue(e.getMessage().contains("inplace operation"), e.getMessage());
            }
        }
    }

    @Test
    void aNamedArrayGetsTheCopyingRelu() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(X, new Shape(5));
            x.setName("features.0"); // DJL would read the name as TorchScript argument structure
            NDArray r = InplaceRelu.apply(x);
            assertArrayEquals(RELU, r.toFloatArray());
            assertArrayEquals(X, x.toFloatArray(), "input untouched");
        }
    }
}
