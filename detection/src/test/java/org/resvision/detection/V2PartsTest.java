package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.nn.Norm;
import org.resvision.parity.Tensors;

/**
 * The parts of {@code fasterrcnn_resnet50_fpn_v2}: {@link RpnHead} with {@code conv_depth}, {@link
 * FastRcnnConvFcHead}, and the config switches that build them. The numbers are checked against
 * equivalent v1 parts (an identity second conv, folded BatchNorm, no conv layers), not constants.
 */
class V2PartsTest {

    private static void copy(Map<String, Parameter> from, String a, Map<String, Parameter> to, String b) {
        to.get(b).getArray().set(from.get(a).getArray().toFloatArray());
    }

    @Test
    void rpnHeadKeysFollowConvDepth() {
        assertEquals(List.of("conv.0.0.weight", "conv.0.0.bias", "cls_logits.weight", "cls_logits.bias", "bbox_pred.weight", "bbox_pred.bias"),
                List.copyOf(new RpnHead(8, 3).namedParameters().keySet()));
        assertEquals(List.of("conv.0.0.weight", "conv.0.0.bias", "conv.1.0.weight", "conv.1.0.bias", "cls_logits.weight", "cls_logits.bias",
                "bbox_pred.weight", "bbox_pred.bias"), List.copyOf(new RpnHead(8, 3, 2).namedParameters().keySet()));
        assertThrows(IllegalArgumentException.class, () -> new RpnHead(8, 3, 0));
    }

    /** A second conv that is the identity (dirac weights, bias 0) after a ReLU changes nothing: depth 2 = depth 1. */
    @Test
    void secondRpnConvIsApplied() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            RpnHead one = new RpnHead(6, 3);
            RpnHead two = new RpnHead(6, 3, 2);
            one.initialize(m, DataType.FLOAT32, new Shape(1, 6, 8, 8));
            two.initialize(m, DataType.FLOAT32, new Shape(1, 6, 8, 8));
            Map<String, Parameter> p1 = one.namedParameters();
            Map<String, Parameter> p2 = two.namedParameters();
            for (String k : p1.keySet()) {
                copy(p1, k, p2, k);
            }
            float[] dirac = new float[6 * 6 * 9];
            for (int c = 0; c < 6; c++) {
                dirac[(c * 6 + c) * 9 + 4] = 1f;
            }
            p2.get("conv.1.0.weight").getArray().set(dirac);
            p2.get("conv.1.0.bias").getArray().set(new float[6]);
            NDList x = new NDList(m.randomNormal(new Shape(2, 6, 8, 10)), m.randomNormal(new Shape(2, 6, 4, 5)));
            ParameterStore ps = new ParameterStore(m, false);
            NDList a = one.forward(ps, x, false);
            NDList b = two.forward(ps, x, false);
            Tensors.assertClose("rpn depth 2 objectness", b.get(0), a.get(0), 1e-6);
            Tensors.assertClose("rpn depth 2 deltas", b.get(1), a.get(1), 1e-6);
            // a non-identity second conv does change the output
            p2.get("conv.1.0.bias").getArray().set(new float[] {1, -1, 1, -1, 1, -1});
            assertTrue(Tensors.relativeError(two.forward(ps, x, false).get(0), a.get(0)) > 1e-3);
        }
    }

    @Test
    void convFcHeadKeysAreTorchvisions() {
        Map<String, Parameter> p = new FastRcnnConvFcHead(16, 7, new int[] {16, 16, 16, 16}, new int[] {32}, Norm.batchNorm()).namedParameters();
        assertEquals(List.of("0.0.weight", "0.1.weight", "0.1.bias", "0.1.running_mean", "0.1.running_var"), List.copyOf(p.keySet()).subList(0, 5));
        assertTrue(p.containsKey("3.1.running_var"));
        assertEquals(new Shape(32, 16 * 49), p.get("5.weight").getShape());
        assertTrue(p.containsKey("5.bias"));
        assertEquals(4 * 5 + 2, p.size());
        Map<String, Parameter> plain = new FastRcnnConvFcHead(16, 7, new int[] {16}, new int[] {32, 8}, null).namedParameters();
        assertEquals(List.of("0.0.weight", "0.0.bias", "2.weight", "2.bias", "4.weight", "4.bias"), List.copyOf(plain.keySet()));
    }

    /** Without conv layers the head is TwoMLPHead (flatten, fc + ReLU, fc + ReLU) under other names. */
    @Test
    void convFcHeadWithoutConvsIsTwoMlpHead() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(8);
            FastRcnnConvFcHead head = new FastRcnnConvFcHead(4, 3, new int[0], new int[] {10, 10}, null);
            TwoMlpHead ref = new TwoMlpHead(4 * 9, 10);
            head.initialize(m, DataType.FLOAT32, new Shape(5, 4, 3, 3));
            ref.initialize(m, DataType.FLOAT32, new Shape(5, 4, 3, 3));
            Map<String, Parameter> a = head.namedParameters();
            Map<String, Parameter> b = ref.namedParameters();
            copy(a, "1.weight", b, "fc6.weight");
            copy(a, "1.bias", b, "fc6.bias");
            copy(a, "3.weight", b, "fc7.weight");
            copy(a, "3.bias", b, "fc7.bias");
            NDArray x = m.randomNormal(new Shape(5, 4, 3, 3));
            ParameterStore ps = new ParameterStore(m, false);
            Tensors.assertClose("conv_fc without convs", head.forward(ps, new NDList(x), false).singletonOrThrow(),
                    ref.forward(ps, new NDList(x), false).singletonOrThrow(), 1e-6);
        }
    }

    /** In inference conv (no bias) + BN + ReLU = conv with folded weights and bias + ReLU: checks the BN's statistics and order. */
    @Test
    void convFcHeadAppliesBatchNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(9);
            int[] convs = {6, 5};
            FastRcnnConvFcHead normed = new FastRcnnConvFcHead(4, 5, convs, new int[] {12}, Norm.batchNorm());
            FastRcnnConvFcHead plain = new FastRcnnConvFcHead(4, 5, convs, new int[] {12}, null);
            normed.initialize(m, DataType.FLOAT32, new Shape(3, 4, 5, 5));
            plain.initialize(m, DataType.FLOAT32, new Shape(3, 4, 5, 5));
            Map<String, Parameter> a = normed.namedParameters();
            Map<String, Parameter> b = plain.namedParameters();
            for (int i = 0; i < convs.length; i++) {
                int c = convs[i];
                String bn = i + ".1.";
                a.get(bn + "weight").getArray().set(m.randomUniform(0.5f, 1.5f, new Shape(c)).toFloatArray());
                a.get(bn + "bias").getArray().set(m.randomNormal(0f, 0.3f, new Shape(c), DataType.FLOAT32).toFloatArray());
                a.get(bn + "running_mean").getArray().set(m.randomNormal(0f, 0.5f, new Shape(c), DataType.FLOAT32).toFloatArray());
                a.get(bn + "running_var").getArray().set(m.randomUniform(0.3f, 2f, new Shape(c)).toFloatArray());
                NDArray scale = a.get(bn + "weight").getArray().div(a.get(bn + "running_var").getArray().add(1e-5f).sqrt());
                b.get(i + ".0.weight").getArray().set(a.get(i + ".0.weight").getArray().mul(scale.reshape(c, 1, 1, 1)).toFloatArray());
                b.get(i + ".0.bias").getArray().set(a.get(bn + "bias").getArray().sub(a.get(bn + "running_mean").getArray().mul(scale)).toFloatArray());
            }
            copy(a, "3.weight", b, "3.weight");
            copy(a, "3.bias", b, "3.bias");
            NDArray x = m.randomNormal(new Shape(3, 4, 5, 5));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray ya = normed.forward(ps, new NDList(x), false).singletonOrThrow();
            assertEquals(new Shape(3, 12), ya.getShape());
            Tensors.assertClose("conv_fc folded BN", ya, plain.forward(ps, new NDList(x), false).singletonOrThrow(), 1e-5);
        }
    }

    @Test
    void v2PresetBuildsTorchvisionsKeys() {
        DetectionConfig c = DetectionConfig.preset("fasterrcnn_resnet50_fpn_v2");
        assertEquals(91, c.model().numClasses());
        assertEquals("batchnorm", c.model().norm());
        assertEquals(3, c.model().trainableLayers());
        Map<String, Parameter> p = FasterRcnn.of(c).namedParameters();
        for (String k : List.of("backbone.fpn.inner_blocks.0.0.weight", "backbone.fpn.inner_blocks.0.1.running_var", "backbone.fpn.layer_blocks.3.1.bias",
                "rpn.head.conv.0.0.weight", "rpn.head.conv.1.0.bias", "roi_heads.box_head.0.0.weight", "roi_heads.box_head.3.1.running_mean",
                "roi_heads.box_head.5.weight", "roi_heads.box_predictor.cls_score.weight", "backbone.body.layer1.0.bn1.running_var")) {
            assertTrue(p.containsKey(k), k);
        }
        for (String k : List.of("backbone.fpn.inner_blocks.0.0.bias", "roi_heads.box_head.fc6.weight", "roi_heads.box_head.0.0.bias")) {
            assertFalse(p.containsKey(k), k);
        }
        assertEquals(new Shape(1024, 256 * 49), p.get("roi_heads.box_head.5.weight").getShape());
        // v1's preset keeps v1's parts
        Map<String, Parameter> v1 = FasterRcnn.of(DetectionConfig.preset("fasterrcnn_resnet50_fpn")).namedParameters();
        assertTrue(v1.containsKey("roi_heads.box_head.fc6.weight") && v1.containsKey("backbone.fpn.inner_blocks.0.0.bias"));
        assertFalse(v1.containsKey("rpn.head.conv.1.0.weight"));
    }

    @Test
    void newFieldsAreValidated() {
        String[][] bad = {{"fpn_norm", "\"group\"", "fpn_norm 'group' must be 'none', 'batchnorm' or 'frozen'"},
            {"rpn_conv_depth", "0", "rpn_conv_depth 0 must be >= 1"},
            {"box_head", "\"mlp\"", "box_head 'mlp' must be 'two_mlp' or 'conv_fc'"},
            {"box_head_norm", "\"bn\"", "box_head_norm 'bn' must be 'none', 'batchnorm' or 'frozen'"},
            {"box_head_conv_channels", "[256, 0]", "box_head_conv_channels [256, 0] must be a list of positive channel counts"}};
        for (String[] b : bad) {
            IOException e = assertThrows(IOException.class, () -> read("{\"model\": \"fasterrcnn_resnet50_fpn_v2\", \"" + b[0] + "\": " + b[1] + "}"));
            assertTrue(e.getMessage().endsWith(": " + b[2]), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void jsonSelectsTheV2PartsAndOldConfigsKeepV1() throws IOException {
        DetectionConfig v2 = read("{\"model\": \"fasterrcnn_resnet50_fpn_v2\", \"num_classes\": 3, \"rpn_conv_depth\": 3, \"box_head_conv_channels\": [64, 32]}");
        assertEquals("conv_fc", v2.model().boxHead());
        assertEquals("batchnorm", v2.model().fpnNorm());
        Map<String, Parameter> p = FasterRcnn.of(v2).namedParameters();
        assertTrue(p.containsKey("rpn.head.conv.2.0.weight"));
        assertEquals(new Shape(32, 64, 3, 3), p.get("roi_heads.box_head.1.0.weight").getShape());
        assertEquals(new Shape(1024, 32 * 49), p.get("roi_heads.box_head.3.weight").getShape());
        DetectionConfig v1 = read("{\"model\": \"fasterrcnn_resnet18_fpn_small\"}");
        assertEquals("none", v1.model().fpnNorm());
        assertEquals(1, v1.model().rpnConvDepth());
        assertEquals("two_mlp", v1.model().boxHead());
    }

    @TempDir
    Path tmp;

    private DetectionConfig read(String json) throws IOException {
        Path f = tmp.resolve("c" + System.nanoTime() + ".json");
        Files.writeString(f, json);
        return DetectionConfig.read(f);
    }
}
