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
