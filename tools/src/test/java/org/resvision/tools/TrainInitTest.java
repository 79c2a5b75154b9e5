package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.FasterRcnn;
import org.resvision.nn.StateDictLoader;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

/** {@code train --init NAME}: fine-tuning from a published checkpoint, as torchvision users do. */
class TrainInitTest {

    @TempDir Path dir;
    private Path ann;
    private Path config;

    @BeforeEach
    void data() throws Exception {
        assertEquals(0, EvalCommandsTest.run("synth", "--format", "coco", "--images", "4", "--size", "128x96", "--out",
                dir.resolve("data").toString()).code());
        ann = dir.resolve("data/coco/annotations/instances_train.json");
        config = dir.resolve("det.json");
        // a learning rate of 1e-12: the run's weights are the initial ones to ~1e-9
        Files.writeString(config, DetectionCommandsTest.TINY.formatted("1e-12").replace("\"iterations\": 6", "\"iterations\": 1")
                .replace("\"milestones\": [5]", "\"milestones\": [1]").replace("\"warmup_iters\": 2", "\"warmup_iters\": 0"));
    }

    private EvalCommandsTest.Run train(String init, Path out) {
        return EvalCommandsTest.run("train", "--config", config.toString(), "--data", "coco:" + ann, "--val", "coco:" + ann, "--out",
                out.toString(), "--init", init);
    }

    /** A detector of 7 classes (the published one) fine-tuned to the config's 5: all but the box predictor carried over. */
    @Test
    void aPublishedDetectorInitialisesAllButTheBoxPredictor() throws Exception {
        Path ckpt = dir.resolve("det7.safetensors");
        DetectionConfig.Builder c = DetectionConfig.read(config).toBuilder();
        c.num_classes = 7;
        c.class_names = null;
        try (NDManager m = NDManager.newBaseManager()) {
            FasterRcnn model = FasterRcnn.of(c.build()).init(m);
            WeightsIO.saveSafetensors(ckpt, StateDictLoader.export(model, m), Map.of());
        }
        List<String> seven = IntStream.range(0, 7).mapToObj(i -> i == 0 ? "__background__" : "k" + i).toList();
        Path run = dir.resolve("run");
        try (PublishedFixture f = new PublishedFixture(dir, ckpt, "fasterrcnn_resnet18_fpn_small", "TEST_V1", "detection", seven)) {
            EvalCommandsTest.Run t = train("fasterrcnn_resnet18_fpn_small:TEST_V1", run);
            assertEquals(0, t.code(), t.err());
            assertTrue(t.out().contains("starting from fasterrcnn_resnet18_fpn_small:TEST_V1 (" + f.installed + ") (")
                    && t.out().contains("; the box predictor starts random for 5 classes"), t.out());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict init = WeightsIO.load(ckpt, m);
            StateDict trained = WeightsIO.load(run.resolve("model.safetensors"), m);
            for (String k : List.of("backbone.body.layer2.0.conv1.weight", "backbone.fpn.layer_blocks.0.0.weight", "rpn.head.conv.0.0.weight",
                    "roi_heads.box_head.fc6.weight")) {
                assertEquals(0, maxDiff(init.get(k), trained.get(k)), 1e-6, k);
            }
            assertEquals(7, init.get("roi_heads.box_predictor.cls_score.weight").getShape().get(0));
            assertEquals(5, trained.get("roi_heads.box_predictor.cls_score.weight").getShape().get(0));
        }
    }

    /** An ImageNet classifier initialises the ResNet body only (its fc dropped); FPN and heads start random. */
    @Test
    void aPublishedClassifierInitialisesTheBody() throws Exception {
        Path ckpt = dir.resolve("r18.safetensors");
        assertEquals(0, EvalCommandsTest.run("init-weights", "--arch", "resnet18", "--seed", "3", "--out", ckpt.toString()).code());
        List<String> classes = IntStream.range(0, 1000).mapToObj(i -> "c" + i).toList();
        Path run = dir.resolve("run");
        try (PublishedFixture f = new PublishedFixture(dir, ckpt, "resnet18", "TEST_V1", "classification", classes)) {
            EvalCommandsTest.Run t = train("resnet18:TEST_V1", run);
            assertEquals(0, t.code(), t.err());
            assertTrue(t.out().contains("initialised the resnet18 body from resnet18:TEST_V1"), t.out());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict init = WeightsIO.load(ckpt, m);
            StateDict trained = WeightsIO.load(run.resolve("model.safetensors"), m);
            assertEquals(0, maxDiff(init.get("layer3.1.conv2.weight"), trained.get("backbone.body.layer3.1.conv2.weight")), 1e-6);
            assertEquals(0, maxDiff(init.get("conv1.weight"), trained.get("backbone.body.conv1.weight")), 1e-6);
        }
    }

    @Test
    void checkpointsOfAnotherTaskOrArchitectureAreRefusedInOneLine() throws Exception {
        Path ckpt = dir.resolve("r34.safetensors");
        assertEquals(0, EvalCommandsTest.run("init-weights", "--arch", "resnet34", "--out", ckpt.toString()).code());
        List<String> classes = IntStream.range(0, 1000).mapToObj(i -> "c" + i).toList();
        try (PublishedFixture f = new PublishedFixture(dir, ckpt, "resnet34", "TEST_V1", "classification", classes)) {
            EvalCommandsTest.Run t = train("resnet34:TEST_V1", dir.resolve("run"));
            assertEquals(1, t.code());
            assertEquals("resvision train: error: " + f.installed + ": resnet34:TEST_V1 is a resnet34; the config's backbone is resnet18",
                    t.err().strip());
            assertTrue(!Files.exists(dir.resolve("run/model.safetensors")));
        }
        try (PublishedFixture f = new PublishedFixture(dir, ckpt, "fcn_resnet50", "TEST_V1", "segmentation", List.of("a", "b"))) {
            EvalCommandsTest.Run t = train("fcn_resnet50:TEST_V1", dir.resolve("run3"));
            assertEquals(1, t.code());
            assertNotEquals(-1, t.err().indexOf("fcn_resnet50:TEST_V1 is a segmentation model; a detection run starts from a detection or"
                    + " classification checkpoint"), t.err());
            assertEquals(1, t.err().strip().lines().count(), t.err());
        }
    }

    /** FCN: a published segmenter of 21 classes fine-tuned to 5 (last convs random), and an ImageNet classifier into the body. */
    @Test
    void segmentationRunsStartFromPublishedSegmentersAndClassifiers() throws Exception {
        assertEquals(0, EvalCommandsTest.run("synth", "--format", "voc", "--images", "4", "--size", "64x48", "--out",
                dir.resolve("vocdata").toString()).code());
        Path seg = dir.resolve("seg.json");
        Files.writeString(seg, """
                {"task": "segmentation", "model": "fcn_small", "num_classes": 5, "base_size": 48, "crop_size": 32, "batch_size": 2,
                 "iterations": 1, "lr": 1e-12, "log_every": 1, "checkpoint_every": 1}
                """);
        Path ckpt = dir.resolve("fcn21.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            org.resvision.segmentation.Fcn fcn = org.resvision.segmentation.Fcn.of(
                    org.resvision.segmentation.SegmentationConfig.read(seg).model().withNumClasses(21));
            fcn.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, 32, 32));
            WeightsIO.saveSafetensors(ckpt, StateDictLoader.export(fcn, m), Map.of());
        }
        List<String> voc = IntStream.range(0, 21).mapToObj(i -> "v" + i).toList();
        Path run = dir.resolve("segrun");
        try (PublishedFixture f = new PublishedFixture(dir, ckpt, "fcn_small", "TEST_V1", "segmentation", voc)) {
            EvalCommandsTest.Run t = EvalCommandsTest.run("train", "--config", seg.toString(), "--data", "voc:" + dir.resolve("vocdata/voc"),
                    "--out", run.toString(), "--init", "fcn_small:TEST_V1");
            assertEquals(0, t.code(), t.err());
            assertTrue(t.out().contains("; the classifiers' last layers start random for 5 classes"), t.out());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict init = WeightsIO.load(ckpt, m);
            StateDict trained = WeightsIO.load(run.resolve("model.safetensors"), m);
            assertEquals(0, maxDiff(init.get("backbone.layer4.1.conv2.weight"), trained.get("backbone.layer4.1.conv2.weight")), 1e-6);
            assertEquals(0, maxDiff(init.get("classifier.0.weight"), trained.get("classifier.0.weight")), 1e-6);
            assertEquals(21, init.get("classifier.4.weight").getShape().get(0));
            assertEquals(5, trained.get("classifier.4.weight").getShape().get(0));
        }
        Path r18 = dir.resolve("r18.safetensors");
        assertEquals(0, EvalCommandsTest.run("init-weights", "--arch", "resnet18", "--seed", "5", "--out", r18.toString()).code());
        Path run2 = dir.resolve("segrun2");
        try (PublishedFixture f = new PublishedFixture(dir, r18, "resnet18", "TEST_V1", "classification",
                IntStream.range(0, 1000).mapToObj(i -> "c" + i).toList())) {
            EvalCommandsTest.Run t = EvalCommandsTest.run("train", "--config", seg.toString(), "--data", "voc:" + dir.resolve("vocdata/voc"),
                    "--out", run2.toString(), "--init", "resnet18:TEST_V1");
            assertEquals(0, t.code(), t.err());
            assertTrue(t.out().contains("initialised the resnet18 body from resnet18:TEST_V1"), t.out());
        }
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(0, maxDiff(WeightsIO.load(r18, m).get("layer2.1.conv1.weight"),
                    WeightsIO.load(run2.resolve("model.safetensors"), m).get("backbone.layer2.1.conv1.weight")), 1e-6);
        }
    }

    private static double maxDiff(NDArray a, NDArray b) {
        return a.sub(b).abs().max().getFloat();
    }
}
