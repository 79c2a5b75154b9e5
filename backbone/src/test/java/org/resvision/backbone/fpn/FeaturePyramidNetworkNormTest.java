package org.resvision.backbone.fpn;

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
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.resvision.nn.Norm;
import org.resvision.parity.Tensors;

/** The FPN with {@code norm_layer} (fasterrcnn_resnet50_fpn_v2's): torchvision's keys, and BatchNorm really applied. */
class FeaturePyramidNetworkNormTest {

    private static final int[] IN = {8, 16, 24, 32};

    @Test
    void keysAreTorchvisionsWithAndWithoutNorm() {
        Map<String, Parameter> plain = new FeaturePyramidNetwork(IN, 8).namedParameters();
        assertEquals(List.of("inner_blocks.0.0.weight", "inner_blocks.0.0.bias"), List.copyOf(plain.keySet()).subList(0, 2));
        assertEquals(16, plain.size());
        FeaturePyramidNetwork bn = new FeaturePyramidNetwork(IN, 8, Norm.batchNorm());
        Map<String, Parameter> p = bn.namedParameters();
        assertEquals(List.of("inner_blocks.0.0.weight", "inner_blocks.0.1.weight", "inner_blocks.0.1.bias", "inner_blocks.0.1.running_mean",
                "inner_blocks.0.1.running_var"), List.copyOf(p.keySet()).subList(0, 5));
        assertFalse(p.containsKey("inner_blocks.0.0.bias"), "a conv before a norm has no bias");
        assertTrue(p.containsKey("layer_blocks.3.1.running_var"));
        assertEquals(8 * 5, p.size());
        assertTrue(bn.extraStateKeys().containsKey("layer_blocks.2.1.num_batches_tracked"));
    }

    /**
     * In inference BatchNorm is an affine map per channel, so conv + BN equals one conv with the
     * weights scaled by {@code gamma / sqrt(var + eps)} and the bias {@code beta - mean * scale}:
     * the normed FPN must give the plain FPN's output with the folded weights (random statistics).
     */
    @Test
    void batchNormFoldsIntoThePlainFpn() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(11);
            FeaturePyramidNetwork normed = new FeaturePyramidNetwork(IN, 8, Norm.batchNorm());
            FeaturePyramidNetwork plain = new FeaturePyramidNetwork(IN, 8);
            normed.initialize(m, DataType.FLOAT32, new Shape(1, 8, 16, 16));
            plain.initialize(m, DataType.FLOAT32, new Shape(1, 8, 16, 16));
            Map<String, Parameter> a = normed.namedParameters();
            Map<String, Parameter> b = plain.namedParameters();
            for (String kind : List.of("inner_blocks", "layer_blocks")) {
                for (int i = 0; i < IN.length; i++) {
                    String bn = kind + "." + i + ".1.";
                    a.get(bn + "weight").getArray().set(m.randomUniform(0.5f, 1.5f, new Shape(8)).toFloatArray());
                    a.get(bn + "bias").getArray().set(m.randomNormal(0f, 0.3f, new Shape(8), DataType.FLOAT32).toFloatArray());
                    a.get(bn + "running_mean").getArray().set(m.randomNormal(0f, 0.5f, new Shape(8), DataType.FLOAT32).toFloatArray());
                    a.get(bn + "running_var").getArray().set(m.randomUniform(0.3f, 2f, new Shape(8)).toFloatArray());
                    NDArray scale = a.get(bn + "weight").getArray().div(a.get(bn + "running_var").getArray().add(1e-5f).sqrt());
                    NDArray w = a.get(kind + "." + i + ".0.weight").getArray();
                    b.get(kind + "." + i + ".0.weight").getArray().set(w.mul(scale.reshape(8, 1, 1, 1)).toFloatArray());
                    b.get(kind + "." + i + ".0.bias").getArray()
                            .set(a.get(bn + "bias").getArray().sub(a.get(bn + "running_mean").getArray().mul(scale)).toFloatArray());
                }
            }
            NDList x = new NDList(m.randomNormal(new Shape(2, 8, 16, 20)), m.randomNormal(new Shape(2, 16, 8, 10)),
                    m.randomNormal(new Shape(2, 24, 4, 5)), m.randomNormal(new Shape(2, 32, 2, 3)));
            ParameterStore ps = new ParameterStore(m, false);
            NDList ya = normed.forward(ps, x, false);
            NDList yb = plain.forward(ps, x, false);
            assertEquals(5, ya.size());
            for (int l = 0; l < 5; l++) {
                Tensors.assertClose("fpn norm level " + l, ya.get(l), yb.get(l), 1e-5);
            }
        }
    }
}
