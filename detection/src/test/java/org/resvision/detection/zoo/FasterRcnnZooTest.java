package org.resvision.detection.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.modality.cv.output.Rectangle;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.backbone.zoo.ZooFixture;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.DetectionTranslator;
import org.resvision.detection.FasterRcnn;
import org.resvision.detection.Pretrained;
import org.resvision.nn.StateDictLoader;
import org.resvision.weights.WeightsIO;

/**
 * The pretrained entry points for Faster R-CNN on a small seeded checkpoint published in a
 * temporary torch hub cache with an extra catalog: {@link Pretrained}, DJL's {@code Criteria}
 * with {@code resvision://} URLs and with {@code optModelPath} + {@code config}, each giving the
 * detections of the same file loaded by hand and run through {@link DetectionTranslator}.
 */
class FasterRcnnZooTest {

    private static final String MODEL = "fasterrcnn_resnet18_fpn_small";
    private static final List<String> CLASSES = List.of("__background__", "circle", "rectangle", "triangle", "star");

    @TempDir
    static Path dir;
    private static Path checkpoint;
    private static Path resnet;
    private static Image imageA;
    private static Image imageB;
    private static Image canvas;
    private static ZooFixture zoo;

    @BeforeAll
    static void publish() throws IOException {
        checkpoint = dir.resolve("frcnn-small.safetensors");
        resnet = dir.resolve("resnet18.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            FasterRcnn net = FasterRcnn.of(DetectionConfig.preset(MODEL)).init(m);
            WeightsIO.saveSafetensors(checkpoint, StateDictLoader.export(net, m), Map.of());
            ResNet r = new ResNet(ResNetConfig.of("resnet18"));
            r.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            WeightsIO.saveSafetensors(resnet, StateDictLoader.export(r, m), Map.of());
            // different sizes that resize to the same 160x224, so a batch needs no extra padding
            Engine.getInstance().setRandomSeed(6);
            imageA = image(m, 160, 224);
            imageB = image(m, 80, 112);
            Engine.getInstance().setRandomSeed(6);
            canvas = image(m, 160, 224); // imageA again (Image.duplicate() fails on images made from NDArrays in DJL 0.35.1)
        }
        zoo = new ZooFixture(dir.resolve("zoo")).categories("shapes5", CLASSES);
        zoo.publish(MODEL, "TEST", "detection", "shapes5", checkpoint, 0, true);
        zoo.publish(MODEL, "WRONG", "detection", "shapes5", resnet, 0, true);
        zoo.publish(MODEL, "ABSENT", "detection", "shapes5", resnet, 0, false);
    }

    private static Image image(NDManager m, int h, int w) {
        NDArray a = m.randomUniform(0, 255, new Shape(h, w, 3)).toType(DataType.UINT8, false);
        return ImageFactory.getInstance().fromNDArray(a);
    }

    @BeforeEach
    void install() throws IOException {
        zoo.install();
    }

    @AfterEach
    void restore() {
        zoo.restore();
    }

    @AfterAll
    static void release() {
        imageA = null;
        imageB = null;
        canvas = null;
    }

    /** The reference: the file loaded by hand into {@code config}'s network, predicted through DetectionTranslator. */
    private static List<DetectedObjects> byHand(DetectionConfig c, List<Image> images) throws Exception {
        try (Model model = Model.newInstance("by-hand")) {
            FasterRcnn net = FasterRcnn.of(c).init(model.getNDManager());
            StateDictLoader.load(net, checkpoint, model.getNDManager(), "", true);
            model.setBlock(net);
            try (Predictor<Image, DetectedObjects> p = model.newPredictor(new DetectionTranslator(net, c.classNames()))) {
                List<DetectedObjects> out = new ArrayList<>();
                for (Image im : images) {
                    out.add(p.predict(im));
                }
                return out;
            }
        }
    }

    private static DetectionConfig published() {
        DetectionConfig.Builder cb = DetectionConfig.builder(MODEL);
        cb.class_names = CLASSES;
        DetectionConfig c = cb.build();
        return c;
    }

    private static Criteria<Image, DetectedObjects> url(String url) {
        return Criteria.builder().setTypes(Image.class, DetectedObjects.class).optModelUrls(url).build();
    }

    @Test
    void pretrainedGivesTheHandLoadedModelsDetections() throws Exception {
        List<DetectedObjects> expected = byHand(published(), List.of(imageA));
        assertTrue(expected.get(0).getNumberOfObjects() > 0, "the seeded model detects something");
        for (String weights : new String[] {"TEST", null, "DEFAULT"}) {
            try (Model model = Model.newInstance("pretrained")) {
                Pretrained p = Pretrained.fasterRcnn(MODEL, weights, model.getNDManager());
                assertEquals(CLASSES, p.categories());
                assertEquals(5, p.config().model().numClasses());
                assertEquals(MODEL + ":TEST", p.weights().id());
                model.setBlock(p.model());
                try (Predictor<Image, DetectedObjects> predictor = model.newPredictor(p.translator())) {
                    assertSameObjects(expected.get(0), predictor.predict(imageA), 0);
                }
            }
        }
        try (Model model = Model.newInstance("own")) {
            Pretrained p = Pretrained.fasterRcnn(checkpoint, published(), model.getNDManager());
            assertNull(p.weights());
            model.setBlock(p.model());
            try (Predictor<Image, DetectedObjects> predictor = model.newPredictor(p.translator())) {
                assertSameObjects(expected.get(0), predictor.predict(imageA), 0);
            }
        }
    }

    @Test
    void criteriaUrlLoadsAModelThatPredictsBatchesAndThreads() throws Exception {
        List<DetectedObjects> expected = byHand(published(), List.of(imageA, imageB));
        try (ZooModel<Image, DetectedObjects> model = url("resvision://" + MODEL + "?weights=TEST").loadModel()) {
            assertTrue(model.getBlock() instanceof FasterRcnn);
            List<DetectedObjects> single = new ArrayList<>();
            try (Predictor<Image, DetectedObjects> predictor = model.newPredictor()) {
                single.add(predictor.predict(imageA));
                single.add(predictor.predict(imageB));
                assertSameObjects(expected.get(0), single.get(0), 0);
                assertSameObjects(expected.get(1), single.get(1), 0);
                // DJL's conventions: class names, normalised rectangles that draw on the image
                for (DetectedObjects.DetectedObject o : single.get(0).<DetectedObjects.DetectedObject>items()) {
                    assertTrue(CLASSES.subList(1, CLASSES.size()).contains(o.getClassName()));
                    Rectangle r = o.getBoundingBox().getBounds();
                    assertTrue(r.getX() >= 0 && r.getY() >= 0 && r.getX() + r.getWidth() <= 1 + 1e-6 && r.getY() + r.getHeight() <= 1 + 1e-6, r.toString());
                }
                canvas.drawBoundingBoxes(single.get(0));
                assertEquals(imageA.getWidth(), canvas.getWidth());

                List<DetectedObjects> batch = predictor.batchPredict(List.of(imageA, imageB));
                assertSameObjects(single.get(0), batch.get(0), 1e-4);
                assertSameObjects(single.get(1), batch.get(1), 1e-4);
            }
            // a predictor per thread, two threads at once: the one-thread results
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<List<DetectedObjects>>> futures = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    Callable<List<DetectedObjects>> job = () -> {
                        try (Predictor<Image, DetectedObjects> p = model.newPredictor()) {
                            List<DetectedObjects> out = new ArrayList<>();
                            for (int i = 0; i < 2; i++) {
                                out.add(p.predict(imageA));
                                out.add(p.predict(imageB));
                            }
                            return out;
                        }
                    };
                    futures.add(pool.submit(job));
                }
                for (Future<List<DetectedObjects>> f : futures) {
                    List<DetectedObjects> got = f.get();
                    for (int i = 0; i < got.size(); i++) {
                        assertSameObjects(single.get(i % 2), got.get(i), 0);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void criteriaModelPathWithAConfig() throws Exception {
        DetectionConfig preset = DetectionConfig.preset(MODEL); // class_1..class_4
        List<DetectedObjects> expected = byHand(preset, List.of(imageA));
        Criteria<Image, DetectedObjects> byPath = Criteria.builder().setTypes(Image.class, DetectedObjects.class).optModelPath(checkpoint)
                .optArgument("config", MODEL)
                .optArgument("translatorFactory", "org.resvision.detection.zoo.FasterRcnnZooFactory")
                .optArgument("blockFactory", "org.resvision.detection.zoo.FasterRcnnZooFactory")
                .optOption("hasParameter", "false").build();
        try (ZooModel<Image, DetectedObjects> model = byPath.loadModel(); Predictor<Image, DetectedObjects> p = model.newPredictor()) {
            assertSameObjects(expected.get(0), p.predict(imageA), 0);
        }
        // the same with a config file, and with the resvision:///path form (no class names at all)
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"task\": \"detection\", \"model\": \"" + MODEL + "\", \"num_classes\": 5, \"class_names\": "
                + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(CLASSES) + "}");
        List<DetectedObjects> named = byHand(published(), List.of(imageA));
        String u = "resvision://" + checkpoint.toAbsolutePath().toUri().getRawPath() + "?config=" + config.toAbsolutePath();
        try (ZooModel<Image, DetectedObjects> model = url(u).loadModel(); Predictor<Image, DetectedObjects> p = model.newPredictor()) {
            assertSameObjects(named.get(0), p.predict(imageA), 0);
        }
    }

    @Test
    void publishedConfigsFollowTorchvision() {
        DetectionConfig v1 = Pretrained.config(Pretrained.find("fasterrcnn_resnet50_fpn", "COCO_V1"));
        assertEquals("frozen", v1.model().norm());
        assertEquals(0f, v1.model().normEps()); // overwrite_eps(model, 0.0)
        assertEquals(91, v1.model().numClasses());
        assertEquals("__background__", v1.classNames().get(0));
        assertEquals("person", v1.classNames().get(1));
        assertEquals(Pretrained.config(Pretrained.find("fasterrcnn_resnet50_fpn", null)).classNames(), v1.classNames());
        IllegalArgumentException notDetection = assertThrows(IllegalArgumentException.class, () -> Pretrained.find("fcn_resnet50", null));
        assertOneLine(notDetection.getMessage(), "segmentation");
    }

    @Test
    void criteriaWithoutUrlFindsTheEntryInTheResVisionZoo() throws Exception {
        List<DetectedObjects> expected = byHand(published(), List.of(imageA));
        for (String weights : new String[] {"TEST", null}) {
            Criteria.Builder<Image, DetectedObjects> b = Criteria.builder().setTypes(Image.class, DetectedObjects.class)
                    .optGroupId("org.resvision").optArtifactId(MODEL);
            if (weights != null) {
                b.optFilter("weights", weights);
            }
            try (ZooModel<Image, DetectedObjects> model = b.build().loadModel(); Predictor<Image, DetectedObjects> p = model.newPredictor()) {
                assertSameObjects(expected.get(0), p.predict(imageA), 0);
            }
        }
        // the filter picks the entry: named, its absent file is the error; unnamed, the zoo has nothing to offer
        IOException absent = assertThrows(IOException.class, () -> Criteria.builder().setTypes(Image.class, DetectedObjects.class)
                .optGroupId("org.resvision").optArtifactId(MODEL).optFilter("weights", "ABSENT").build().loadModel().close());
        assertOneLine(absent.getMessage(), "is not cached and RESVISION_OFFLINE is set: fetch https://example.invalid/");
        assertThrows(ai.djl.repository.zoo.ModelNotFoundException.class, () -> Criteria.builder().setTypes(Image.class, DetectedObjects.class)
                .optGroupId("org.resvision").optFilter("weights", "ABSENT").build().loadModel().close());
        assertTrue(ai.djl.repository.zoo.ModelZoo.getModelZoo("org.resvision").getModelLoaders().stream()
                .anyMatch(l -> l.getArtifactId().equals("fasterrcnn_resnet50_fpn")));
    }

    @Test
    void errorsAreOneLineAndNameTheProblem() throws Exception {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Pretrained.fasterRcnn("fasterrcnn_resnet18_fpn_smal", "TEST", NDManager.newBaseManager()));
        assertOneLine(unknown.getMessage(), "unknown weights 'fasterrcnn_resnet18_fpn_smal:TEST'");
        IllegalArgumentException unknownUrl = assertThrows(IllegalArgumentException.class, () -> url("resvision://fasterrcnn_resnet18_fpn_smal"));
        assertOneLine(unknownUrl.getMessage(), "unknown weights 'fasterrcnn_resnet18_fpn_smal'");

        try (NDManager m = NDManager.newBaseManager()) {
            IOException wrong = assertThrows(IOException.class, () -> Pretrained.fasterRcnn(MODEL, "WRONG", m));
            assertOneLine(wrong.getMessage(), "no tensor matches");
            assertTrue(wrong.getMessage().contains(".safetensors"), wrong.getMessage());
            IOException absent = assertThrows(IOException.class, () -> Pretrained.fasterRcnn(MODEL, "ABSENT", m));
            assertOneLine(absent.getMessage(), "is not cached and RESVISION_OFFLINE is set: fetch https://example.invalid/");
        }
        IOException wrongUrl = assertThrows(IOException.class, () -> url("resvision://" + MODEL + "?weights=WRONG").loadModel().close());
        assertOneLine(wrongUrl.getMessage(), "no tensor matches");
        IOException wrongPath = assertThrows(IOException.class,
                () -> url("resvision://" + resnet.toAbsolutePath().toUri().getRawPath() + "?config=" + MODEL).loadModel().close());
        assertOneLine(wrongPath.getMessage(), resnet.getFileName().toString());
    }

    private static void assertOneLine(String message, String part) {
        assertTrue(message.contains(part), message);
        assertFalse(message.contains("\n"), message);
    }

    private static void assertSameObjects(DetectedObjects expected, DetectedObjects actual, double tolerance) {
        assertEquals(expected.getNumberOfObjects(), actual.getNumberOfObjects());
        for (int k = 0; k < expected.getNumberOfObjects(); k++) {
            DetectedObjects.DetectedObject e = expected.item(k);
            DetectedObjects.DetectedObject a = actual.item(k);
            assertEquals(e.getClassName(), a.getClassName());
            assertEquals(e.getProbability(), a.getProbability(), tolerance);
            Rectangle re = e.getBoundingBox().getBounds();
            Rectangle ra = a.getBoundingBox().getBounds();
            assertEquals(re.getX(), ra.getX(), tolerance);
            assertEquals(re.getY(), ra.getY(), tolerance);
            assertEquals(re.getWidth(), ra.getWidth(), tolerance);
            assertEquals(re.getHeight(), ra.getHeight(), tolerance);
        }
    }
}
