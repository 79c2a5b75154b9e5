package org.resvision.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/** Hand-computed BatchNorm arithmetic. */
class NormLayersTest {

    /** Channel 0 holds {1, 3}, channel 1 holds {2, 6}: mean 2 / 4, biased var 1 / 4, unbiased 2 / 8. */
    private static NDArray input(NDManager m) {
        return m.create(new float[] {1, 3, 2, 6}, new Shape(1, 2, 1, 2));
    }

    private static void setBuffers(TorchModule bn, float[] w, float[] b, float[] mean, float[] var) {
        var p = bn.namedParameters();
        p.get("weight").getArray().set(w);
        p.get("bias").getArray().set(b);
        p.get("running_mean").getArray().set(mean);
        p.get("running_var").getArray().set(var);
    }

    @Test
    void frozenBatchNormAppliesBuffersWithEps() {
        try (NDManager m = NDManager.newBaseManager()) {
            FrozenBatchNorm2d bn = new FrozenBatchNorm2d(2, 0.5f);
            bn.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 2));
            setBuffers(bn, new float[] {2, 1}, new float[] {1, -1}, new float[] {1, 2}, new float[] {3.5f, 0.5f});
            // training=true must not matter for the frozen layer
            NDArray y = bn.forward(new ParameterStore(m, false), new NDList(input(m)), true).singletonOrThrow();
            // ch0: (x - 1) / sqrt(4) * 2 + 1 -> {1, 3}; ch1: (x - 2) / 1 * 1 - 1 -> {-1, 3}
            assertArrayEquals(new float[] {1, 3, -1, 3}, y.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {1, 2}, bn.namedParameters().get("running_mean").getArray().toFloatArray());
        }
    }

    @Test
    void batchNormTrainingUsesBatchStatsAndUpdatesRunningStatsLikeTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            BatchNorm2d bn = new BatchNorm2d(2, 0f);
            bn.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 2));
            setBuffers(bn, new float[] {1, 1}, new float[] {0, 0}, new float[] {0, 0}, new float[] {1, 1});
            ParameterStore ps = new ParameterStore(m, false);
            NDArray y = bn.forward(ps, new NDList(input(m)), true).singletonOrThrow();
            // normalised with the biased batch variance: (x - mean) / std -> {-1, 1} per channel
            assertArrayEquals(new float[] {-1, 1, -1, 1}, y.toFloatArray(), 1e-6f);
            var p = bn.namedParameters();
            // running = 0.9 * old + 0.1 * batch (unbiased variance)
            assertArrayEquals(new float[] {0.2f, 0.4f}, p.get("running_mean").getArray().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {1.1f, 1.7f}, p.get("running_var").getArray().toFloatArray(), 1e-6f);
            NDArray z = bn.forward(ps, new NDList(input(m)), false).singletonOrThrow();
            // inference uses running stats: ch0 (1 - 0.2) / sqrt(1.1)
            assertArrayEquals(new float[] {(float) (0.8 / Math.sqrt(1.1)), (float) (2.8 / Math.sqrt(1.1)),
                    (float) (1.6 / Math.sqrt(1.7)), (float) (5.6 / Math.sqrt(1.7))}, z.toFloatArray(), 1e-5f);
        }
    }
    /** Under autograd the frozen layer gives the same values and passes {@code grad * scale} to its input. */
    @Test
    void frozenBatchNormUnderAutogradMatchesAndScalesTheGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            FrozenBatchNorm2d bn = new FrozenBatchNorm2d(2, 0.5f);
            bn.initialize(m, DataType.FLOAT32, new Shape(1, 2, 1, 2));
            // scales: ch0 3 / sqrt(3.5 + 0.5) = 1.5, ch1 1 / sqrt(0.5 + 0.5) = 1
            setBuffers(bn, new float[] {3, 1}, new float[] {1, -1}, new float[] {1, 2}, new float[] {3.5f, 0.5f});
            NDArray x = input(m);
            x.setRequiresGradient(true);
            NDArray y;
            try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                y = bn.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
                gc.backward(y.mul(m.create(new float[] {1, 2, 3, 4}, new Shape(1, 2, 1, 2))).sum());
            }
            // ch0: (x - 1) * 1.5 + 1 -> {1, 4}; ch1: (x - 2) - 1 -> {-1, 3}
            assertArrayEquals(new float[] {1, 4, -1, 3}, y.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {1.5f, 3, 3, 4}, x.getGradient().toFloatArray(), 1e-6f);
            NDArray fused = bn.forward(new ParameterStore(m, false), new NDList(input(m)), false).singletonOrThrow();
            assertArrayEquals(fused.toFloatArray(), y.toFloatArray(), 1e-6f);
        }
    }
}
