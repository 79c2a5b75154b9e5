package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resvision.data.boxes.Boxes;

/** One training step of the small preset: the four losses are finite and every head gets a gradient. */
class FasterRcnnTrainingStepTest {

    static DetectionConfig tiny() {
        DetectionConfig.Builder c = DetectionConfig.builder("fasterrcnn_resnet18_fpn_small");
        c.fpn_channels = 32;
        c.representation_size = 64;
        c.rpn_pre_nms_top_n_train = 200;
        c.rpn_post_nms_top_n_train = 100;
        c.box_batch_size_per_image = 32;
        return c.build();
    }

    @Test
    void lossesAreFiniteAndReachEveryHead() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            FasterRcnn model = FasterRcnn.of(tiny()).init(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray images = m.randomNormal(new Shape(2, 3, 128, 160));
            int[][] sizes = {{128, 160}, {120, 100}};
            List<Target> targets = List.of(new Target(Boxes.of(new float[] {10, 20, 60, 90, 80, 30, 150, 110}), new int[] {1, 3}),
                    new Target(Boxes.of(new float[] {5, 5, 40, 40}), new int[] {4}));
            Map<String, NDArray> losses;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                losses = model.losses(ps, images, sizes, targets, new Random(0));
                assertEquals(List.of("loss_classifier", "loss_box_reg", "loss_objectness", "loss_rpn_box_reg"), List.copyOf(losses.keySet()));
                NDArray total = null;
                for (NDArray l : losses.values()) {
                    assertTrue(Float.isFinite(l.getFloat()), losses.toString());
                    total = total == null ? l : total.add(l);
                }
                gc.backward(total);
            }
            // a freshly initialised classifier sees ~log(5) cross-entropy and ~log(2) objectness
            assertEquals(Math.log(5), losses.get("loss_classifier").getFloat(), 0.3);
            assertEquals(Math.log(2), losses.get("loss_objectness").getFloat(), 0.05);
            for (String name : List.of("roi_heads.box_predictor.cls_score.weight", "roi_heads.box_head.fc6.weight", "rpn.head.cls_logits.weight",
                    "rpn.head.bbox_pred.weight", "backbone.fpn.layer_blocks.0.0.weight", "backbone.body.layer4.1.conv2.weight")) {
                Parameter p = model.namedParameters().get(name);
                float g = p.getArray().getGradient().abs().sum().getFloat();
                assertTrue(g > 0, name + " got no gradient");
            }
        }
    }
    /**
     * The box head's losses alone reach the FPN and the body through RoIAlign (its pooling ran
     * outside autograd during training once: only the RPN's loss trained the features).
     */
    @Test
    void boxHeadLossesReachTheFeatures() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            FasterRcnn model = FasterRcnn.of(tiny()).init(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray images = m.randomNormal(new Shape(1, 3, 128, 160));
            List<Target> targets = List.of(new Target(Boxes.of(new float[] {10, 20, 60, 90, 80, 30, 150, 110}), new int[] {1, 3}));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Map<String, NDArray> losses = model.losses(ps, images, new int[][] {{128, 160}}, targets, new Random(0));
                gc.backward(losses.get("loss_classifier").add(losses.get("loss_box_reg")));
            }
            for (String name : List.of("backbone.fpn.layer_blocks.0.0.weight", "backbone.fpn.inner_blocks.3.0.weight", "backbone.body.layer4.1.conv2.weight")) {
                float g = model.namedParameters().get(name).getArray().getGradient().abs().sum().getFloat();
                assertTrue(g > 0, name + " got no gradient from the box head");
            }
            float rpn = model.namedParameters().get("rpn.head.cls_logits.weight").getArray().getGradient().abs().sum().getFloat();
            assertEquals(0f, rpn, "the RPN head is not under the box head's losses");
        }
    }
}
