package org.resvision.data.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import org.resvision.data.transform.Sample;
import org.resvision.data.voc.VocFormatException;

class VocSourcesTest {

    static final SyntheticScenes SCENES = new SyntheticScenes(new SyntheticScenes.Config(96, 64, 8, 2, 5));

    @Test
    void detectionBoxesComeBackToZeroBasedPixels(@TempDir Path dir) throws Exception {
        new SyntheticDatasetWriter(SCENES).writeVoc(dir, 5);
        VocDetectionSource src = new VocDetectionSource(dir, "train", SyntheticScenes.CLASSES, false, true, 64, 128);
        assertEquals(4, src.size());
        try (NDManager m = NDManager.newBaseManager(); SyntheticScenes.Scene scene = SCENES.render(0)) {
            Sample s = src.load(0, new Random(0), m);
            assertEquals(new Shape(3, 64, 96), s.image().getShape(), "64 is already the min size");
            assertEquals(scene.objects().size(), s.boxes().size());
            double[] b = scene.objects().get(0).bbox();
            assertArrayEquals(new float[] {(float) b[0], (float) b[1], (float) (b[0] + b[2]), (float) (b[1] + b[3])}, s.boxes().box(0), 1e-4f);
        }
        assertThrows(VocFormatException.class,
                () -> new VocDetectionSource(dir, "train", java.util.List.of("circle"), false, true, 64, 128));
    }

    @Test
    void theModelsInputSettingsReachTheVocSourceAsTheCocoOne(@TempDir Path dir) throws Exception {
        new SyntheticDatasetWriter(SCENES).writeVoc(dir, 5);
        float[] mean = {0.5f, 0.5f, 0.5f};
        float[] std = {0.25f, 0.25f, 0.25f};
        try (NDManager m = NDManager.newBaseManager()) {
            Sample imagenet = new VocDetectionSource(dir, "train", SyntheticScenes.CLASSES, false, true, 64, 128).load(0, new Random(0), m);
            Sample own = new VocDetectionSource(dir, "train", SyntheticScenes.CLASSES, false, true, new DetectionInput(64, 128, mean, std, 0))
                    .load(0, new Random(0), m);
            // the same pixel through the two normalisations: x = v * 0.229 + 0.485 = w * 0.25 + 0.5
            float v = imagenet.image().getFloat(0, 5, 5);
            assertEquals(((v * 0.229f + 0.485f) - 0.5f) / 0.25f, own.image().getFloat(0, 5, 5), 1e-4f);
            Sample small = new VocDetectionSource(dir, "train", SyntheticScenes.CLASSES, false, true, new DetectionInput(32, 64, mean, std, 0))
                    .load(0, new Random(0), m);
            assertEquals(new Shape(3, 32, 48), small.image().getShape(), "min_size 32 of a 64 x 96 image");
            float[] box = own.boxes().box(0);
            for (int seed = 0; seed < 4; seed++) {
                Sample never = new VocDetectionSource(dir, "train", SyntheticScenes.CLASSES, true, true, new DetectionInput(64, 128, mean, std, 0))
                        .load(0, new Random(seed), m);
                assertArrayEquals(box, never.boxes().box(0), 0f, "flip probability 0: never flipped");
                Sample always = new VocDetectionSource(dir, "train", SyntheticScenes.CLASSES, true, true, new DetectionInput(64, 128, mean, std, 1))
                        .load(0, new Random(seed), m);
                assertArrayEquals(new float[] {96 - box[2], box[1], 96 - box[0], box[3]}, always.boxes().box(0), 1e-4f);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new DetectionInput(64, 128, mean, new float[] {1, 0, 1}, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new DetectionInput(64, 128, mean, std, 1.5));
    }

    @Test
    void segmentationTrainingCropsKeepImageAndMapAligned(@TempDir Path dir) throws Exception {
        new SyntheticDatasetWriter(SCENES).writeVoc(dir, 5);
        VocSegmentationSource train = new VocSegmentationSource(dir, "train", 5, true, 64, 48);
        VocSegmentationSource val = new VocSegmentationSource(dir, "val", 5, false, 64, 48);
        try (NDManager m = NDManager.newBaseManager()) {
            Sample s = train.load(1, new Random(4), m);
            assertEquals(new Shape(3, 48, 48), s.image().getShape());
            assertEquals(new Shape(48, 48), s.segMap().getShape());
            Sample v = val.load(0, new Random(0), m);
            assertEquals(new Shape(64, 96), v.segMap().getShape());
            int[] labels = v.segMap().toType(ai.djl.ndarray.types.DataType.INT32, false).toIntArray();
            assertTrue(java.util.Arrays.stream(labels).allMatch(l -> l <= 4 || l == 255));
        }
        // without scale jitter a 64x96 image at base 64 is only cropped: no padding enters the crop
        VocSegmentationSource fixed = new VocSegmentationSource(dir, "train", 5, true, 64, 48, 1.0, 1.0);
        try (NDManager m = NDManager.newBaseManager()) {
            Sample s = fixed.load(0, new Random(1), m);
            assertEquals(new Shape(48, 48), s.segMap().getShape());
            assertTrue(s.image().min().getFloat() > -2.2f, "no zero padding (normalised 0 would be about -2.1)");
        }
        assertThrows(IllegalArgumentException.class, () -> new VocSegmentationSource(dir, "train", 5, true, 64, 48, 2.0, 1.0));
        Files.delete(dir.resolve("SegmentationClass/000001.png"));
        try (NDManager m = NDManager.newBaseManager()) {
            assertTrue(assertThrows(VocFormatException.class, () -> train.load(0, new Random(0), m)).getMessage()
                    .endsWith("000001.png: no such segmentation file"));
        }
    }
}
