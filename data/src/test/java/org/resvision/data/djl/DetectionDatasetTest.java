package org.resvision.data.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.loader.CocoDetectionSource;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;

class DetectionDatasetTest {

    @Test
    void djlBatchesArePaddedImagesBoxesAndLabels(@TempDir Path dir) throws Exception {
        SyntheticScenes scenes = new SyntheticScenes(new SyntheticScenes.Config(96, 64, 3, 2, 5));
        new SyntheticDatasetWriter(scenes).writeCoco(dir, 5);
        CocoDataset train = CocoReader.readDataset(dir.resolve("annotations/instances_train.json"));
        DetectionDataset ds = DetectionDataset.builder(new CocoDetectionSource(train, dir.resolve("images"), true, 64, 128))
                .setSampling(2, false).optSeed(1).build();
        assertEquals(4, ds.size());
        int[] counts = new int[4];
        for (int i = 0; i < 4; i++) {
            try (SyntheticScenes.Scene s = scenes.render(i)) {
                counts[i] = s.objects().size();
            }
        }
        try (NDManager m = NDManager.newBaseManager()) {
            Batch b = ds.getData(m).iterator().next();
            assertEquals(new Shape(2, 3, 64, 96), b.getData().get(0).getShape());
            int n = Math.max(counts[0], counts[1]);
            assertEquals(new Shape(2, n, 4), b.getLabels().get(0).getShape());
            long[] labels = b.getLabels().get(1).toLongArray();
            int padded = 0;
            for (long l : labels) {
                padded += l == -1 ? 1 : 0;
            }
            assertEquals(2 * n - counts[0] - counts[1], padded, "missing objects are labelled -1");
            b.close();
            assertArrayEquals(ds.get(m, 1).getLabels().get(1).toLongArray(), ds.get(m, 1).getLabels().get(1).toLongArray());
        }
    }
}
