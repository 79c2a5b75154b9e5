package org.resvision.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.nn.Norm;
import org.resvision.nn.TorchSequential;

/** The FCN receives its parts; its config is immutable, the model's settings apart from the recipe. */
class FcnPartsTest {

    @TempDir
    Path dir;

    private static Map<String, Shape> shapes(Fcn fcn) {
        Map<String, Shape> out = new TreeMap<>();
        fcn.namedParameters().forEach((k, p) -> out.put(k, p.getArray().getShape()));
        return out;
    }

    /** FCN-ResNet50's layer4 (2048 channels) runs NCHW while training; the ResNet-18 preset's (512) keeps the backbone's rule. */
    @Test
    void layer4LayoutWhileTraining() {
        assertEquals(4, Fcn.resnet50(21).backbone().nchwFromStageWhileRecording());
        assertEquals(5, Fcn.small(21).backbone().nchwFromStageWhileRecording());
    }

    @Test
    void aModelOfItsPartsIsThePresetsAndHeadsMustAgree() {
        ResNetConfig body = ResNetConfig.of("resnet18").withDilation(false, true, true).withNumClasses(0);
        try (NDManager m = NDManager.newBaseManager()) {
            Fcn preset = Fcn.small(5);
            preset.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            Fcn byHand = new Fcn(new ResNet(body), FcnHead.create(512, 5, Norm.batchNorm(), 0.1f), FcnHead.create(256, 5, Norm.batchNorm(), 0.1f));
            byHand.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            assertEquals(shapes(preset), shapes(byHand));
            assertEquals(5, byHand.numClasses());

            Fcn noAux = new Fcn(new ResNet(body), FcnHead.create(512, 3, Norm.frozenBatchNorm(), 0f), null);
            noAux.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            assertTrue(shapes(noAux).keySet().stream().noneMatch(k -> k.startsWith("aux_classifier")));
            NDList out = noAux.forward(new ParameterStore(m, false), new NDList(m.randomNormal(new Shape(1, 3, 48, 40))), false);
            assertEquals(1, out.size());
            assertEquals(new Shape(1, 3, 48, 40), out.get(0).getShape());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Fcn(new ResNet(body),
                FcnHead.create(512, 5, Norm.batchNorm(), 0.1f), FcnHead.create(256, 4, Norm.batchNorm(), 0.1f)));
        assertEquals("the aux head has 4 classes, the classifier 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Fcn(new ResNet(body), new TorchSequential(), null));
        assertEquals(21, Fcn.resnet50(21).numClasses());
        assertEquals(shapesBeforeInit(Fcn.of(FcnConfig.fcnResnet101())), shapesBeforeInit(Fcn.resnet101(21)));
    }

    @Test
    void theHeadStartsAsTorchvisionsNnConv2dDefaults() {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(3);
            TorchSequential head = FcnHead.create(2048, 21, Norm.batchNorm(), 0.1f);
            head.initialize(m, DataType.FLOAT32, new Shape(1, 2048, 4, 4));
            Map<String, ai.djl.nn.Parameter> p = head.namedParameters();
            // U(-b, b) with b = 1/sqrt(fan_in): max |w| just under b, standard deviation b/sqrt(3)
            assertUniform(p.get("0.weight").getArray().toFloatArray(), 1 / Math.sqrt(2048 * 9));
            assertUniform(p.get("4.weight").getArray().toFloatArray(), 1 / Math.sqrt(512));
            float[] bias = p.get("4.bias").getArray().toFloatArray();
            for (float v : bias) {
                assertTrue(Math.abs(v) <= (1 + 1e-6) / Math.sqrt(512), "classifier bias " + v);
            }
        }
    }

    private static void assertUniform(float[] w, double bound) {
        double sq = 0;
        double max = 0;
        for (float v : w) {
            sq += (double) v * v;
            max = Math.max(max, Math.abs(v));
        }
        double std = Math.sqrt(sq / w.length);
        assertTrue(max <= bound * (1 + 1e-6) && max > 0.98 * bound, "max |w| " + max + " for bound " + bound);
        assertEquals(bound / Math.sqrt(3), std, 0.03 * bound / Math.sqrt(3), "standard deviation");
    }

    private static List<String> shapesBeforeInit(Fcn fcn) {
        return fcn.namedParameters().keySet().stream().sorted().toList();
    }

    @Test
    void aConfigFileGivesTheModelAndTheRecipeApartAndStaysAsRead() throws IOException {
        Path f = dir.resolve("seg.json");
        Files.writeString(f, "{\"task\": \"segmentation\", \"model\": \"fcn_small\", \"num_classes\": 3, \"class_names\": [\"bg\", \"a\", \"b\"],"
                + " \"aux\": false, \"base_size\": 64, \"crop_size\": 48, \"batch_size\": 2, \"iterations\": 30, \"lr\": 0.05, \"seed\": 4}");
        SegmentationConfig c = SegmentationConfig.read(f);
        assertEquals("fcn_small", c.preset());
        assertEquals(3, c.model().numClasses());
        assertFalse(c.model().aux());
        assertEquals("resnet18", c.model().backbone().arch());
        assertEquals(64, c.baseSize());
        assertEquals(new SegmentationRecipe(2, 30, 0.05f, 0.9f, 1e-4f, 4, 20, 1000, 48), c.recipe());
        assertEquals(List.of("bg", "a", "b"), c.classNames());

        SegmentationConfig.Builder b = c.toBuilder();
        b.iterations = 60;
        b.class_names.set(1, "changed");
        SegmentationConfig d = b.build();
        assertEquals(30, c.recipe().iterations(), "a builder made from a config is a copy");
        assertEquals("a", c.classNames().get(1));
        assertEquals(60, d.recipe().iterations());
        assertEquals(c.model(), d.model(), "a recipe change leaves the model");

        b.crop_size = 0;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertEquals("base_size 64 and crop_size 0 must be at least 1", e.getMessage());
        Files.writeString(f, "{\"task\": \"segmentation\", \"model\": \"fcn_tiny\"}");
        IOException unknown = assertThrows(IOException.class, () -> SegmentationConfig.read(f));
        assertEquals(f + ": unknown model 'fcn_tiny' (fcn_resnet50, fcn_resnet101, fcn_small)", unknown.getMessage());
    }

    /**
     * Under autograd the scores are upsampled by libtorch's plain bilinear op: the same values as
     * DJL's interpolation (the anti-aliased kernel, plain bilinear when upsampling) and the same
     * gradient.
     */
    @Test
    void trainingUpsampleMatchesDjlsInterpolation() {
        assertTrue(Fcn.upsampleOpLoaded(), "the training path's op loads");
        try (NDManager m = NDManager.newBaseManager()) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(3);
            ai.djl.ndarray.NDArray x = m.randomNormal(new Shape(2, 3, 5, 7));
            ai.djl.ndarray.NDArray probe = m.randomNormal(new Shape(2, 3, 20, 27));
            float[][] values = new float[2][];
            float[][] grads = new float[2][];
            for (int path = 0; path < 2; path++) {
                ai.djl.ndarray.NDArray leaf = x.duplicate();
                leaf.setRequiresGradient(true);
                try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                    ai.djl.ndarray.NDArray y = path == 0
                            ? Fcn.upsample(leaf, 20, 27)
                            : leaf.getNDArrayInternal().interpolation(new long[] {20, 27}, 1, false);
                    values[path] = y.toFloatArray();
                    gc.backward(y.mul(probe).sum());
                }
                grads[path] = leaf.getGradient().toFloatArray();
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(values[1], values[0], 1e-6f, "values");
            org.junit.jupiter.api.Assertions.assertArrayEquals(grads[1], grads[0], 1e-4f, "gradients");
        }
    }
}
