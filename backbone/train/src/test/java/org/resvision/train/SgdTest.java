package org.resvision.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resvision.nn.GcChurn;
import org.resvision.nn.GradSafe;

class SgdTest {

    /** torch.optim.SGD(lr=0.1, momentum=0.9, weight_decay=0.5) on loss = sum(3 w): by hand. */
    @ParameterizedTest(name = "fused={0}")
    @ValueSource(booleans = {true, false})
    void matchesTorchSgdWithMomentumAndDecay(boolean fused) {
        assertTrue(Sgd.opLoaded(), "the one-call update loads");
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).optShape(new Shape(1, 2)).build();
            w.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
            w.getArray().set(new float[] {1f, -2f});
            Parameter b = Parameter.builder().setName("b").setType(Parameter.Type.BIAS).optShape(new Shape(2)).build();
            b.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
            b.getArray().set(new float[] {1f, 1f});
            Map<String, Parameter> params = new LinkedHashMap<>();
            params.put("w", w);
            params.put("b", b);
            Sgd sgd = new Sgd(params, 0.9f, 0.5f, false, m, fused); // no decay on the 1-d bias
            for (int step = 0; step < 2; step++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray loss = GradSafe.mul(w.getArray(), 3f).sum().add(GradSafe.mul(b.getArray(), 3f).sum());
                    GcChurn.run();
                    gc.backward(loss);
                }
                sgd.step(0.1f);
            }
            // w: d1 = 3 + 0.5 w0 -> [3.5, 2]; w1 = w0 - 0.1 d1 = [0.65, -2.2]
            //    d2 = 3 + 0.5 w1 = [3.325, 1.9]; buf = 0.9 d1 + d2 = [6.475, 3.7]; w2 = w1 - 0.1 buf
            assertArrayEquals(new float[] {0.65f - 0.6475f, -2.2f - 0.37f}, w.getArray().toFloatArray(), 1e-5f);
            // b: d = 3 each step; buf2 = 0.9 * 3 + 3 = 5.7; b2 = 1 - 0.3 - 0.57
            assertArrayEquals(new float[] {0.13f, 0.13f}, b.getArray().toFloatArray(), 1e-5f);
            assertEquals(0f, w.getArray().getGradient().abs().sum().getFloat(), 0f, "gradients are zeroed");
        }
    }

    /** Plain SGD (momentum 0, decay 0.5 on every tensor): w -= lr (3 + 0.5 w), no buffers. */
    @ParameterizedTest(name = "fused={0}")
    @ValueSource(booleans = {true, false})
    void withoutMomentum(boolean fused) {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).optShape(new Shape(1, 2)).build();
            w.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
            w.getArray().set(new float[] {1f, -2f});
            Sgd sgd = new Sgd(Map.of("w", w), 0f, 0.5f, true, m, fused);
            for (int step = 0; step < 2; step++) {
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(GradSafe.mul(w.getArray(), 3f).sum());
                }
                sgd.step(0.1f);
            }
            // w1 = w0 - 0.1 (3 + 0.5 w0) = [0.65, -2.2]; w2 = w1 - 0.1 (3 + 0.5 w1) = [0.3175, -2.39]
            assertArrayEquals(new float[] {0.3175f, -2.39f}, w.getArray().toFloatArray(), 1e-5f);
            assertEquals(0, sgd.state().size(), "no momentum buffers");
            assertEquals(0f, w.getArray().getGradient().abs().sum().getFloat(), 0f, "gradients are zeroed");
        }
    }

    @Test
    void stepsLeaveNoArraysBehind() {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter w = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).optShape(new Shape(3, 3)).build();
            w.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
            Sgd sgd = new Sgd(Map.of("w", w), 0.9f, 1e-4f, true, m);
            int[] counts = new int[4];
            for (int step = 0; step < 4; step++) {
                try (NDManager s = m.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = s.ones(new Shape(3));
                    gc.backward(x.matMul(w.getArray()).sum()); // x first: the results belong to the step
                }
                sgd.step(0.1f);
                counts[step] = m.getManagedArrays().size();
            }
            assertEquals(counts[1], counts[3], "arrays in the model's manager after steps 2 and 4");
        }
    }

    @Test
    void schedules() {
        LrSchedule poly = LrSchedule.poly(0.01f, 100);
        assertEquals(0.01f, poly.at(0), 1e-9f);
        assertEquals((float) (0.01 * Math.pow(0.5, 0.9)), poly.at(50), 1e-9f);
        assertEquals(0f, poly.at(100), 0f);
        LrSchedule ms = LrSchedule.multiStep(0.02f, 100, 10, 60, 80);
        assertEquals(0.02f * 0.001f, ms.at(0), 1e-9f, "warm-up starts at factor 0.001");
        assertEquals(0.02f, ms.at(10), 1e-9f);
        assertEquals(0.002f, ms.at(60), 1e-9f);
        assertEquals(0.0002f, ms.at(85), 1e-9f);
        assertEquals(0.005f, LrSchedule.cosine(0.01f, 100, 0).at(50), 1e-6f);
    }
}
