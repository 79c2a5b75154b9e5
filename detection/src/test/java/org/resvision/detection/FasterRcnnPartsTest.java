package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.resvision.backbone.fpn.BackboneWithFpn;
import org.resvision.nn.Norm;

/**
 * The model receives its parts (torchvision's {@code FasterRCNN(backbone, rpn, roi_heads,
 * transform)}), the presets are named builders, and a config is immutable with the model's
 * settings apart from the recipe.
 */
class FasterRcnnPartsTest {

    private static Map<String, Shape> shapes(FasterRcnn model) {
        Map<String, Shape> out = new TreeMap<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            out.put(e.getKey(), e.getValue().getArray().getShape());
        }
        return out;
    }

    @Test
    void aModelOfItsPartsIsTheConfigsModelAndAPartCanBeSwapped() {
        FasterRcnnConfig c = FasterRcnnTrainingStepTest.tiny().model();
        try (NDManager m = NDManager.newBaseManager()) {
            FasterRcnn fromConfig = FasterRcnn.of(c).init(m);
            RegionProposalNetwork rpn = new RegionProposalNetwork(c.anchorGenerator(), c.fpnChannels(), c.rpnConvDepth(), c.rpnSettings());
            FasterRcnn byHand = new FasterRcnn(new BackboneWithFpn(c.resnet(), c.fpnChannels(), c.trainableLayers(), c.fpnNormLayer()), rpn,
                    new RoiHeads(new MultiScaleRoiAlign(c.boxRoiOutput(), c.boxSamplingRatio(), c.boxRoiCanonicalScale(), 4), c.newBoxHead(),
                            c.representationSize(), c.numClasses(), c.boxCoder(), c.roiSettings()),
                    c.transform()).init(m);
            assertEquals(shapes(fromConfig), shapes(byHand));
            assertEquals(5, byHand.numClasses());

            // another box head, the rest unchanged: v2's conv + fc head on the tiny v1 model
            FasterRcnn swapped = new FasterRcnn(new BackboneWithFpn(c.resnet(), c.fpnChannels(), c.trainableLayers(), c.fpnNormLayer()),
                    new RegionProposalNetwork(c.anchorGenerator(), c.fpnChannels(), c.rpnConvDepth(), c.rpnSettings()),
                    new RoiHeads(new MultiScaleRoiAlign(c.boxRoiOutput(), c.boxSamplingRatio(), c.boxRoiCanonicalScale(), 4),
                            new FastRcnnConvFcHead(c.fpnChannels(), c.boxRoiOutput(), new int[] {16}, new int[] {c.representationSize()},
                                    Norm.batchNorm()),
                            c.representationSize(), c.numClasses(), c.boxCoder(), c.roiSettings()),
                    c.transform()).init(m);
            Map<String, Shape> s = shapes(swapped);
            assertEquals(new Shape(16, c.fpnChannels(), 3, 3), s.get("roi_heads.box_head.0.0.weight"));
            assertEquals(new Shape(c.representationSize(), 16 * 49), s.get("roi_heads.box_head.2.weight"));
            assertTrue(s.keySet().stream().noneMatch(k -> k.startsWith("roi_heads.box_head.fc6")), s.keySet().toString());
            Engine.getInstance().setRandomSeed(1);
            List<Detections> d = swapped.predict(new ParameterStore(m, false), List.of(m.randomUniform(0f, 1f, new Shape(3, 90, 120))));
            assertEquals(1, d.size());
        }
    }

    @Test
    void namedBuildersAreThePresets() {
        try (NDManager m = NDManager.newBaseManager()) {
            FasterRcnn v1 = FasterRcnn.resnet18Fpn(7).init(m);
            assertEquals(7, v1.numClasses());
            assertEquals(new Shape(7, 1024), shapes(v1).get("roi_heads.box_predictor.cls_score.weight"));
            DetectionConfig.Builder b = DetectionConfig.builder("fasterrcnn_resnet18_fpn");
            b.num_classes = 7;
            assertEquals(shapes(FasterRcnn.of(b.build()).init(m)), shapes(v1));
            assertEquals(800, v1.transform().minSize());
            assertEquals(1333, v1.transform().maxSize());
        }
        // the v2 builder has v2's parts: a 2-conv RPN head, the conv + fc box head, BatchNorm in the FPN
        java.util.Set<String> v2 = FasterRcnn.resnet50FpnV2(3).namedParameters().keySet();
        assertTrue(v2.contains("rpn.head.conv.1.0.weight") && v2.contains("roi_heads.box_head.5.weight")
                && v2.contains("backbone.fpn.inner_blocks.0.1.weight"), v2.toString());
        java.util.Set<String> v1 = FasterRcnn.resnet50Fpn(3).namedParameters().keySet();
        assertTrue(v1.contains("roi_heads.box_head.fc6.weight") && !v1.contains("rpn.head.conv.1.0.weight"), v1.toString());
    }

    @Test
    void predictIsTheTransformTheDetectorAndTheBoxesScaledBack() {
        DetectionConfig.Builder b = FasterRcnnTrainingStepTest.tiny().toBuilder();
        b.box_score_thresh = 0f;
        b.min_size = 96;
        b.max_size = 128;
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(2);
            FasterRcnn model = FasterRcnn.of(b.build()).init(m);
            ParameterStore ps = new ParameterStore(m, false);
            List<NDArray> images = List.of(m.randomUniform(0f, 1f, new Shape(3, 150, 200)), m.randomUniform(0f, 1f, new Shape(3, 90, 60)));
            List<Detections> byHand;
            try (DetectionTransform.Prepared p = model.transform().prepare(images)) {
                byHand = DetectionTransform.postprocess(model.detect(ps, p.images(), p.imageSizes()), p);
            }
            List<Detections> predicted = model.predict(ps, images);
            assertEquals(2, predicted.size());
            for (int i = 0; i < 2; i++) {
                assertTrue(predicted.get(i).size() > 0, "an untrained model with score 0 keeps detections");
                assertEquals(byHand.get(i).boxes(), predicted.get(i).boxes());
                assertArrayEquals(byHand.get(i).scores(), predicted.get(i).scores(), 0f);
                assertArrayEquals(byHand.get(i).labels(), predicted.get(i).labels());
            }
            float maxX = 0;
            for (int k = 0; k < predicted.get(1).size(); k++) {
                maxX = Math.max(maxX, predicted.get(1).boxes().get(k, 2));
            }
            assertTrue(maxX <= 60f, "boxes in the 60 px wide image's pixels: " + maxX);
        }
    }

    @Test
    void everyTransformFieldOfTheConfigReachesTheModelsTransform() {
        DetectionTransform base = FasterRcnn.of(FasterRcnnTrainingStepTest.tiny()).transform(); // 160-224 px
        try (NDManager m = NDManager.newBaseManager()) {
            // a square image is resized by min_size, a wide one by max_size
            NDArray square = m.randomUniform(0f, 1f, new Shape(3, 100, 100));
            NDArray wide = m.randomUniform(0f, 1f, new Shape(3, 100, 300));
            for (String field : new String[] {"min_size", "max_size", "image_mean", "image_std"}) {
                DetectionConfig.Builder b = FasterRcnnTrainingStepTest.tiny().toBuilder();
                switch (field) {
                    case "min_size" -> b.min_size = 120;
                    case "max_size" -> b.max_size = 200;
                    case "image_mean" -> b.image_mean = new float[] {0.5f, 0.5f, 0.5f};
                    default -> b.image_std = new float[] {0.5f, 0.5f, 0.5f};
                }
                DetectionTransform t = FasterRcnn.of(b.build()).transform();
                NDArray image = field.equals("max_size") ? wide : square;
                NDArray before = base.normalizeAndResize(image);
                NDArray after = t.normalizeAndResize(image);
                switch (field) {
                    case "min_size" -> {
                        // torchvision's float32 rule may floor a side one pixel under the size
                        assertTrue(before.getShape().get(1) >= 159 && before.getShape().get(1) <= 160, before.getShape().toString());
                        assertTrue(after.getShape().get(1) >= 119 && after.getShape().get(1) <= 120, after.getShape().toString());
                    }
                    case "max_size" -> {
                        // torchvision's float32 rule may floor a side one pixel under the limit
                        assertTrue(before.getShape().get(2) >= 223 && before.getShape().get(2) <= 224, before.getShape().toString());
                        assertTrue(after.getShape().get(2) >= 199 && after.getShape().get(2) <= 200, after.getShape().toString());
                    }
                    default -> {
                        assertEquals(before.getShape(), after.getShape());
                        assertNotEquals(before.getFloat(0, 0, 0), after.getFloat(0, 0, 0), field + " changes the normalised pixels");
                    }
                }
            }
        }
    }

    @Test
    void aConfigIsImmutableAndKeepsTheModelApartFromTheRecipe() {
        DetectionConfig.Builder b = DetectionConfig.builder("fasterrcnn_resnet18_fpn_small");
        DetectionConfig c = b.build();
        b.num_classes = 9;
        b.image_mean[0] = 9f;
        b.anchor_sizes[0][0] = 99f;
        b.milestones[0] = 1;
        assertEquals(5, c.model().numClasses(), "the builder's later changes do not reach a built config");
        assertEquals(0.485f, c.model().imageMean()[0]);
        assertEquals(16f, c.model().anchorSizes()[0][0]);
        assertEquals(450, c.recipe().milestones()[0]);
        c.model().imageMean()[0] = 7f;
        c.model().anchorSizes()[0][0] = 7f;
        c.recipe().milestones()[0] = 7;
        assertEquals(0.485f, c.model().imageMean()[0], "accessors give copies");
        assertEquals(16f, c.model().anchorSizes()[0][0]);
        assertEquals(450, c.recipe().milestones()[0]);
        DetectionConfig.Builder again = c.toBuilder();
        again.iterations = 7;
        DetectionConfig d = again.build();
        assertEquals(7, d.recipe().iterations());
        assertEquals(600, c.recipe().iterations());
        assertEquals(c.model(), d.model(), "a recipe change leaves the model's settings (equal, arrays compared by value)");
        assertEquals(c.model().hashCode(), d.model().hashCode());
        assertNotEquals(c.model(), strictOf(c).model());
        DetectionConfig strict = c.withBoxScoreThresh(0.5f);
        assertEquals(0.5f, strict.model().boxScoreThresh());
        assertEquals(0.05f, c.model().boxScoreThresh());
        assertThrows(IllegalArgumentException.class, () -> c.withBoxScoreThresh(Float.NaN));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            DetectionConfig.Builder bad = c.toBuilder();
            bad.class_names = List.of("background", "a");
            bad.build();
        });
        assertEquals("2 class_names for num_classes 5 (the first is the background)", e.getMessage());
        assertEquals(List.of("background", "class_1", "class_2", "class_3", "class_4"), c.classNames());
        DetectionConfig.Builder named = c.toBuilder();
        named.class_names = new java.util.ArrayList<>(List.of("bg", "a", "b", "c", "d"));
        DetectionConfig n = named.build();
        named.class_names.set(1, "changed");
        assertTrue(n.hasClassNames() && !c.hasClassNames());
        assertEquals("a", n.classNames().get(1));
    }

    private static DetectionConfig strictOf(DetectionConfig c) {
        return c.withBoxScoreThresh(0.9f);
    }
}
