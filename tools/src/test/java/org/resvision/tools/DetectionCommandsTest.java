package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.detection.DetectionConfig;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

/** train (with resume and divergence), evaluate and predict on a detection config, as a user runs them. */
class DetectionCommandsTest {

    @TempDir Path dir;

    static final String TINY = """
            {"task": "detection", "model": "fasterrcnn_resnet18_fpn_small", "num_classes": 5,
             "class_names": ["background", "circle", "rectangle", "triangle", "star"],
             "fpn_channels": 32, "representation_size": 64, "min_size": 96, "max_size": 128,
             "rpn_pre_nms_top_n_train": 200, "rpn_post_nms_top_n_train": 100, "rpn_pre_nms_top_n_test": 100,
             "rpn_post_nms_top_n_test": 50, "box_batch_size_per_image": 32, "batch_size": 2,
             "iterations": 6, "warmup_iters": 2, "milestones": [5], "lr": %s, "log_every": 2, "checkpoint_every": 3}
            """;

    @Test
    void trainResumeEvaluatePredict() throws Exception {
        assertEquals(0, EvalCommandsTest.run("synth", "--format", "coco", "--images", "12", "--size", "128x96", "--out",
                dir.resolve("data").toString()).code());
        Path ann = dir.resolve("data/coco/annotations/instances_train.json");
        Path config = dir.resolve("det.json");
        Files.writeString(config, TINY.formatted("0.01"));

        Path full = dir.resolve("full");
        EvalCommandsTest.Run t = EvalCommandsTest.run("train", "--config", config.toString(), "--data", "coco:" + ann, "--out", full.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("it 6/6") && t.out().contains("loss_objectness") && t.out().contains("eta"), t.out());
        assertTrue(t.out().contains("eval @3: bbox AP") && t.out().contains("Average Precision"), t.out());
        // the config named no classes: the run's config.json names the dataset's, the user's fields kept
        JsonNode written = new ObjectMapper().readTree(full.resolve("config.json").toFile());
        assertEquals(List.of("background", "circle", "rectangle", "triangle", "star"),
                new ObjectMapper().convertValue(written.get("class_names"), List.class));
        assertEquals(6, written.get("iterations").asInt());
        assertEquals(List.of("background", "circle", "rectangle", "triangle", "star"),
                DetectionConfig.read(full.resolve("config.json")).classNames());

        // stopped after 3 iterations, then resumed: the same weights as the uninterrupted run
        Path part = dir.resolve("part");
        Files.writeString(dir.resolve("det3.json"), TINY.formatted("0.01").replace("\"iterations\": 6", "\"iterations\": 3"));
        EvalCommandsTest.Run noVal = EvalCommandsTest.run("train", "--config", dir.resolve("det3.json").toString(), "--data", "coco:" + ann,
                "--out", part.toString(), "--val", "none");
        assertEquals(0, noVal.code(), noVal.err());
        assertTrue(noVal.out().contains("it 3/3") && !noVal.out().contains("eval @") && !noVal.out().contains("Average Precision"), noVal.out());
        EvalCommandsTest.Run r = EvalCommandsTest.run("train", "--config", config.toString(), "--data", "coco:" + ann, "--out",
                part.toString(), "--resume");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("resumed from " + part + " at iteration 3"), r.out());
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict a = WeightsIO.load(full.resolve("model.safetensors"), m);
            StateDict b = WeightsIO.load(part.resolve("model.safetensors"), m);
            for (var e : a) {
                if (e.getValue().getDataType().isFloating()) {
                    assertArrayEquals(e.getValue().toFloatArray(), b.get(e.getKey()).toFloatArray(), 1e-5f, e.getKey());
                }
            }
        }

        EvalCommandsTest.Run e = EvalCommandsTest.run("evaluate", "--config", config.toString(), "--weights",
                full.resolve("model.safetensors").toString(), "--data", "coco:" + dir.resolve("data/coco/annotations/instances_val.json"));
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ]"), e.out());

        Path results = dir.resolve("out/results.json");
        Path drawn = dir.resolve("drawn");
        Path image = dir.resolve("data/coco/images/000001.jpg");
        EvalCommandsTest.Run p = EvalCommandsTest.run("predict", "--config", config.toString(), "--weights",
                full.resolve("model.safetensors").toString(), "--score-thresh", "0", "--coco", ann.toString(), image.toString(),
                "--out", results.toString(), "--draw", drawn.toString());
        assertEquals(0, p.code(), p.err());
        JsonNode json = new ObjectMapper().readTree(results.toFile());
        assertTrue(json.size() > 0, "no detections at score threshold 0");
        JsonNode first = json.get(0);
        assertEquals(1, first.get("image_id").asLong());
        assertEquals(image.toString(), first.get("file_name").asText());
        assertEquals(4, first.get("bbox").size());
        assertTrue(first.get("category_name").asText().matches("circle|rectangle|triangle|star"), first.toString());
        assertTrue(Files.size(drawn.resolve("000001.jpg")) > 500);
        // a 128x96 image is drawn 4x enlarged (short side 384 >= 360), boxes with it
        try (org.bytedeco.opencv.opencv_core.Mat m = org.bytedeco.opencv.global.opencv_imgcodecs.imread(
                drawn.resolve("000001.jpg").toString())) {
            assertEquals(512, m.cols());
            assertEquals(384, m.rows());
        }
    }

    @Test
    void smallImagesAreDrawnEnlargedByAWholeFactor() {
        assertEquals(4, Drawing.drawScale(128, 96));
        assertEquals(5, Drawing.drawScale(96, 72));
        assertEquals(2, Drawing.drawScale(640, 180));
        assertEquals(1, Drawing.drawScale(640, 360));
        assertEquals(1, Drawing.drawScale(4000, 3000));
    }

    @Test
    void divergenceStopsAndKeepsTheLastGoodCheckpoint() throws Exception {
        assertEquals(0, EvalCommandsTest.run("synth", "--format", "coco", "--images", "8", "--size", "128x96", "--out",
                dir.resolve("data").toString()).code());
        Path config = dir.resolve("det.json");
        Files.writeString(config, TINY.formatted("1e9").replace("\"checkpoint_every\": 3", "\"checkpoint_every\": 1"));
        Path run = dir.resolve("run");
        EvalCommandsTest.Run t = EvalCommandsTest.run("train", "--config", config.toString(), "--data",
                "coco:" + dir.resolve("data/coco/annotations/instances_train.json"), "--out", run.toString());
        assertEquals(1, t.code(), t.out());
        assertTrue(t.err().matches("(?s).*iteration \\d: (the loss is (NaN|Infinity)|parameter \\S+ is no longer finite).*"
                + "stopped, the last good checkpoint \\(iteration \\d\\).*"), t.err());
        // what was kept is usable: every weight finite
        try (NDManager m = NDManager.newBaseManager()) {
            for (var e : WeightsIO.load(run.resolve("model.safetensors"), m)) {
                if (e.getValue().getDataType().isFloating()) {
                    assertTrue(Float.isFinite(e.getValue().sum().getFloat()), e.getKey());
                }
            }
        }
    }

    @Test
    void configErrorsNameTheFileAndTheProblem() throws Exception {
        Path typo = dir.resolve("typo.json");
        Files.writeString(typo, "{\"task\": \"detection\",\n \"num_clases\": 5}");
        EvalCommandsTest.Run t = EvalCommandsTest.run("predict", "--config", typo.toString(), "--weights", "w", "x.jpg", "--out", "o.json");
        assertEquals(1, t.code());
        assertTrue(t.err().contains(typo.toString()) && t.err().contains("num_clases"), t.err());
        Path names = dir.resolve("names.json");
        Files.writeString(names, "{\"model\": \"fasterrcnn_resnet18_fpn_small\", \"class_names\": [\"background\", \"a\"]}");
        EvalCommandsTest.Run n = EvalCommandsTest.run("predict", "--config", names.toString(), "--weights", "w", "x.jpg", "--out", "o.json");
        assertEquals(1, n.code());
        assertTrue(n.err().contains("2 class_names for num_classes 5"), n.err());
    }

    /**
     * #16 part 1: the training and evaluation sources {@code resvision train} and {@code evaluate} build
     * follow the model's transform (min_size, max_size, image_mean, image_std) and the recipe's
     * horizontal_flip, field by field.
     */
    @Test
    void theCommandsSourcesFollowEveryTransformFieldOfTheConfig(@TempDir Path dir) throws Exception {
        new org.resvision.data.synth.SyntheticDatasetWriter(new org.resvision.data.synth.SyntheticScenes(
                new org.resvision.data.synth.SyntheticScenes.Config(96, 64, 3, 1, 2))).writeCoco(dir, 4);
        DetectionCommands.CocoData data = new DetectionCommands.CocoData(dir.resolve("annotations/instances_train.json"), dir.resolve("images"));
        org.resvision.data.coco.CocoDataset ds = data.read();
        DetectionConfig.Builder base = DetectionConfig.builder("fasterrcnn_resnet18_fpn_small");
        base.min_size = 64;
        base.max_size = 128;
        base.horizontal_flip = false;
        try (NDManager m = NDManager.newBaseManager()) {
            org.resvision.data.transform.Sample ref = load(data, ds, base.build(), true, m);
            assertEquals(new ai.djl.ndarray.types.Shape(3, 64, 96), ref.image().getShape());
            DetectionConfig.Builder b = base.build().toBuilder();
            b.min_size = 32;
            b.max_size = 40;
            assertEquals(new ai.djl.ndarray.types.Shape(3, 26, 40), load(data, ds, b.build(), false, m).image().getShape(),
                    "min_size 32 would give 32 x 48; max_size 40 caps the long side");
            b = base.build().toBuilder();
            b.image_mean = new float[] {0f, 0f, 0f};
            b.image_std = new float[] {1f, 1f, 1f};
            float v = ref.image().getFloat(1, 7, 7);
            assertEquals(v * 0.224f + 0.456f, load(data, ds, b.build(), true, m).image().getFloat(1, 7, 7), 1e-4f, "raw pixels, green channel");
            b = base.build().toBuilder();
            b.horizontal_flip = true;
            // seeds from one generator: the first draws of Random(0), Random(1), ... are all about 0.73
            java.util.Random seeds = new java.util.Random(42);
            int flips = 0;
            for (int k = 0; k < 20; k++) {
                org.resvision.data.transform.Sample f = data.source(ds, true, org.resvision.detection.FasterRcnn.of(b.build()), b.build())
                        .load(0, new java.util.Random(seeds.nextLong()), m);
                if (!f.boxes().equals(ref.boxes())) {
                    assertEquals(ref.boxes().flipHorizontal(96), f.boxes(), "a flip mirrors the boxes");
                    flips++;
                }
            }
            assertTrue(flips > 3 && flips < 17, "horizontal_flip true: about half the draws flip, got " + flips + " of 20");
            assertEquals(ref.boxes(), load(data, ds, base.build(), false, m).boxes(), "evaluation never flips");
        }
    }

    private static org.resvision.data.transform.Sample load(DetectionCommands.CocoData data, org.resvision.data.coco.CocoDataset ds,
            DetectionConfig c, boolean train, NDManager m) throws Exception {
        return data.source(ds, train, org.resvision.detection.FasterRcnn.of(c), c).load(0, new java.util.Random(0), m);
    }
}
