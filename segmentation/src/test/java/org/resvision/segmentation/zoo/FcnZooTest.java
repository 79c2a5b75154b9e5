package org.resvision.segmentation.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import ai.djl.modality.cv.output.CategoryMask;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.backbone.zoo.ZooFixture;
import org.resvision.nn.StateDictLoader;
import org.resvision.segmentation.Fcn;
import org.resvision.segmentation.FcnConfig;
import org.resvision.segmentation.PretrainedSegmentation;
import org.resvision.segmentation.SegmentationTranslator;
import org.resvision.weights.WeightsIO;

/**
 * The pretrained entry points for FCN on a small seeded {@code fcn_small} checkpoint published in
 * a temporary torch hub cache: {@link PretrainedSegmentation} and DJL's {@code Criteria} (URL and
 * model path) give the masks of the same file loaded by hand through {@link SegmentationTranslator}.
 */
class FcnZooTest {

    private static final String MODEL = "fcn_small";
    private static final List<String> CLASSES = List.of("__background__", "disc", "box");
    private static final int RESIZE = 48;

    @TempDir
    static Path dir;
    private static Path checkpoint;
    private static Path resnet;
    private static Image imageA;
    private static Image imageB;
    private static ZooFixture zoo;

    @BeforeAll
    static void publish() throws IOException {
        checkpoint = dir.resolve("fcn-small.safetensors");
        resnet = dir.resolve("resnet18.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            Fcn fcn = Fcn.of(FcnConfig.small(CLASSES.size()));
            fcn.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            WeightsIO.saveSafetensors(checkpoint, StateDictLoader.export(fcn, m), Map.of());
            ResNet r = new ResNet(ResNetConfig.of("resnet18"));
            r.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            WeightsIO.saveSafetensors(resnet, StateDictLoader.export(r, m), Map.of());
            imageA = image(m, 60, 80);
            imageB = image(m, 90, 50);
        }
        zoo = new ZooFixture(dir.resolve("zoo")).categories("three", CLASSES);
        zoo.publish(MODEL, "TEST", "segmentation", "three", checkpoint, RESIZE, true);
        zoo.publish(MODEL, "WRONG", "segmentation", "three", resnet, RESIZE, true);
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

    /** The reference: the file loaded by hand, through SegmentationTranslator. */
    private static List<CategoryMask> byHand(List<String> classes, int resize, List<Image> images) throws Exception {
        try (Model model = Model.newInstance("by-hand")) {
            Fcn fcn = Fcn.of(FcnConfig.small(CLASSES.size()));
            fcn.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 64, 64));
            StateDictLoader.load(fcn, checkpoint, model.getNDManager(), "", true);
            model.setBlock(fcn);
            try (Predictor<Image, CategoryMask> p = model.newPredictor(new SegmentationTranslator(classes, resize))) {
                List<CategoryMask> out = new ArrayList<>();
                for (Image im : images) {
                    out.add(p.predict(im));
                }
                return out;
            }
        }
    }

    private static Criteria<Image, CategoryMask> url(String url) {
        return Criteria.builder().setTypes(Image.class, CategoryMask.class).optModelUrls(url).build();
    }

    @Test
    void pretrainedGivesTheHandLoadedMasks() throws Exception {
        List<CategoryMask> expected = byHand(CLASSES, RESIZE, List.of(imageA));
        try (Model model = Model.newInstance("pretrained")) {
            PretrainedSegmentation p = PretrainedSegmentation.fcn(MODEL, null, model.getNDManager());
            assertEquals(CLASSES, p.categories());
            assertEquals(RESIZE, p.resizeShortSide());
            assertEquals(MODEL + ":TEST", p.weights().id());
            assertTrue(p.config().model().aux());
            model.setBlock(p.model());
            try (Predictor<Image, CategoryMask> predictor = model.newPredictor(p.translator())) {
                assertSameMask(expected.get(0), predictor.predict(imageA));
            }
        }
    }

    @Test
    void publishedConfigsFollowTorchvision() {
        for (String model : new String[] {"fcn_resnet50", "fcn_resnet101"}) {
            org.resvision.segmentation.SegmentationConfig c = PretrainedSegmentation.config(PretrainedSegmentation.find(model, null));
            assertEquals(model, c.preset());
            assertEquals(21, c.model().numClasses());
            assertEquals("__background__", c.classNames().get(0));
            assertEquals("aeroplane", c.classNames().get(1));
            assertTrue(c.model().aux());
            assertEquals(520, c.baseSize());
        }
    }

    @Test
    void criteriaUrlGivesCategoryMasksInBatchesAndThreads() throws Exception {
        List<CategoryMask> expected = byHand(CLASSES, RESIZE, List.of(imageA, imageB));
        try (ZooModel<Image, CategoryMask> model = url("resvision://" + MODEL + "?weights=TEST").loadModel()) {
            try (Predictor<Image, CategoryMask> p = model.newPredictor()) {
                CategoryMask a = p.predict(imageA);
                assertEquals(CLASSES, a.getClasses());
                assertEquals(60, a.getMask().length);
                assertEquals(80, a.getMask()[0].length);
                assertSameMask(expected.get(0), a);
                List<CategoryMask> batch = p.batchPredict(List.of(imageA, imageB));
                assertSameMask(expected.get(0), batch.get(0));
                assertSameMask(expected.get(1), batch.get(1));
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<List<CategoryMask>>> futures = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    futures.add(pool.submit(() -> {
                        try (Predictor<Image, CategoryMask> p = model.newPredictor()) {
                            return List.of(p.predict(imageA), p.predict(imageB));
                        }
                    }));
                }
                for (Future<List<CategoryMask>> f : futures) {
                    assertSameMask(expected.get(0), f.get().get(0));
                    assertSameMask(expected.get(1), f.get().get(1));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void criteriaModelPathWithAConfigFile() throws Exception {
        Path config = dir.resolve("seg.json");
        Files.writeString(config, "{\"task\": \"segmentation\", \"model\": \"fcn_small\", \"num_classes\": 3, \"class_names\": "
                + "[\"__background__\", \"disc\", \"box\"], \"base_size\": 40}");
        List<CategoryMask> expected = byHand(CLASSES, 40, List.of(imageB));
        Criteria<Image, CategoryMask> byPath = Criteria.builder().setTypes(Image.class, CategoryMask.class).optModelPath(checkpoint)
                .optArgument("config", config.toString())
                .optArgument("translatorFactory", "org.resvision.segmentation.zoo.FcnZooFactory")
                .optArgument("blockFactory", "org.resvision.segmentation.zoo.FcnZooFactory")
                .optOption("hasParameter", "false").build();
        try (ZooModel<Image, CategoryMask> model = byPath.loadModel(); Predictor<Image, CategoryMask> p = model.newPredictor()) {
            assertSameMask(expected.get(0), p.predict(imageB));
        }
        String u = "resvision://" + checkpoint.toAbsolutePath().toUri().getRawPath() + "?config=" + config.toAbsolutePath();
        try (ZooModel<Image, CategoryMask> model = url(u).loadModel(); Predictor<Image, CategoryMask> p = model.newPredictor()) {
            assertSameMask(expected.get(0), p.predict(imageB));
        }
        try (Model model = Model.newInstance("own")) {
            PretrainedSegmentation own = PretrainedSegmentation.fcn(checkpoint,
                    org.resvision.segmentation.SegmentationConfig.read(config), model.getNDManager());
            assertNull(own.weights());
            model.setBlock(own.model());
            try (Predictor<Image, CategoryMask> p = model.newPredictor(own.translator())) {
                assertSameMask(expected.get(0), p.predict(imageB));
            }
        }
    }

    @Test
    void errorsAreOneLineAndNameTheProblem() throws Exception {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> PretrainedSegmentation.fcn("fcn_smal", "TEST", NDManager.newBaseManager()));
        assertOneLine(unknown.getMessage(), "unknown weights 'fcn_smal:TEST'");
        try (NDManager m = NDManager.newBaseManager()) {
            IOException wrong = assertThrows(IOException.class, () -> PretrainedSegmentation.fcn(MODEL, "WRONG", m));
            assertOneLine(wrong.getMessage(), ".safetensors");
            assertTrue(wrong.getMessage().contains("fcn_small"), wrong.getMessage());
        }
        IOException wrongUrl = assertThrows(IOException.class, () -> url("resvision://" + MODEL + "?weights=WRONG").loadModel().close());
        assertOneLine(wrongUrl.getMessage(), "fcn_small");
        // a detection config where resvision-detection is not on the class path (as in this module's tests)
        IllegalArgumentException noModule = assertThrows(IllegalArgumentException.class,
                () -> url("resvision://" + checkpoint.toAbsolutePath().toUri().getRawPath() + "?config=fasterrcnn_resnet18_fpn_small"));
        assertOneLine(noModule.getMessage(), "need resvision-detection on the class path");
    }

    private static void assertOneLine(String message, String part) {
        assertTrue(message.contains(part), message);
        assertFalse(message.contains("\n"), message);
    }

    private static void assertSameMask(CategoryMask expected, CategoryMask actual) {
        assertEquals(expected.getClasses(), actual.getClasses());
        assertEquals(expected.getMask().length, actual.getMask().length);
        for (int y = 0; y < expected.getMask().length; y++) {
            assertArrayEquals(expected.getMask()[y], actual.getMask()[y], "row " + y);
        }
    }
}
