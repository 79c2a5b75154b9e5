package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;
import org.resvision.nn.GcChurn;
import org.resvision.nn.GradSafe;

/**
 * Operands closed after the forward op stay valid for backward even when the Java heap is
 * collected and its direct buffers reused in between (what broke training with DJL's {@code
 * mul(Number)}).
 */
class GradSafeTest {

    @Test
    void scalarAndIndexOperandsSurviveAGarbageCollection() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(10f);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y;
                try (NDArray idx = GradSafe.longs(m, new long[] {1, 3, 3})) {
                    y = GradSafe.div(GradSafe.mul(x.take(idx), 3f), 2f);
                }
                GcChurn.run();
                gc.backward(y.sum());
            }
            float[] g = x.getGradient().toFloatArray();
            assertEquals(1.5f, g[1], 0f);
            assertEquals(3f, g[3], 0f);
            assertEquals(0f, g[0], 0f);
        }
    }
}
