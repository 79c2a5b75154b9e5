package org.resvision.eval.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvaluator;

/**
 * {@link CocoMapEvaluator} on hand-made batches: numbers computed by hand, compared with {@link
 * CocoEvaluator} on the same boxes, and DJL's accumulator contract (several updates = one batch,
 * reset, independent keys).
 */
class CocoMapEvaluatorTest {

    private static final String KEY = "validate/epoch";

    /** One image's ground truth and detections, boxes x1, y1, x2, y2. */
    record Img(float[][] gtBoxes, long[] gtClasses, float[][] dtBoxes, float[] dtScores, long[] dtClasses) {}

    /**
     * Two GT objects of class 1, A = [0, 0, 10, 10] and B = [20, 20, 30, 30]; detections by score:
     * A exactly (0.9), a false positive (0.8), B moved 2 px right (0.7, IoU 8/12 = 0.667: a true
     * positive at the IoU thresholds 0.50..0.65, a false positive at 0.70..0.95).
     */
    static final Img RANKING = new Img(
            new float[][] {{0, 0, 10, 10}, {20, 20, 30, 30}}, new long[] {1, 1},
            new float[][] {{0, 0, 10, 10}, {50, 50, 60, 60}, {22, 20, 32, 30}}, new float[] {0.9f, 0.8f, 0.7f}, new long[] {1, 1, 1});

    /**
     * The 12 stats of {@link #RANKING} by hand. Matched thresholds (4 of 10): TP, FP, TP, recall
     * 0.5, 0.5, 1, interpolated precision 1 up to recall 0.5 (51 of the 101 recall thresholds) and
     * 2/3 above (50): AP = (51 + 50 * 2/3) / 101 = 253/303. The other 6: recall stops at 0.5, so
     * AP = 51/101. AP = (4 * 253/303 + 6 * 51/101) / 10 = 193/303. Recall: 1 at 4 thresholds and
     * 0.5 at 6 = 0.7; with one detection per image 0.5. All boxes are small (area 100).
     */
    static final double[] RANKING_STATS = {
        193.0 / 303, 253.0 / 303, 51.0 / 101, 193.0 / 303, -1, -1, 0.5, 0.7, 0.7, 0.7, -1, -1
    };

    /** Perfect detections: a small object in one image (and a padding row), two large in another. */
    static final List<Img> PERFECT = List.of(
            new Img(new float[][] {{10, 10, 20, 20}}, new long[] {1}, new float[][] {{10, 10, 20, 20}}, new float[] {0.9f}, new long[] {1}),
            new Img(new float[][] {{0, 0, 100, 100}, {50, 20, 160, 130}}, new long[] {2, 2},
                    new float[][] {{50, 20, 160, 130}, {0, 0, 100, 100}}, new float[] {0.6f, 0.8f}, new long[] {2, 2}));

    @Test
    void perfectDetectionsScoreOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            CocoMapEvaluator ev = new CocoMapEvaluator();
            ev.addAccumulator(KEY);
            ev.updateAccumulator(KEY, labels(m, PERFECT), perImage(m, PERFECT));
            // 1 / (1 + eps) as pycocotools divides: one ulp under 1; no medium objects: -1; AR1: one
            // detection per image finds 1 of class 2's two objects, (1 + 1/2) / 2 over the classes
            assertArrayEquals(new double[] {1, 1, 1, 1, -1, 1, 0.75, 1, 1, 1, -1, 1}, ev.getStats(KEY), 1e-12);
            assertEquals(1f, ev.getAccumulator(KEY), 1e-6f);
            assertEquals(2, ev.getImageCount(KEY));
        }
    }

    @Test
    void aKnownRankingGivesTheHandComputedStats() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            CocoMapEvaluator ev = new CocoMapEvaluator();
            ev.addAccumulator(KEY);
            ev.updateAccumulator(KEY, labels(m, List.of(RANKING)), perImage(m, List.of(RANKING)));
            assertArrayEquals(RANKING_STATS, ev.getStats(KEY), 1e-12);
            assertEquals((float) (193.0 / 303), ev.getAccumulator(KEY));
            // the same boxes straight into CocoEvaluator: the same numbers, bit for bit
            assertArrayEquals(reference(List.of(RANKING)), ev.getStats(KEY), 0.0);
            // and the padded prediction format reads the same
            CocoMapEvaluator padded = new CocoMapEvaluator();
            padded.addAccumulator(KEY);
            padded.updateAccumulator(KEY, labels(m, List.of(RANKING)), padded(m, List.of(RANKING)));
            assertArrayEquals(ev.getStats(KEY), padded.getStats(KEY), 0.0);
        }
    }

    @Test
    void severalUpdatesEqualOneBatchAndCocoEvaluator() throws Exception {
        List<Img> images = randomImages(new Random(7), 9);
        try (NDManager m = NDManager.newBaseManager()) {
            CocoMapEvaluator ev = new CocoMapEvaluator();
            ev.addAccumulator("batches");
            ev.addAccumulator("once");
            for (int i = 0; i < images.size(); i += 3) {
                List<Img> batch = images.subList(i, i + 3);
                ev.updateAccumulator("batches", labels(m, batch), perImage(m, batch));
            }
            ev.updateAccumulator("once", labels(m, images), padded(m, images));
            double[] stats = ev.getStats("batches");
            assertEquals(9, ev.getImageCount("batches"));
            assertArrayEquals(ev.getStats("once"), stats, 0.0);
            assertArrayEquals(reference(images), stats, 0.0);
            assertTrue(stats[0] > 0.1 && stats[0] < 0.9, "a mixed case, not 0 or 1: AP " + stats[0]);
        }
    }

    @Test
    void resetForgetsEverything() {
        try (NDManager m = NDManager.newBaseManager()) {
            CocoMapEvaluator ev = new CocoMapEvaluator();
            ev.addAccumulator(KEY);
            ev.updateAccumulator(KEY, labels(m, PERFECT), perImage(m, PERFECT));
            ev.resetAccumulator(KEY);
            assertEquals(0, ev.getImageCount(KEY));
            assertEquals(-1f, ev.getAccumulator(KEY), "nothing accumulated: pycocotools' -1");
            ev.updateAccumulator(KEY, labels(m, List.of(RANKING)), perImage(m, List.of(RANKING)));
            assertArrayEquals(RANKING_STATS, ev.getStats(KEY), 1e-12);
        }
    }

    @Test
    void keysAreIndependent() {
        try (NDManager m = NDManager.newBaseManager()) {
            CocoMapEvaluator ev = new CocoMapEvaluator();
            ev.addAccumulator("a");
            ev.addAccumulator("b");
            ev.updateAccumulator("a", labels(m, PERFECT), perImage(m, PERFECT));
            ev.updateAccumulator("b", labels(m, List.of(RANKING)), perImage(m, List.of(RANKING)));
            assertEquals(1.0, ev.getStats("a")[0], 1e-12);
            assertArrayEquals(RANKING_STATS, ev.getStats("b"), 1e-12);
            ev.resetAccumulator("a");
            assertArrayEquals(RANKING_STATS, ev.getStats("b"), 1e-12);

            // one call for both keys adds the batch to each, as two calls would
            ev.updateAccumulators(new String[] {"a", "b"}, labels(m, PERFECT), perImage(m, PERFECT));
            CocoMapEvaluator both = new CocoMapEvaluator();
            both.addAccumulator("x");
            both.updateAccumulator("x", labels(m, List.of(RANKING)), perImage(m, List.of(RANKING)));
            both.updateAccumulator("x", labels(m, PERFECT), perImage(m, PERFECT));
            assertArrayEquals(both.getStats("x"), ev.getStats("b"), 0.0);
            assertEquals(1.0, ev.getStats("a")[0], 1e-12);
            assertEquals(2, ev.getImageCount("a"));
            assertEquals(3, ev.getImageCount("b"));
        }
    }

    @Test
    void statNameAndKeysAreConfigurable() {
        try (NDManager m = NDManager.newBaseManager()) {
            CocoMapEvaluator ev = CocoMapEvaluator.builder().optName("AP50").optStat("AP50").optAccumulatorKeys(KEY).build();
            assertEquals("AP50", ev.getName());
            for (String key : List.of(KEY, "train/epoch")) {
                ev.addAccumulator(key);
            }
            NDList labels = labels(m, List.of(RANKING));
            NDList predictions = perImage(m, List.of(RANKING));
            ev.updateAccumulator(KEY, labels, predictions);
            ev.updateAccumulator("train/epoch", new NDList(m.zeros(new Shape(3))), new NDList()); // not collected, not read
            assertEquals((float) (253.0 / 303), ev.getAccumulator(KEY));
            assertEquals(-1f, ev.getAccumulator("train/epoch"));
            NDArray one = ev.evaluate(labels, predictions);
            assertEquals(new Shape(), one.getShape());
            assertEquals((float) (253.0 / 303), one.getFloat());
            assertEquals(1, ev.getImageCount(KEY), "evaluate(labels, predictions) accumulates nothing");

            IllegalArgumentException stat = assertThrows(IllegalArgumentException.class, () -> CocoMapEvaluator.builder().optStat("mAP"));
            assertTrue(stat.getMessage().contains("AP, AP50, AP75"), stat.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> CocoMapEvaluator.builder().optParams(CocoEvalParams.defaults(CocoEvalParams.IouType.SEGM)));
            // maxDets 1, 2, 3: AR1 counts A alone, AP (maxDets 3) the same as before
            CocoMapEvaluator few = CocoMapEvaluator.builder()
                    .optParams(CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX).withMaxDets(new int[] {1, 2, 3})).build();
            few.addAccumulator(KEY);
            few.updateAccumulator(KEY, labels, predictions);
            assertEquals(193.0 / 303, few.getStats(KEY)[0], 1e-12);
            assertEquals(0.5, few.getStats(KEY)[7], 1e-12, "AR at maxDets 2: A and the false positive");
        }
    }

    @Test
    void malformedInputsAreOneLineErrors() {
        try (NDManager m = NDManager.newBaseManager()) {
            CocoMapEvaluator ev = new CocoMapEvaluator();
            ev.addAccumulator(KEY);
            NDList labels = labels(m, List.of(RANKING));
            Img nanScore = new Img(RANKING.gtBoxes(), RANKING.gtClasses(), RANKING.dtBoxes(), new float[] {0.9f, Float.NaN, 0.7f},
                    RANKING.dtClasses());
            assertOneLine("image 1 of the batch, detection 2: score is NaN",
                    () -> ev.updateAccumulator(KEY, labels, perImage(m, List.of(nanScore))));
            Img nanBox = new Img(new float[][] {{0, 0, Float.NaN, 10}}, new long[] {1}, RANKING.dtBoxes(), RANKING.dtScores(),
                    RANKING.dtClasses());
            assertOneLine("image 1 of the batch, label row 1: box (x1, y1, x2, y2) = (0.0, 0.0, NaN, 10.0) is not finite",
                    () -> ev.updateAccumulator(KEY, labels(m, List.of(nanBox)), perImage(m, List.of(nanBox))));
            assertOneLine("predictions must be three arrays per image",
                    () -> ev.updateAccumulator(KEY, labels, new NDList(perImage(m, List.of(RANKING)).subNDList(1))));
            assertOneLine("labels must be [boxes [B, M, 4], classes [B, M]]", () -> ev.updateAccumulator(KEY, new NDList(labels.get(0)),
                    perImage(m, List.of(RANKING))));
            assertOneLine("evaluator 'mAP' has no accumulator 'train/epoch' (addAccumulator first)", () -> ev.getAccumulator("train/epoch"));
            assertEquals(0, ev.getImageCount(KEY), "a rejected batch adds nothing");
        }
    }

    private static void assertOneLine(String start, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    /** Random scenes: 0-4 objects of 3 classes, detections near them (some far off), misses and spurious boxes. */
    static List<Img> randomImages(Random rnd, int n) {
        List<Img> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int g = rnd.nextInt(5);
            List<float[]> gb = new ArrayList<>();
            List<Long> gc = new ArrayList<>();
            List<float[]> db = new ArrayList<>();
            List<Float> ds = new ArrayList<>();
            List<Long> dc = new ArrayList<>();
            for (int k = 0; k < g; k++) {
                float x = rnd.nextFloat() * 200;
                float y = rnd.nextFloat() * 150;
                float w = 8 + rnd.nextFloat() * 120;
                float h = 8 + rnd.nextFloat() * 120;
                long c = 1 + rnd.nextInt(3);
                gb.add(new float[] {x, y, x + w, y + h});
                gc.add(c);
                if (rnd.nextFloat() < 0.8f) {
                    float j = rnd.nextFloat() * 0.15f;
                    db.add(new float[] {x + j * w, y - j * h / 2, x + w + j * w / 2, y + h});
                    ds.add(rnd.nextFloat());
                    dc.add(rnd.nextFloat() < 0.85f ? c : 1 + rnd.nextInt(3));
                }
            }
            for (int k = rnd.nextInt(3); k > 0; k--) {
                float x = rnd.nextFloat() * 200;
                float y = rnd.nextFloat() * 150;
                db.add(new float[] {x, y, x + 10 + rnd.nextFloat() * 60, y + 10 + rnd.nextFloat() * 60});
                ds.add(rnd.nextFloat());
                dc.add(1L + rnd.nextInt(3));
            }
            float[] scores = new float[ds.size()];
            for (int k = 0; k < scores.length; k++) {
                scores[k] = ds.get(k);
            }
            out.add(new Img(gb.toArray(new float[0][]), gc.stream().mapToLong(Long::longValue).toArray(), db.toArray(new float[0][]), scores,
                    dc.stream().mapToLong(Long::longValue).toArray()));
        }
        return out;
    }

    /** {@code [boxes [B, M, 4], classes [B, M]]}, padded with class -1 as DetectionDataset's batches. */
    static NDList labels(NDManager m, List<Img> images) {
        int rows = 1; // at least one row, so some batches carry padding
        for (Img im : images) {
            rows = Math.max(rows, im.gtClasses().length);
        }
        float[] boxes = new float[images.size() * rows * 4];
        long[] classes = new long[images.size() * rows];
        java.util.Arrays.fill(classes, -1);
        for (int i = 0; i < images.size(); i++) {
            Img im = images.get(i);
            for (int r = 0; r < im.gtClasses().length; r++) {
                System.arraycopy(im.gtBoxes()[r], 0, boxes, (i * rows + r) * 4, 4);
                classes[i * rows + r] = im.gtClasses()[r];
            }
        }
        return new NDList(m.create(boxes, new Shape(images.size(), rows, 4)), m.create(classes, new Shape(images.size(), rows)));
    }

    /** FasterRcnn's inference output: boxes [D, 4], scores [D], classes [D] per image. */
    static NDList perImage(NDManager m, List<Img> images) {
        NDList out = new NDList();
        for (Img im : images) {
            float[] b = new float[im.dtScores().length * 4];
            for (int d = 0; d < im.dtScores().length; d++) {
                System.arraycopy(im.dtBoxes()[d], 0, b, 4 * d, 4);
            }
            out.add(m.create(b, new Shape(im.dtScores().length, 4)));
            out.add(m.create(im.dtScores()));
            out.add(m.create(im.dtClasses()));
        }
        return out;
    }

    /** {@code [boxes [B, D, 4], scores [B, D], classes [B, D]]}, class -1 (and a NaN score) in padding rows. */
    static NDList padded(NDManager m, List<Img> images) {
        int rows = 1;
        for (Img im : images) {
            rows = Math.max(rows, im.dtScores().length);
        }
        float[] boxes = new float[images.size() * rows * 4];
        float[] scores = new float[images.size() * rows];
        long[] classes = new long[images.size() * rows];
        java.util.Arrays.fill(scores, Float.NaN);
        java.util.Arrays.fill(classes, -1);
        for (int i = 0; i < images.size(); i++) {
            Img im = images.get(i);
            for (int d = 0; d < im.dtScores().length; d++) {
                System.arraycopy(im.dtBoxes()[d], 0, boxes, (i * rows + d) * 4, 4);
                scores[i * rows + d] = im.dtScores()[d];
                classes[i * rows + d] = im.dtClasses()[d];
            }
        }
        return new NDList(m.create(boxes, new Shape(images.size(), rows, 4)), m.create(scores, new Shape(images.size(), rows)),
                m.create(classes, new Shape(images.size(), rows)));
    }

    /** CocoEvaluator's stats for the images, built here: ids from 1, boxes {@code [x1, y1, x2 - x1, y2 - y1]} in float. */
    static double[] reference(List<Img> images) throws Exception {
        List<CocoImage> imgs = new ArrayList<>();
        List<CocoAnnotation> anns = new ArrayList<>();
        List<CocoResult> results = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            Img im = images.get(i);
            long id = i + 1;
            imgs.add(new CocoImage(id, id + ".jpg", 320, 240));
            for (int g = 0; g < im.gtClasses().length; g++) {
                double[] b = xywh(im.gtBoxes()[g]);
                anns.add(new CocoAnnotation(anns.size() + 1, id, im.gtClasses()[g], b, b[2] * b[3], false, null));
            }
            for (int d = 0; d < im.dtScores().length; d++) {
                results.add(new CocoResult(id, im.dtClasses()[d], xywh(im.dtBoxes()[d]), im.dtScores()[d], null));
            }
        }
        List<CocoCategory> cats = List.of(new CocoCategory(1, "a", ""), new CocoCategory(2, "b", ""), new CocoCategory(3, "c", ""));
        return CocoEvaluator.evaluate(new CocoDataset(imgs, anns, cats), results, CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX))
                .stats();
    }

    private static double[] xywh(float[] b) {
        return new double[] {b[0], b[1], b[2] - b[0], b[3] - b[1]};
    }
}
