package org.resvision.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

/** {@link LinearLayer#forwardFlattened}: the numbers and gradients of flatten + linear, in either layout. */
class LinearLayerFlattenedTest {

    private static final Shape MAP = new Shape(37, 24, 7, 7);

    /** The output, the input's gradient, the weight's and the bias's, of sum(y * probe). */
    private static float[][] run(NDManager m, LinearLayer fc, NDArray map, NDArray probe, boolean flattened) {
        ParameterStore ps = new ParameterStore(m, false);
        NDArray x = map.duplicate();
        x.setRequiresGradient(true);
        NDArray y;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray in = flattened ? MemoryFormat.channelsLast(x) : x; // RoIAlign's layout, as the box head gets it
            y = flattened ? fc.forwardFlattened(ps, in, true) : fc.forward(ps, new NDList(in.reshape(MAP.get(0), MAP.slice(1).size())), true).singletonOrThrow();
            gc.backward(y.mul(probe).sum());
        }
        float[][] out = {y.toFloatArray(), x.getGradient().toFloatArray(), fc.getParameters().get("weight").getArray().getGradient().toFloatArray(),
            fc.getParameters().get("bias").getArray().getGradient().toFloatArray()};
        fc.getParameters().values().forEach(p -> p.getArray().getGradient().subi(p.getArray().getGradient())); // zero for the next run
        return out;
    }

    @Test
    void flattenedMapsGiveTheProductsNumbersAndGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            LinearLayer fc = new LinearLayer(24 * 49, 40);
            fc.initialize(m, DataType.FLOAT32, new Shape(MAP.get(0), 24 * 49));
            NDArray map = m.randomNormal(MAP);
            NDArray probe = m.randomNormal(new Shape(MAP.get(0), 40));
            float[][] product = run(m, fc, map, probe, false);
            float[][] conv = run(m, fc, map, probe, true);
            String[] what = {"output", "input gradient", "weight gradient", "bias gradient"};
            for (int k = 0; k < what.length; k++) {
                assertEquals(product[k].length, conv[k].length, what[k]);
                double diff = 0;
                double norm = 0;
                for (int i = 0; i < product[k].length; i++) {
                    diff = Math.max(diff, Math.abs(product[k][i] - conv[k][i]));
                    norm = Math.max(norm, Math.abs(product[k][i]));
                }
                assertTrue(norm > 0, what[k] + " is all zeros");
                assertTrue(diff <= 1e-5 * norm, what[k] + ": max |diff| " + diff + " against max |value| " + norm);
            }
        }
    }

    @Test
    void anEmptyBatchAndAWrongShape() {
        try (NDManager m = NDManager.newBaseManager()) {
            LinearLayer fc = new LinearLayer(24 * 49, 40);
            fc.initialize(m, DataType.FLOAT32, new Shape(1, 24 * 49));
            ParameterStore ps = new ParameterStore(m, false);
            assertEquals(new Shape(0, 40), fc.forwardFlattened(ps, m.zeros(new Shape(0, 24, 7, 7)), false).getShape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fc.forwardFlattened(ps, m.zeros(new Shape(2, 24, 6, 6)), false));
            assertEquals("a linear layer of 1176 inputs cannot take a flattened (2, 24, 6, 6) map", e.getMessage());
        }
    }
}
