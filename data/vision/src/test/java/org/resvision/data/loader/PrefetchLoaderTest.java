package org.resvision.data.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.boxes.Boxes;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import org.resvision.data.transform.Sample;

class PrefetchLoaderTest {

    /** Item i: a (10 + i % 3) x (12 + i % 5) image filled with a random value of its own stream; odd items portrait. */
    static class FakeSource implements SampleSource {
        final java.util.Set<Integer> bad;

        FakeSource(int bad) {
            this.bad = java.util.Set.of(bad);
        }

        FakeSource(java.util.Set<Integer> bad) {
            this.bad = bad;
        }

        @Override
        public int size() {
            return 23;
        }

        @Override
        public double aspectRatio(int index) {
            return index % 2 == 0 ? 1.5 : 0.7;
        }

        @Override
        public Sample load(int index, Random rnd, NDManager m) throws IOException {
            if (bad.contains(index)) {
                throw new IOException("item" + index + ".jpg: not a readable image");
            }
            return new Sample(m.full(new Shape(3, 10 + index % 3, 12 + index % 5), rnd.nextFloat()),
                    Boxes.ofRows(new float[][] {{0, 0, 1, 1}}), new int[] {index}, null, null);
        }
    }

    /**
     * close() returns only when no worker is still loading: the caller closes the root manager
     * next. A worker busy in an op that ignores interrupts (native code) is waited for.
     */
    @Test
    void closeWaitsForWorkersInUninterruptibleWork() throws Exception {
        java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        SampleSource slow = new FakeSource(-1) {
            @Override
            public Sample load(int index, Random rnd, NDManager m) throws IOException {
                inFlight.incrementAndGet();
                started.countDown();
                long end = System.nanoTime() + 300_000_000L;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait(); // deaf to interrupts, as a native op is
                }
                try {
                    return super.load(index, rnd, m);
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        };
        try (NDManager root = NDManager.newBaseManager()) {
            PrefetchLoader l = new PrefetchLoader(slow, new PrefetchLoader.Options(2, 1, false, false, 2, 2, false), root);
            l.epoch(0); // the workers start on the first batches
            assertTrue(started.await(10, java.util.concurrent.TimeUnit.SECONDS));
            l.close();
            assertEquals(0, inFlight.get(), "a worker still loading after close()");
        }
    }

    static List<float[]> run(PrefetchLoader loader, int epoch) {
        List<float[]> out = new ArrayList<>();
        for (Iterator<Batch> it = loader.epoch(epoch); it.hasNext(); ) {
            try (Batch b = it.next()) {
                assertEquals(0, b.images().getShape().get(2) % 32);
                out.add(b.images().toFloatArray());
            }
        }
        return out;
    }

    @Test
    void plansAreDeterministicCompleteAndGrouped() {
        try (NDManager root = NDManager.newBaseManager();
                PrefetchLoader l = new PrefetchLoader(new FakeSource(-1), PrefetchLoader.Options.training(4, 9), root)) {
            List<int[]> a = l.plan(0);
            assertEquals(Arrays.deepToString(a.toArray()), Arrays.deepToString(l.plan(0).toArray()));
            assertTrue(!Arrays.deepToString(a.toArray()).equals(Arrays.deepToString(l.plan(1).toArray())), "epochs differ");
            int[] all = a.stream().flatMapToInt(Arrays::stream).sorted().toArray();
            assertArrayEquals(java.util.stream.IntStream.range(0, 23).toArray(), all);
            for (int[] batch : a) {
                assertTrue(Arrays.stream(batch).allMatch(i -> i % 2 == batch[0] % 2), "one orientation per batch: " + Arrays.toString(batch));
            }
        }
    }

    @Test
    void batchesDoNotDependOnTheNumberOfWorkers() {
        try (NDManager root = NDManager.newBaseManager();
                PrefetchLoader one = new PrefetchLoader(new FakeSource(-1), new PrefetchLoader.Options(3, 5, true, false, 1, 1, false), root);
                PrefetchLoader two = new PrefetchLoader(new FakeSource(-1), new PrefetchLoader.Options(3, 5, true, false, 2, 4, false), root)) {
            List<float[]> a = run(one, 2);
            List<float[]> b = run(two, 2);
            assertEquals(8, a.size());
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i), 0f);
            }
        }
    }

    @Test
    void aStreamResumedAtAnIterationSeesTheSameBatches() {
        try (NDManager root = NDManager.newBaseManager();
                PrefetchLoader l = new PrefetchLoader(new FakeSource(-1), new PrefetchLoader.Options(4, 2, true, false, 2, 2, false), root)) {
            // 23 items in batches of 4: 6 batches an epoch; iteration 9 is epoch 1, batch 3
            java.util.function.Supplier<Batch> full = l.stream(0);
            List<int[]> seen = new ArrayList<>();
            for (int i = 0; i < 14; i++) {
                try (Batch b = full.get()) {
                    seen.add(b.indices());
                }
            }
            java.util.function.Supplier<Batch> resumed = l.stream(9);
            for (int i = 9; i < 14; i++) {
                try (Batch b = resumed.get()) {
                    assertArrayEquals(seen.get(i), b.indices(), "batch " + i);
                }
            }
        }
    }

    @Test
    void badItemsFailWithTheirMessageOrAreSkippedAndCounted() {
        try (NDManager root = NDManager.newBaseManager();
                PrefetchLoader strict = new PrefetchLoader(new FakeSource(7), new PrefetchLoader.Options(4, 1, false, false, 2, 2, false), root);
                PrefetchLoader lenient = new PrefetchLoader(new FakeSource(7), new PrefetchLoader.Options(4, 1, false, false, 2, 2, true), root)) {
            Iterator<Batch> it = strict.epoch(0);
            it.next().close();
            UncheckedIOException e = assertThrows(UncheckedIOException.class, it::next);
            assertEquals("item7.jpg: not a readable image", e.getCause().getMessage());
            int items = 0;
            for (Iterator<Batch> j = lenient.epoch(0); j.hasNext(); ) {
                try (Batch b = j.next()) {
                    items += b.size();
                }
            }
            assertEquals(22, items);
            assertEquals(1, lenient.skipped());
        }
    }

    @Test
    void aSkippedItemWarnsOnceAcrossEpochsAndAnEmptyBatchIsPassedOver() {
        List<String> warnings = new ArrayList<>();
        // items 2 and 3 (the whole second batch, unshuffled) fail: the stream passes from {0, 1} to {4, 5}
        // (2 of 23 = 8.7%, under the 10% that fails the run)
        try (NDManager root = NDManager.newBaseManager();
                PrefetchLoader l = new PrefetchLoader(new FakeSource(java.util.Set.of(2, 3)),
                        new PrefetchLoader.Options(2, 1, false, false, 1, 1, true), root).warnings(warnings::add)) {
            java.util.function.Supplier<Batch> s = l.stream(0);
            try (Batch b = s.get()) {
                assertArrayEquals(new int[] {0, 1}, b.indices());
            }
            try (Batch b = s.get()) {
                assertArrayEquals(new int[] {4, 5}, b.indices()); // batch {2, 3} had nothing left
            }
            for (int i = 0; i < 30; i++) { // two more epochs
                s.get().close();
            }
            assertEquals(List.of(
                    "warning: item2.jpg: not a readable image; skipped (1 unreadable of 3 read so far; --strict stops at the first)",
                    "warning: item3.jpg: not a readable image; skipped (2 unreadable of 4 read so far; --strict stops at the first)"),
                    warnings);
            assertEquals(2, l.skipped());
        }
    }

    @Test
    void tooManyUnreadableItemsFailNamingTheFirst() {
        // 3 of 23 (13%) unreadable: the run fails once 20 items have been tried
        try (NDManager root = NDManager.newBaseManager();
                PrefetchLoader l = new PrefetchLoader(new FakeSource(java.util.Set.of(1, 5, 9)),
                        new PrefetchLoader.Options(4, 1, false, false, 1, 1, true), root).warnings(w -> { })) {
            Iterator<Batch> it = l.epoch(0);
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> {
                while (it.hasNext()) {
                    it.next().close();
                }
            });
            assertEquals("3 of 20 images read so far are unreadable (more than 10%); the first: item1.jpg: not a readable image",
                    e.getMessage());
        }
    }

    @Test
    void cocoSourceGivesTorchvisionReadyTargets(@TempDir Path dir) throws Exception {
        SyntheticScenes scenes = new SyntheticScenes(new SyntheticScenes.Config(96, 64, 3, 2, 5));
        new SyntheticDatasetWriter(scenes).writeCoco(dir, 5);
        CocoDataset train = CocoReader.readDataset(dir.resolve("annotations/instances_train.json"));
        CocoDetectionSource src = new CocoDetectionSource(train, dir.resolve("images"), false, 128, 256);
        try (NDManager m = NDManager.newBaseManager()) {
            Sample s = src.load(0, new Random(0), m);
            assertEquals(new Shape(3, 128, 192), s.image().getShape(), "64x96 resized by torchvision's rule");
            try (SyntheticScenes.Scene scene = scenes.render(0)) {
                assertEquals(scene.objects().size(), s.boxes().size());
                double[] b = scene.objects().get(0).bbox();
                assertArrayEquals(new float[] {(float) b[0] * 2, (float) b[1] * 2, (float) (b[0] + b[2]) * 2, (float) (b[1] + b[3]) * 2},
                        s.boxes().box(0), 1e-4f);
                assertEquals(scene.objects().get(0).classIndex() + 1, s.labels()[0]);
            }
            Files.delete(dir.resolve("images/000002.jpg"));
            IOException e = assertThrows(IOException.class, () -> src.load(1, new Random(0), m));
            assertTrue(e.getMessage().endsWith("000002.jpg: no such image file"), e.getMessage());
        }
    }

    @Test
    void cocoSourceNormalisesAndFlipsAsItIsTold(@TempDir Path dir) throws IOException {
        new SyntheticDatasetWriter(new SyntheticScenes(new SyntheticScenes.Config(96, 64, 3, 2, 5))).writeCoco(dir, 5);
        CocoDataset train = CocoReader.readDataset(dir.resolve("annotations/instances_train.json"));
        Path images = dir.resolve("images");
        float[] mean = {0.5f, 0.25f, 0f};
        float[] std = {0.5f, 2f, 1f};
        try (NDManager m = NDManager.newBaseManager()) {
            Sample imagenet = new CocoDetectionSource(train, images, false, 64, 96).load(0, new Random(0), m);
            Sample mine = new CocoDetectionSource(train, images, false, 64, 96, mean, std, 0.5).load(0, new Random(0), m);
            // the same pixels: x = imagenet * imagenet_std + imagenet_mean, then (x - mean) / std
            float[] in = imagenet.image().toFloatArray();
            float[] out = mine.image().toFloatArray();
            int plane = in.length / 3;
            float[] inMean = {0.485f, 0.456f, 0.406f};
            float[] inStd = {0.229f, 0.224f, 0.225f};
            for (int c = 0; c < 3; c++) {
                for (int p = 0; p < plane; p += 97) {
                    float x = in[c * plane + p] * inStd[c] + inMean[c];
                    assertEquals((x - mean[c]) / std[c], out[c * plane + p], 1e-5f, "channel " + c);
                }
            }
            // flip probability 0: training never flips; 1: always (boxes mirrored)
            float[] box = mine.boxes().box(0);
            for (int seed = 0; seed < 6; seed++) {
                Sample never = new CocoDetectionSource(train, images, true, 64, 96, mean, std, 0).load(0, new Random(seed), m);
                assertArrayEquals(box, never.boxes().box(0), 0f);
                Sample always = new CocoDetectionSource(train, images, true, 64, 96, mean, std, 1).load(0, new Random(seed), m);
                assertArrayEquals(new float[] {96 - box[2], box[1], 96 - box[0], box[3]}, always.boxes().box(0), 1e-4f);
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> new CocoDetectionSource(train, images, true, 64, 96, new float[] {0, 0}, std, 0.5));
    }
}
