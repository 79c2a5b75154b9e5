package org.resvision.eval.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;

/** CocoMatching: its accumulate is the evaluator's, a resample equals a dataset of copies, its matches agree with recall. */
class CocoMatchingTest {

    /**
     * The area range decides which ground truth a detection takes, not only what is counted: a
     * detection over a small object (IoU 0.62) and a medium one (0.90) takes the medium one at area
     * "all" and "medium", but the small one at "small" (non-ignored ground truth first), up to IoU
     * 0.60. Expected: pycocotools (cocoapi's PythonAPI built from source) on this case, exactly:
     * APs = ARs = 0.3 (3 of 10 thresholds); an evaluator that reused the "all" matching for the
     * other ranges (they share it where they ignore the same ground truth) would give 0.
     */
    @Test
    void eachAreaRangeMatchesWithItsOwnIgnoredGroundTruth() throws Exception {
        CocoDataset gt = new CocoDataset(List.of(new CocoImage(1, "a.jpg", 200, 200)),
                List.of(new CocoAnnotation(1, 1, 1, new double[] {10, 10, 30, 30}, 900, false, null),
                        new CocoAnnotation(2, 1, 1, new double[] {10, 10, 40, 40}, 1600, false, null)),
                List.of(new CocoCategory(1, "a", "")));
        List<CocoResult> dt = List.of(new CocoResult(1, 1, new double[] {10, 10, 38, 38}, 0.9, null));
        CocoEvalResult r = CocoEvaluator.evaluate(gt, dt, CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX));
        assertArrayEquals(new double[] {0.45445544554455436, 0.5049504950495048, 0.5049504950495048, 0.29999999999999993,
            0.8999999999999999, -1.0, 0.45, 0.45, 0.45, 0.3, 0.9, -1.0}, r.stats(), 0.0);
    }

    /**
     * A matching made without per-detection outcomes has none until one is read, then makes them
     * all by matching again: the same as those kept while matching, for every fixture.
     */
    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.MethodSource("org.resvision.eval.coco.WeightedAccumulationTest#cases")
    void outcomesMadeOnFirstReadEqualThoseKeptWhileMatching(String caseName, String iouType) throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve(caseName);
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoEvalParams params = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(iouType));
        CocoMatching kept = CocoEvaluator.match(gt, null, dt, params, null, true);
        CocoMatching later = CocoEvaluator.match(gt, null, dt, params, null, false);
        assertTrue(kept.statusAll != null && later.statusAll == null && later.matchAll == null, caseName + ": outcomes kept only when asked");
        WeightedAccumulationTest.assertBitEqual(kept.accumulate(), later.accumulate(), caseName + " " + iouType);
        int T = params.iouThresholds().length;
        int evaluated = 0;
        for (int d = 0; d < kept.detectionCount(); d++) {
            for (int t = 0; t < T; t++) {
                assertEquals(kept.status(d, t), later.status(d, t), caseName + " detection " + d + " t " + t);
                assertEquals(kept.matchedGroundTruth(d, t), later.matchedGroundTruth(d, t), caseName + " detection " + d + " t " + t);
                evaluated += kept.status(d, t) == CocoMatching.Status.NOT_EVALUATED ? 0 : 1;
            }
        }
        assertTrue(evaluated > 0 || kept.detectionCount() == 0, caseName + ": some outcome compared");
    }

    /** The matching reads the results' columns in place; a column's room past the last detection is not a detection. */
    @Test
    void detectionIndicesEndAtTheLastDetectionWhateverTheColumnsHold() throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve("10-realistic-200");
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        org.resvision.data.coco.CocoResults.Builder b = new org.resvision.data.coco.CocoResults.Builder(110);
        for (CocoResult r : dt.subList(0, 100)) {
            b.add(r);
        }
        org.resvision.data.coco.CocoResults columns = b.build();
        assertTrue(columns.scoreColumn().length > 100, "the column keeps room past the last detection");
        CocoMatching m = CocoEvaluator.match(gt, null, columns, CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX));
        assertEquals(100, m.detectionCount());
        assertEquals(dt.get(99).score(), m.detectionScore(99), 0.0);
        assertThrows(IndexOutOfBoundsException.class, () -> m.detectionScore(100));
        assertThrows(IndexOutOfBoundsException.class, () -> m.iou(new int[] {100}, new int[] {0}));
        WeightedAccumulationTest.assertBitEqual(CocoEvaluator.match(gt, null, new ArrayList<>(dt.subList(0, 100)),
                CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX)).accumulate(), m.accumulate(), "columns with room vs records");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"10-realistic-200,bbox", "10-realistic-200,segm", "02-crowd,bbox", "05-score-ties,bbox"})
    void resampleEqualsADatasetHoldingTheCopies(String caseName, String iouType) throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve(caseName);
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoEvalParams params = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(iouType));
        CocoMatching m = CocoEvaluator.match(gt, null, dt, params);

        CocoEvalResult plain = CocoEvaluator.evaluate(gt, dt, params);
        int[] ones = new int[m.imageIds().length];
        java.util.Arrays.fill(ones, 1);
        assertArrayEquals(plain.stats(), m.accumulate().stats(), 0.0);
        assertArrayEquals(plain.stats(), m.accumulate(ones).stats(), 0.0);

        Random rnd = new Random(7);
        for (int trial = 0; trial < 3; trial++) {
            int[] w = new int[ones.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = rnd.nextInt(4); // 0..3 copies
            }
            CocoEvalResult resampled = m.accumulate(w);
            CocoEvalResult copies = CocoEvaluator.evaluate(copies(gt, m.imageIds(), w), copiesOf(dt, m.imageIds(), w), params);
            assertPrecisionEquals(copies, resampled);
            assertArrayEquals(copies.stats(), resampled.stats(), 0.0, caseName + " trial " + trial);
        }
        // the resample changes the numbers (the test above would pass on an accumulate that ignores weights otherwise)
        int[] half = new int[ones.length];
        for (int i = 0; i < half.length; i += 2) {
            half[i] = 1;
        }
        if (ones.length > 4) {
            assertTrue(plain.stats()[0] != m.accumulate(half).stats()[0], "half the images give another AP");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"10-realistic-200,bbox", "10-realistic-200,segm", "02-crowd,bbox", "04-maxdets-cut,bbox"})
    void truePositivesPerCategoryAreRecallTimesGroundTruth(String caseName, String iouType) throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve(caseName);
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoEvalParams params = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(iouType));
        CocoMatching m = CocoEvaluator.match(gt, null, dt, params);
        CocoEvalResult r = m.accumulate();
        int K = m.categoryIds().length;
        int T = params.iouThresholds().length;
        int a = m.allAreaIndex();
        int checked = 0;
        for (int t = 0; t < T; t++) {
            int[] tp = new int[K];
            for (int d = 0; d < m.detectionCount(); d++) {
                if (m.status(d, t) == CocoMatching.Status.TRUE_POSITIVE) {
                    tp[m.detectionCategory(d)]++;
                    int g = m.matchedGroundTruth(d, t);
                    assertEquals(m.detectionCategory(d), m.groundTruthCategory(g));
                    assertEquals(m.detectionImage(d), m.groundTruthImage(g));
                    assertTrue(!m.groundTruthCrowd(g));
                    assertTrue(m.iou(new int[] {d}, new int[] {g})[0][0] >= params.iouThresholds()[t] - 1e-12);
                } else if (m.status(d, t) == CocoMatching.Status.FALSE_POSITIVE) {
                    assertEquals(-1, m.matchedGroundTruth(d, t));
                }
            }
            int[] npig = new int[K];
            for (int g = 0; g < m.groundTruthCount(); g++) {
                if (!m.groundTruthCrowd(g)) {
                    npig[m.groundTruthCategory(g)]++;
                }
            }
            for (int k = 0; k < K; k++) {
                double rec = r.recall(t, k, a, 2);
                if (rec >= 0) {
                    assertEquals(Math.round(rec * npig[k]), tp[k], caseName + " t=" + t + " k=" + k);
                    checked++;
                }
            }
        }
        assertTrue(checked > 0);
    }

    @org.junit.jupiter.api.Test
    void badWeightsAreRefused() throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve("01-basic-perfect");
        CocoMatching m = CocoEvaluator.match(CocoReader.readDataset(dir.resolve("gt.json")), null,
                CocoReader.readResults(dir.resolve("dt.json")), CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX));
        assertThrows(IllegalArgumentException.class, () -> m.accumulate(new int[m.imageIds().length + 1]));
        int[] neg = new int[m.imageIds().length];
        neg[0] = -1;
        assertThrows(IllegalArgumentException.class, () -> m.accumulate(neg));
    }

    private static void assertPrecisionEquals(CocoEvalResult want, CocoEvalResult got) {
        int[] s = want.precisionShape();
        for (int t = 0; t < s[0]; t++) {
            for (int r = 0; r < s[1]; r++) {
                for (int k = 0; k < s[2]; k++) {
                    for (int a = 0; a < s[3]; a++) {
                        for (int mm = 0; mm < 3; mm++) {
                            assertEquals(want.precision(t, r, k, a, mm), got.precision(t, r, k, a, mm), 0.0);
                        }
                    }
                }
            }
        }
    }

    private static long copyId(long id, int c) {
        return id * 10 + c;
    }

    /** The ground truth with image i held w[i] times (ids id*10+c: copies next to each other in image order). */
    private static CocoDataset copies(CocoDataset gt, long[] imageIds, int[] w) {
        java.util.Map<Long, Integer> weight = new java.util.HashMap<>();
        for (int i = 0; i < imageIds.length; i++) {
            weight.put(imageIds[i], w[i]);
        }
        List<CocoImage> images = new ArrayList<>();
        for (CocoImage im : gt.images()) {
            for (int c = 0; c < weight.get(im.id()); c++) {
                images.add(new CocoImage(copyId(im.id(), c), im.fileName(), im.width(), im.height()));
            }
        }
        List<CocoAnnotation> anns = new ArrayList<>();
        for (CocoAnnotation a : gt.annotations()) {
            for (int c = 0; c < weight.getOrDefault(a.imageId(), 0); c++) {
                anns.add(new CocoAnnotation(copyId(a.id(), c) + 1, copyId(a.imageId(), c), a.categoryId(), a.bbox(), a.area(),
                        a.iscrowd(), a.segmentation()));
            }
        }
        return new CocoDataset(images, anns, gt.categories());
    }

    private static List<CocoResult> copiesOf(List<CocoResult> dt, long[] imageIds, int[] w) {
        java.util.Map<Long, Integer> weight = new java.util.HashMap<>();
        for (int i = 0; i < imageIds.length; i++) {
            weight.put(imageIds[i], w[i]);
        }
        List<CocoResult> out = new ArrayList<>();
        for (CocoResult r : dt) {
            for (int c = 0; c < weight.getOrDefault(r.imageId(), 0); c++) {
                out.add(new CocoResult(copyId(r.imageId(), c), r.categoryId(), r.bbox(), r.score(), r.segmentation()));
            }
        }
        return out;
    }
}
