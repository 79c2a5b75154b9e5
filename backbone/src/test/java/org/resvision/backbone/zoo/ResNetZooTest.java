package org.resvision.backbone.zoo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.transform.CenterCrop;
import ai.djl.modality.cv.transform.Normalize;
import ai.djl.modality.cv.transform.ResizeShort;
import ai.djl.modality.cv.transform.ToTensor;
import ai.djl.modality.cv.translator.ImageClassificationTranslator;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.nn.StateDictLoader;
import org.resvision.weights.WeightsIO;

/**
 * {@code resvision://resnet18?weights=TEST} (a seeded 3-class ResNet-18 published in a temporary
 * hub cache) gives DJL Classifications equal to the file loaded by hand through DJL's
 * ImageClassificationTranslator with torchvision's classification preset.
 */
class ResNetZooTest {

    private static final List<String> CLASSES = List.of("cat", "dog", "fish");

    @TempDir
    Path dir;
    private ZooFixture zoo;
    private Path checkpoint;

    @BeforeEach
    void publish() throws IOException {
        checkpoint = dir.resolve("resnet18-3.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(9);
            ResNet r = new ResNet(ResNetConfig.of("resnet18").withNumClasses(3));
            r.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            WeightsIO.saveSafetensors(checkpoint, StateDictLoader.export(r, m), Map.of());
        }
        zoo = new ZooFixture(dir.resolve("zoo")).categories("abc", CLASSES);
        zoo.publish("resnet18", "TEST", "classification", "abc", checkpoint, 64, true);
        zoo.install();
    }

    @AfterEach
    void restore() {
        zoo.restore();
    }

    @Test
    void criteriaUrlGivesTheHandLoadedClassifications() throws Exception {
        Image image;
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomUniform(0, 255, new Shape(70, 90, 3)).toType(DataType.UINT8, false);
            image = ImageFactory.getInstance().fromNDArray(a);
        }
        Classifications expected;
        try (Model model = Model.newInstance("by-hand")) {
            ResNet r = new ResNet(ResNetConfig.of("resnet18").withNumClasses(3));
            r.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 64, 64));
            StateDictLoader.load(r, checkpoint, model.getNDManager(), "", true);
            model.setBlock(r);
            ImageClassificationTranslator t = ImageClassificationTranslator.builder().addTransform(new ResizeShort(64))
                    .addTransform(new CenterCrop(56, 56)).addTransform(new ToTensor())
                    .addTransform(new Normalize(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}))
                    .optSynset(CLASSES).optApplySoftmax(true).build();
            try (Predictor<Image, Classifications> p = model.newPredictor(t)) {
                expected = p.predict(image);
            }
        }
        Criteria<Image, Classifications> c = Criteria.builder().setTypes(Image.class, Classifications.class)
                .optModelUrls("resvision://resnet18?weights=TEST").build();
        try (ZooModel<Image, Classifications> model = c.loadModel(); Predictor<Image, Classifications> p = model.newPredictor()) {
            Classifications got = p.predict(image);
            assertEquals(expected.getClassNames(), got.getClassNames());
            for (int i = 0; i < CLASSES.size(); i++) {
                assertEquals(expected.getProbabilities().get(i), got.getProbabilities().get(i), 1e-6);
            }
            assertEquals(1.0, got.getProbabilities().stream().mapToDouble(Double::doubleValue).sum(), 1e-5);
        }
        // the file as resnet34: a one-line error naming the file
        IOException wrong = assertThrows(IOException.class, () -> Criteria.builder().setTypes(Image.class, Classifications.class)
                .optModelUrls("resvision://" + checkpoint.toAbsolutePath().toUri().getRawPath() + "?config=resnet34").build()
                .loadModel().close());
        assertTrue(wrong.getMessage().contains(checkpoint.getFileName().toString()), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("\n"), wrong.getMessage());
    }
}
