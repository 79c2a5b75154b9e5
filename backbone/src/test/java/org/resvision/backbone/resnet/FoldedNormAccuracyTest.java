package org.resvision.backbone.resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.resvision.nn.Norm;

/**
 * ResNet-50 with frozen BatchNorm (random running statistics), a training pass (features and the
 * input's gradient), its BatchNorms folded into the convolutions ({@link
 * org.resvision.nn.ConvNorm}) and not, against the same network in float64: folding changes
 * float32's rounding, not its accuracy. (In inference nothing is folded. Measured for a sense of
 * scale: folded in inference, BackboneParityTest's ResNet-50 differed from torchvision by 1.06e-4
 * of layer4's largest value, unfolded by 5.7e-5.)
 */
class FoldedNormAccuracyTest {

    private static final Set<String> STAGES = Set.of("layer1", "layer2", "layer3", "layer4");

    @Test
    void foldedNormsAreAsAccurateAsUnfolded() {
        Map<String, float[]> weights = new HashMap<>();
        List<double[]> exact = run(DataType.FLOAT64, weights, true);
        List<double[]> unfolded = run(DataType.FLOAT32, weights, false);
        List<double[]> folded = run(DataType.FLOAT32, weights, true);
        assertEquals(5, folded.size());
        for (int i = 0; i < exact.size(); i++) {
            double norm = 0;
            double unfoldedError = 0;
            double foldedError = 0;
            for (int j = 0; j < exact.get(i).length; j++) {
                norm = Math.max(norm, Math.abs(exact.get(i)[j]));
                unfoldedError = Math.max(unfoldedError, Math.abs(exact.get(i)[j] - unfolded.get(i)[j]));
                foldedError = Math.max(foldedError, Math.abs(exact.get(i)[j] - folded.get(i)[j]));
            }
            assertTrue(norm > 0, "output " + i + " is all zeros");
            // the input gradient (output 4) is a sum of small terms of both signs, as in ChannelsLastStagesTest
            assertTrue(unfoldedError <= (i < 4 ? 2e-4 : 0.1) * norm, "output " + i + ": float32 off by " + unfoldedError + " against max |value| " + norm);
            assertTrue(foldedError <= Math.max(2 * unfoldedError, 1e-6 * norm), "output " + i + ": folded off by " + foldedError
                    + ", unfolded by " + unfoldedError + ", max |value| " + norm);
        }
    }

    /** layer1..layer4 of one image and the input's gradient of their means' sum; the float64 run draws weights and statistics and leaves them, rounded to float, for the others. */
    private static List<double[]> run(DataType type, Map<String, float[]> weights, boolean fold) {
        String before = System.getProperty("resvision.foldBatchNorm");
        System.setProperty("resvision.foldBatchNorm", String.valueOf(fold));
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(21);
            ResNet net = new ResNet(ResNetConfig.of("resnet50").withNorm(Norm.frozenBatchNorm()));
            Shape in = new Shape(1, 3, 160, 160);
            net.initialize(m, type, in);
            if (type == DataType.FLOAT64) {
                net.getParameters().forEach(p -> {
                    NDArray a = p.getValue().getArray();
                    String k = p.getKey();
                    // BatchNorm statistics away from the identity, as a trained network has them
                    if (k.endsWith("running_var")) {
                        a.set(new ai.djl.ndarray.index.NDIndex(":"), m.randomUniform(0.3f, 2f, a.getShape(), type));
                    } else if (k.endsWith("running_mean") || k.endsWith("bn1.bias") || k.endsWith("bn2.bias") || k.endsWith("bn3.bias")) {
                        a.set(new ai.djl.ndarray.index.NDIndex(":"), m.randomUniform(-0.3f, 0.3f, a.getShape(), type));
                    }
                    weights.put(k, a.toType(DataType.FLOAT32, false).toFloatArray());
                });
            } else {
                net.getParameters().forEach(p -> p.getValue().getArray().set(weights.get(p.getKey())));
            }
            ParameterStore ps = new ParameterStore(m, false);
            Engine.getInstance().setRandomSeed(22);
            NDArray x = m.randomNormal(in).toType(DataType.FLOAT32, false).toType(type, false);
            return StageGradients.run(net, ps, x, STAGES);
        } finally {
            if (before == null) {
                System.clearProperty("resvision.foldBatchNorm");
            } else {
                System.setProperty("resvision.foldBatchNorm", before);
            }
        }
    }
}
