package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.boxes.Boxes;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.loader.CocoDetectionSource;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import org.resvision.eval.DatasetEvaluator;
import org.resvision.eval.EvaluationException;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvaluator;

/**
 * The detection inference loop and its COCO evaluator: the numbers of the batch evaluation, skipped
 * images counted as missed, and training's validation driven through any {@link DatasetEvaluator}.
 */
class DetectionInferenceTest {

    private static final List<String> CLASSES = List.of("background", "circle", "rectangle", "triangle", "star");

    /** Two 200 x 100 images with one "cat" (category 17) each. */
    private static CocoDataset twoCats() {
        return new CocoDataset(List.of(new CocoImage(1, "a.png", 200, 100), new CocoImage(2, "b.png", 200, 100)),
                List.of(new CocoAnnotation(1, 1, 17, new double[] {20, 10, 40, 30}, 1200, false, null),
                        new CocoAnnotation(2, 2, 17, new double[] {100, 50, 60, 40}, 2400, false, null)),
                List.of(new CocoCategory(17, "cat", "animal")));
    }

    @Test
    void cocoEvaluatorScalesBackMapsLabelsAndCountsUnprocessedImagesAsMissed() throws Exception {
        CocoDetectionEvaluator ev = new CocoDetectionEvaluator(twoCats(), List.of("background", "dog", "cat"));
        // image 0 seen at half size (100 x 50): the box [10, 5, 30, 20] is [20, 10, 60, 40] in the original
        ev.process(new DetectedImage(0, new Detections(Boxes.of(new float[] {10, 5, 30, 20, 0, 0, 5, 5}), new float[] {0.9f, 0.8f},
                new int[] {2, 1}), 50, 100));
        assertEquals(1, ev.results().size(), "the dog is not a category of the dataset: left out");
        CocoResult r = ev.results().get(0);
        assertEquals(1, r.imageId());
        assertEquals(17, r.categoryId());
        assertArrayEquals(new double[] {20, 10, 40, 30}, r.bbox(), 0.0);
        // image 1 never processed (an unreadable image): its cat is missed. One TP of two GT at rank 1:
        // precision 1 up to recall 0.5 = 51 of COCO's 101 recall points, at every IoU threshold
        CocoEvalResult half = ev.evaluate();
        assertEquals(51 / 101.0, half.stats()[0], 1e-12);
        assertEquals(0.5, half.stats()[8], 1e-12);
        ev.process(new DetectedImage(1, new Detections(Boxes.of(new float[] {100, 50, 160, 90}), new float[] {0.7f}, new int[] {2}), 100, 200));
        assertEquals(1.0, ev.evaluate().stats()[0], 1e-12);
        ev.reset();
        assertEquals(0, ev.results().size());
        assertEquals(0.0, ev.evaluate().stats()[0], 0.0, "after a reset nothing is detected: every cat missed");
        EvaluationException e = assertThrows(EvaluationException.class,
                () -> ev.process(new DetectedImage(2, new Detections(Boxes.of(new float[0]), new float[0], new int[0]), 10, 10)));
        assertEquals("image index 2 is not one of the dataset's 2 images", e.getMessage());
    }

    private static DetectionConfig config() {
        DetectionConfig.Builder c = FasterRcnnTrainingStepTest.tiny().toBuilder();
        c.min_size = 96;
        c.max_size = 128;
        c.box_score_thresh = 0f; // an untrained model: keep every detection, so the numbers are not all 0
        c.class_names = CLASSES;
        c.iterations = 2;
        c.batch_size = 2;
        c.log_every = 1;
        return c.build();
    }

    @Test
    void theLoopsEvaluationIsTheBatchEvaluationOfItsResultsAndSkippedImagesCount(@TempDir Path dir) throws Exception {
        new SyntheticDatasetWriter(new SyntheticScenes(new SyntheticScenes.Config(128, 96, 7, 1, 3))).writeCoco(dir, 40);
        CocoDataset val = CocoReader.readDataset(dir.resolve("annotations/instances_val.json"));
        DetectionConfig c = config();
        CocoDetectionSource source = new CocoDetectionSource(val, dir.resolve("images"), false, c.model().minSize(), c.model().maxSize());
        CocoEvalParams bbox = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(5);
            FasterRcnn model = FasterRcnn.of(c).init(m);
            List<CocoResult> results = DetectionEvaluation.predict(model, c.classNames(), val, source, 3, m);
            assertTrue(results.size() > 100, results.size() + " detections");
            CocoEvalResult batch = CocoEvaluator.evaluate(val, results, bbox);
            CocoEvalResult loop = DetectionEvaluation.evaluate(model, c.classNames(), val, source, 3, m);
            assertArrayEquals(batch.stats(), loop.stats(), 0.0);
            assertTrue(batch.stats()[8] > 0, "AR100 " + batch.stats()[8] + ": the comparison is not between zeros");
            int[] shape = batch.precisionShape();
            for (int k = 0; k < shape[2]; k++) {
                for (int rr = 0; rr < shape[1]; rr += 10) {
                    assertEquals(batch.precision(0, rr, k, 0, 2), loop.precision(0, rr, k, 0, 2), 0.0);
                }
            }

            // an unreadable image: skipped by the loop, its ground truth counted as missed (one whose
            // detections find something, so that missing it shows in the recall)
            CocoImage lost = null;
            for (CocoImage im : val.images()) {
                List<CocoResult> others = results.stream().filter(x -> x.imageId() != im.id()).toList();
                if (lost == null && CocoEvaluator.evaluate(val, others, bbox).stats()[8] < batch.stats()[8]) {
                    lost = im;
                }
            }
            assertTrue(lost != null, "some image's detections find something");
            long lostId = lost.id();
            Files.write(dir.resolve("images").resolve(lost.fileName()), new byte[] {1, 2, 3});
            List<CocoResult> without = DetectionEvaluation.predict(model, c.classNames(), val, source, 3, m);
            assertTrue(without.stream().noneMatch(x -> x.imageId() == lostId));
            assertEquals(results.stream().filter(x -> x.imageId() != lostId).count(), without.size());
            CocoEvalResult skipped = DetectionEvaluation.evaluate(model, c.classNames(), val, source, 3, m);
            assertArrayEquals(CocoEvaluator.evaluate(val, without, bbox).stats(), skipped.stats(), 0.0);
            assertTrue(skipped.stats()[8] < batch.stats()[8], "recall falls: " + skipped.stats()[8] + " vs " + batch.stats()[8]);
        }
    }

    /** Counts what the loop hands it; its result is the number of images seen since the reset. */
    static final class CountingEvaluator implements DatasetEvaluator<DetectedImage, Integer> {
        int resets;
        final List<Integer> indices = new ArrayList<>();

        @Override
        public void reset() {
            resets++;
            indices.clear();
        }

        @Override
        public void process(DetectedImage image) {
            indices.add(image.index());
        }

        @Override
        public Integer evaluate() {
            return indices.size();
        }
    }

    @Test
    void trainingValidatesThroughAnyEvaluator(@TempDir Path dir) throws Exception {
        new SyntheticDatasetWriter(new SyntheticScenes(new SyntheticScenes.Config(128, 96, 7, 1, 3))).writeCoco(dir, 40);
        CocoDataset train = CocoReader.readDataset(dir.resolve("annotations/instances_train.json"));
        CocoDataset val = CocoReader.readDataset(dir.resolve("annotations/instances_val.json"));
        DetectionConfig c = config();
        CocoDetectionSource trainSource = new CocoDetectionSource(train, dir.resolve("images"), true, c.model().minSize(), c.model().maxSize());
        CocoDetectionSource valSource = new CocoDetectionSource(val, dir.resolve("images"), false, c.model().minSize(), c.model().maxSize());
        CountingEvaluator counter = new CountingEvaluator();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (NDManager m = NDManager.newBaseManager(); PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            Engine.getInstance().setRandomSeed(5);
            FasterRcnn model = FasterRcnn.of(c).init(m);
            Integer seen = DetectionTraining.train(model, c.recipe(), trainSource,
                    new DetectionTraining.Validation<>(valSource, counter, n -> n + " images seen"), null, false, false, m, out);
            assertEquals(val.images().size(), seen);
            assertEquals(1, counter.resets, "no run folder: one validation, at the end");
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < val.images().size(); i++) {
                all.add(i);
            }
            assertEquals(all, counter.indices, "every image once, in the source's order");
        }
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("eval @2: " + val.images().size() + " images seen"), text);
        assertThrows(IllegalArgumentException.class, () -> DetectionTraining.Validation.coco(train, valSource, CLASSES),
                "a source of another dataset's size");
    }
}
