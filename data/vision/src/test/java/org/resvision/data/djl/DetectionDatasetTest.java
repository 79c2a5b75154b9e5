package org.resvision.data.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Batch;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.boxes.Boxes;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.loader.CocoDetectionSource;
import org.resvision.data.loader.SampleSource;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import org.resvision.data.transform.Sample;

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
            // each image's own size (here all 64 x 96): what FasterRcnn's DJL entry takes as its second input
            assertArrayEquals(new long[] {64, 96, 64, 96}, b.getData().get(1).toLongArray());
            assertEquals(new Shape(2, 2), b.getData().get(1).getShape());
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

    @Test
    void sizesAreEachImagesOwnInsideThePaddedBatch() throws Exception {
        int[][] hw = {{50, 70}, {64, 40}};
        SampleSource source = new SampleSource() {
            @Override
            public int size() {
                return hw.length;
            }

            @Override
            public double aspectRatio(int index) {
                return (double) hw[index][1] / hw[index][0];
            }

            @Override
            public Sample load(int index, Random rnd, NDManager manager) {
                return new Sample(manager.ones(new Shape(3, hw[index][0], hw[index][1])), Boxes.ofRows(new float[][] {{1, 2, 3, 4}}), new int[] {index + 1},
                        null, null);
            }
        };
        DetectionDataset ds = DetectionDataset.builder(source).setSampling(2, false).build();
        try (NDManager m = NDManager.newBaseManager()) {
            Batch b = ds.getData(m).iterator().next();
            assertEquals(new Shape(2, 3, 64, 96), b.getData().get(0).getShape(), "padded to the largest, rounded up to 32");
            assertArrayEquals(new long[] {50, 70, 64, 40}, b.getData().get(1).toLongArray());
            assertArrayEquals(new long[] {1, 2}, b.getLabels().get(1).toLongArray());
            b.close();
        }
    }
}
