package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.CategoryMask;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.FasterRcnn;
import org.resvision.nn.StateDictLoader;
import org.resvision.segmentation.Fcn;
import org.resvision.segmentation.PretrainedSegmentation;
import org.resvision.segmentation.SegmentationConfig;
import org.resvision.weights.WeightsIO;

/** {@code predict}, {@code evaluate} and {@code annotate-video} with a published checkpoint's name instead of a config and a file. */
class PublishedModelsCommandTest {

    private static final List<String> SHAPES = List.of("__background__", "circle", "rectangle", "triangle", "star");

    @TempDir Path dir;

    private Path detector() throws Exception {
        Path file = dir.resolve("det.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            FasterRcnn model = FasterRcnn.of(DetectionConfig.preset("fasterrcnn_resnet18_fpn_small")).init(m);
            WeightsIO.saveSafetensors(file, StateDictLoader.export(model, m), Map.of());
        }
        return file;
    }

    @Test
    void aDetectorsNameReplacesConfigAndFile() throws Exception {
        assertEquals(0, EvalCommandsTest.run("synth", "--format", "coco", "--images", "3", "--size", "128x96", "--out",
                dir.resolve("data").toString()).code());
        Path ann = dir.resolve("data/coco/annotations/instances_train.json");
        Path image = dir.resolve("data/coco/images/000001.jpg");
        Path file = detector();
        Path config = Files.writeString(dir.resolve("same.json"), """
                {"model": "fasterrcnn_resnet18_fpn_small", "num_classes": 5,
                 "class_names": ["__background__", "circle", "rectangle", "triangle", "star"]}""");
        EvalCommandsTest.Run byFile = EvalCommandsTest.run("predict", "--config", config.toString(), "--weights", file.toString(),
                image.toString(), "--out", dir.resolve("by-file.json").toString());
        assertEquals(0, byFile.code(), byFile.err());
        EvalCommandsTest.Run evalByFile = EvalCommandsTest.run("evaluate", "--config", config.toString(), "--weights", file.toString(),
                "--data", "coco:" + ann);
        assertEquals(0, evalByFile.code(), evalByFile.err());
        try (PublishedFixture f = new PublishedFixture(dir, file, "fasterrcnn_resnet18_fpn_small", "TEST_V1", "detection", SHAPES)) {
            EvalCommandsTest.Run byName = EvalCommandsTest.run("predict", "--weights", "fasterrcnn_resnet18_fpn_small:TEST_V1",
                    image.toString(), "--out", dir.resolve("by-name.json").toString());
            assertEquals(0, byName.code(), byName.err());
            String expected = Files.readString(dir.resolve("by-file.json"));
            assertTrue(expected.contains("\"category_name\""), expected);
            assertEquals(expected, Files.readString(dir.resolve("by-name.json")));

            EvalCommandsTest.Run evalByName = EvalCommandsTest.run("evaluate", "--weights", "fasterrcnn_resnet18_fpn_small:TEST_V1", "--data",
                    "coco:" + ann);
            assertEquals(0, evalByName.code(), evalByName.err());
            assertEquals(evalByFile.out(), evalByName.out());

            // a config with the published weights: its thresholds apply; it must fit the weights
            Path strict = Files.writeString(dir.resolve("strict.json"), """
                    {"model": "fasterrcnn_resnet18_fpn_small", "num_classes": 5, "box_score_thresh": 0.99}""");
            EvalCommandsTest.Run high = EvalCommandsTest.run("predict", "--config", strict.toString(), "--weights",
                    "fasterrcnn_resnet18_fpn_small:TEST_V1", image.toString(), "--out", dir.resolve("high.json").toString());
            assertEquals(0, high.code(), high.err());
            assertEquals("[ ]", Files.readString(dir.resolve("high.json")).strip());
            Path seven = Files.writeString(dir.resolve("seven.json"), "{\"model\": \"fasterrcnn_resnet18_fpn_small\", \"num_classes\": 7}");
            EvalCommandsTest.Run misfit = EvalCommandsTest.run("predict", "--config", seven.toString(), "--weights",
                    "fasterrcnn_resnet18_fpn_small:TEST_V1", image.toString(), "--out", dir.resolve("x.json").toString());
            assertEquals(1, misfit.code());
            assertTrue(misfit.err().startsWith("resvision predict: error: " + f.installed + ": ") && misfit.err().contains("shape"),
                    misfit.err());
            assertEquals(1, misfit.err().strip().lines().count(), misfit.err());

            Path video = VideoFixtures.video(dir.resolve("clip.avi"), 4);
            EvalCommandsTest.Run annotated = EvalCommandsTest.run("annotate-video", "--weights", "fasterrcnn_resnet18_fpn_small:TEST_V1",
                    video.toString(), "--out", dir.resolve("annotated").toString(), "--no-video");
            assertEquals(0, annotated.code(), annotated.err());
            assertEquals(4, Files.readAllLines(dir.resolve("annotated/clip.jsonl")).size());
        }
    }

    @Test
    void namesThatCannotServeAreOneLine() throws Exception {
        Path file = detector();
        Path image = dir.resolve("x.png");
        try (Mat mat = new Mat(48, 64, org.bytedeco.opencv.global.opencv_core.CV_8UC3)) {
            opencv_imgcodecs.imwrite(image.toString(), mat);
        }
        EvalCommandsTest.Run noConfig = EvalCommandsTest.run("predict", "--weights", file.toString(), image.toString(), "--out",
                dir.resolve("o.json").toString());
        assertEquals(2, noConfig.code());
        assertEquals("resvision predict: --config is required unless --weights names a published checkpoint ('resvision weights list')"
                + " (see 'resvision predict --help')", noConfig.err().strip());
        Path r18 = dir.resolve("r18.safetensors");
        assertEquals(0, EvalCommandsTest.run("init-weights", "--arch", "resnet18", "--out", r18.toString()).code());
        try (PublishedFixture f = new PublishedFixture(dir, r18, "resnet18", "TEST_V1", "classification",
                java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "c" + i).toList())) {
            EvalCommandsTest.Run classifier = EvalCommandsTest.run("predict", "--weights", "resnet18:TEST_V1", image.toString(), "--out",
                    dir.resolve("o.json").toString());
            assertEquals(2, classifier.code());
            assertEquals("resvision predict: resnet18:TEST_V1 is an image classifier; this command runs detection and segmentation models"
                    + " (its backbone: 'resvision features --weights resnet18:TEST_V1') (see 'resvision predict --help')", classifier.err().strip());
            EvalCommandsTest.Run absent = EvalCommandsTest.run("predict", "--weights", "fasterrcnn_resnet50_fpn_v2:COCO_V1", image.toString(),
                    "--out", dir.resolve("o.json").toString());
            assertEquals(1, absent.code());
            assertTrue(absent.err().startsWith("resvision predict: error: fasterrcnn_resnet50_fpn_v2:COCO_V1 is not cached and RESVISION_OFFLINE"
                    + " is set: fetch https://download.pytorch.org/models/fasterrcnn_resnet50_fpn_v2_coco-dd69338a.pth and put it at "
                    + f.hub.resolve("hub/checkpoints/fasterrcnn_resnet50_fpn_v2_coco-dd69338a.pth")), absent.err());
            assertEquals(1, absent.err().strip().lines().count(), absent.err());
        }
    }

    /** A published FCN: the image resized to the entry's short side (as torchvision's preset), the mask back at the image's size. */
    @Test
    void aSegmentersNameResizesAsItsPreset() throws Exception {
        assertEquals(0, EvalCommandsTest.run("synth", "--format", "voc", "--images", "2", "--size", "80x60", "--out",
                dir.resolve("data").toString()).code());
        Path image = Files.list(dir.resolve("data/voc/JPEGImages")).sorted().findFirst().orElseThrow();
        Path file = dir.resolve("fcn.safetensors");
        SegmentationConfig.Builder b = SegmentationConfig.builder("fcn_small");
        b.num_classes = 5;
        SegmentationConfig c = b.build();
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            Fcn fcn = Fcn.of(c.model());
            fcn.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            WeightsIO.saveSafetensors(file, StateDictLoader.export(fcn, m), Map.of());
        }
        try (PublishedFixture f = new PublishedFixture(dir, file, "fcn_small", "TEST_V1", "segmentation", SHAPES)) {
            Path out = dir.resolve("masks");
            EvalCommandsTest.Run p = EvalCommandsTest.run("predict", "--weights", "fcn_small:TEST_V1", image.toString(), "--out", out.toString());
            assertEquals(0, p.code(), p.err());
            String stem = image.getFileName().toString().replaceFirst("\\.[^.]*$", "");
            org.resvision.data.voc.SegmentationMap png = org.resvision.data.voc.VocReader.segmentation(out.resolve(stem + ".png"), 5);
            assertEquals(60, png.height());
            assertEquals(80, png.width());
            int[] ours = new int[60 * 80];
            for (int i = 0; i < ours.length; i++) {
                ours[i] = png.labels()[i] & 0xff;
            }
            assertTrue(java.util.Arrays.stream(ours).distinct().count() >= 2, "a mask of one class compares nothing");
            // the library's path: PretrainedSegmentation + its DJL translator (resize 520, nearest back)
            try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("fcn")) {
                PretrainedSegmentation ps = PretrainedSegmentation.fcn("fcn_small", "TEST_V1", m);
                assertEquals(520, ps.resizeShortSide());
                model.setBlock(ps.model());
                try (Predictor<Image, CategoryMask> pred = model.newPredictor(ps.translator())) {
                    int[][] mask = pred.predict(ImageFactory.getInstance().fromFile(image)).getMask();
                    int[] theirs = new int[60 * 80];
                    for (int y = 0; y < 60; y++) {
                        for (int x = 0; x < 80; x++) {
                            // the PNG holds VOC palette indices: the class index itself
                            theirs[y * 80 + x] = mask[y][x];
                        }
                    }
                    assertArrayEquals(theirs, ours);
                }
            }
        }
    }
}
