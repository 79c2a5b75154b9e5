package org.resvision.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** {@link MemoryFormat}: layout changes keep every value, and under autograd every gradient, on each of contiguous's paths. */
class MemoryFormatTest {

    /** contiguous(channelsLast(x)) == x, and its gradient of sum(y * probe) is probe. */
    private static void roundTrip(Shape shape) {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            NDArray x = m.randomNormal(shape);
            NDArray probe = m.randomNormal(shape);
            NDArray cl = MemoryFormat.channelsLast(x);
            cl.setName("layer4"); // as ResNet's stages are named
            assertArrayEquals(x.toFloatArray(), cl.toFloatArray(), "channelsLast keeps the values " + shape);
            assertArrayEquals(x.toFloatArray(), MemoryFormat.contiguous(cl).toFloatArray(), "contiguous without autograd " + shape);
            assertArrayEquals(x.toFloatArray(), MemoryFormat.contiguous(x).toFloatArray(), "contiguous of a contiguous array " + shape);
            NDArray leaf = cl.duplicate();
            leaf.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                y = MemoryFormat.contiguous(leaf);
                gc.backward(y.mul(probe).sum());
            }
            assertEquals(shape, y.getShape());
            assertArrayEquals(x.toFloatArray(), y.toFloatArray(), "contiguous under autograd " + shape);
            assertArrayEquals(probe.toFloatArray(), leaf.getGradient().toFloatArray(), "the gradient " + shape);
        }
    }

    @Test
    void oneWideImageTakesTheTransposePath() {
        assertTrue(MemoryFormat.nchwOpLoaded(), "the TorchScript op must load into DJL's libtorch");
        roundTrip(new Shape(1, 1024, 9, 11));
    }

    @Test
    void aBatchOfWideImagesTakesThePerImagePaths() {
        roundTrip(new Shape(3, 1024, 9, 8));
    }

    @Test
    void narrowOrSmallMapsTakeThePlainCopy() {
        roundTrip(new Shape(2, 96, 9, 11));
        roundTrip(new Shape(2, 1024, 7, 7));
    }

    @Test
    void twoThreadsAtOnce() throws Exception {
        // one TorchScript module serves every thread (as DJL predictors on a thread pool call it)
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(2, 1024, 9, 8));
            NDArray cl = MemoryFormat.channelsLast(x);
            float[] expected = x.toFloatArray();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
            try {
                java.util.List<java.util.concurrent.Future<Boolean>> runs = new java.util.ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    runs.add(pool.submit(() -> {
                        boolean same = true;
                        for (int i = 0; i < 300; i++) {
                            try (NDManager step = m.newSubManager()) {
                                NDArray in = cl.duplicate();
                                in.attach(step);
                                same &= java.util.Arrays.equals(expected, MemoryFormat.contiguous(in).toFloatArray());
                            }
                        }
                        return same;
                    }));
                }
                for (var r : runs) {
                    assertTrue(r.get(), "every call's values");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
