package org.resvision.eval.coco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;

/**
 * The walk that {@link CocoMatching#accumulate(int[])} takes, and the single evaluation's sort
 * once per category, are bit for bit the direct transcription of COCOeval.accumulate
 * (concatenate, stable sort per maxDet, cumulative sums, envelope), for every fixture, several
 * maxDets and many weightings (zeros, ones, large copies).
 */
class WeightedAccumulationTest {

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> cases() throws Exception {
        return PycocotoolsFixturesTest.cases();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void walkEqualsSortingOnEveryFixture(String caseName, String iouType) throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve(caseName);
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoEvalParams defaults = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(iouType));
        // small maxDets cut inside the blocks of equal score; 1,1,1 and 100,100,100 are degenerate
        for (CocoEvalParams params : List.of(defaults, defaults.withMaxDets(new int[] {1, 2, 3}),
                defaults.withMaxDets(new int[] {1, 1, 1}), defaults.withMaxDets(new int[] {100, 100, 100}))) {
            CocoMatching m = CocoEvaluator.match(gt, null, dt, params);
            int n = m.imageIds().length;
            int[] ones = new int[n];
            java.util.Arrays.fill(ones, 1);
            // before any weighted accumulation makes the walk: the single evaluation's sort once
            assertBitEqual(m.accumulate(null, true), m.accumulate(null), caseName + " unweighted, sorted once");
            assertBitEqual(m.accumulate(null, true), m.accumulate(ones), caseName + " unweighted");
            assertNotNull(m.walks(), "the walk is made");
            assertBitEqual(m.accumulate(null, true), m.accumulate(null), caseName + " unweighted, walking");
            Random rnd = new Random(caseName.hashCode());
            for (int trial = 0; trial < 8; trial++) {
                int[] w = new int[n];
                int max = trial < 4 ? 3 : 12; // large copies: long runs of equal scores
                for (int i = 0; i < n; i++) {
                    w[i] = rnd.nextInt(max + 1);
                }
                if (trial == 0) {
                    java.util.Arrays.fill(w, 0);
                    w[rnd.nextInt(n)] = 5; // one image, five times
                }
                assertBitEqual(m.accumulate(w, true), m.accumulate(w), caseName + " " + iouType + " trial " + trial);
            }
        }
    }

    @Test
    void tiesAcrossAndWithinImagesOrderAsTheStableSort() throws Exception {
        // many equal scores inside one image and across images, TPs and FPs interleaved, crowd and
        // out-of-range objects: the order inside a tie decides precision, so any reordering shows
        List<CocoImage> images = new ArrayList<>();
        List<CocoAnnotation> anns = new ArrayList<>();
        List<CocoResult> dets = new ArrayList<>();
        Random rnd = new Random(11);
        for (int i = 1; i <= 12; i++) {
            images.add(new CocoImage(i * 3L, "i" + i + ".jpg", 200, 200));
            for (int g = 0; g < 6; g++) {
                double x = rnd.nextInt(150);
                double y = rnd.nextInt(150);
                double s = 5 + rnd.nextInt(60);
                anns.add(new CocoAnnotation(anns.size() + 1, i * 3L, 1 + rnd.nextInt(2), new double[] {x, y, s, s}, s * s,
                        rnd.nextInt(10) == 0, null));
            }
        }
        for (CocoAnnotation a : List.copyOf(anns)) {
            for (int copy = 0; copy < 3; copy++) {
                double[] b = a.bbox();
                double j = rnd.nextInt(4) - 1.5;
                dets.add(new CocoResult(a.imageId(), rnd.nextInt(5) == 0 ? 3 - a.categoryId() : a.categoryId(),
                        new double[] {b[0] + j, b[1] - j, b[2] + copy, b[3]}, rnd.nextInt(4) * 0.25, null));
            }
        }
        CocoDataset gt = new CocoDataset(images, anns, List.of(new CocoCategory(1, "a", ""), new CocoCategory(2, "b", "")));
        CocoEvalParams defaults = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);
        // 1, 10, 300: positions past 255 (the wide bookkeeping of the single evaluation)
        for (CocoEvalParams params : List.of(defaults, defaults.withMaxDets(new int[] {2, 5, 9}),
                defaults.withMaxDets(new int[] {1, 10, 300}))) {
            CocoMatching m = CocoEvaluator.match(gt, null, dets, params);
            int[] ones = new int[images.size()];
            java.util.Arrays.fill(ones, 1);
            assertBitEqual(m.accumulate(null, true), m.accumulate(null), "unweighted, sorted once");
            assertBitEqual(m.accumulate(null, true), m.accumulate(ones), "unweighted");
            for (int trial = 0; trial < 20; trial++) {
                int[] w = new int[images.size()];
                for (int i = 0; i < w.length; i++) {
                    w[i] = rnd.nextInt(4);
                }
                assertBitEqual(m.accumulate(w, true), m.accumulate(w), "trial " + trial);
            }
        }
    }

    @Test
    void aNanScoreFallsBackToSorting() throws Exception {
        CocoDataset gt = new CocoDataset(List.of(new CocoImage(1, "a.jpg", 100, 100)),
                List.of(new CocoAnnotation(1, 1, 1, new double[] {0, 0, 10, 10}, 100, false, null)),
                List.of(new CocoCategory(1, "a", "")));
        List<CocoResult> dt = List.of(new CocoResult(1, 1, new double[] {0, 0, 10, 10}, Double.NaN, null),
                new CocoResult(1, 1, new double[] {0, 0, 10, 10}, 0.5, null));
        CocoMatching m = CocoEvaluator.match(gt, null, dt, CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX));
        assertNull(m.walks(), "no consistent order to precompute");
        assertBitEqual(m.accumulate(null, true), m.accumulate(new int[] {1}), "NaN score");
    }

    /**
     * A threshold's matching and accumulation depend on no other threshold, so with 40 thresholds
     * (the flags of a detection in two words) or 70 (four words, accumulated by sorting) each of
     * the ten default thresholds among them gets the default evaluation's numbers bit for bit.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void manyThresholdsGiveEachThresholdItsOwnNumbers(String caseName, String iouType) throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve(caseName);
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoEvalParams defaults = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(iouType));
        CocoEvalResult want = CocoEvaluator.match(gt, null, dt, defaults).accumulate();
        Random rnd = new Random(7);
        for (int many : new int[] {40, 70}) {
            double[] thr = new double[many];
            int[] at = new int[10]; // where default threshold t0 is in thr
            for (int t0 = 0; t0 < 10; t0++) {
                at[t0] = t0 * (many / 10) + rnd.nextInt(many / 10);
                thr[at[t0]] = defaults.iouThresholds()[t0];
            }
            for (int t = 0; t < many; t++) {
                if (thr[t] == 0) {
                    thr[t] = 0.3 + 0.69 * rnd.nextDouble();
                }
            }
            CocoEvalParams params = new CocoEvalParams(defaults.iouType(), thr, defaults.recallThresholds(), defaults.maxDets(),
                    defaults.areaRanges(), defaults.areaLabels(), null, null);
            CocoMatching m = CocoEvaluator.match(gt, null, dt, params);
            CocoEvalResult got = m.accumulate();
            int[] s = want.precisionShape();
            for (int t0 = 0; t0 < 10; t0++) {
                for (int k = 0; k < s[2]; k++) {
                    for (int a = 0; a < s[3]; a++) {
                        for (int mm = 0; mm < 3; mm++) {
                            String where = caseName + " " + iouType + " T=" + many + " threshold " + t0 + ", " + k + "," + a + "," + mm;
                            assertEquals(want.recall(t0, k, a, mm), got.recall(at[t0], k, a, mm), 0.0, where);
                            for (int r = 0; r < s[1]; r++) {
                                assertEquals(want.precision(t0, r, k, a, mm), got.precision(at[t0], r, k, a, mm), 0.0, where + " r " + r);
                            }
                        }
                    }
                }
            }
            assertBitEqual(m.accumulate(null, true), got, caseName + " T=" + many + ": sorting");
        }
    }

    /** Evaluations with other recall thresholds (fewer, more) one after another reuse the threads' counters correctly. */
    @Test
    void recallThresholdCountsChangeFromOneEvaluationToTheNext() throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve("10-realistic-200");
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoEvalParams d = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);
        for (int r : new int[] {11, 101, 301, 5}) {
            CocoEvalParams params = new CocoEvalParams(d.iouType(), d.iouThresholds(), CocoEvalParams.linspace(0, 1, r), d.maxDets(),
                    d.areaRanges(), d.areaLabels(), null, null);
            CocoMatching m = CocoEvaluator.match(gt, null, dt, params);
            assertBitEqual(m.accumulate(null, true), m.accumulate(), r + " recall thresholds");
        }
    }

    static void assertBitEqual(CocoEvalResult want, CocoEvalResult got, String what) {
        int[] s = want.precisionShape();
        int compared = 0;
        for (int t = 0; t < s[0]; t++) {
            for (int k = 0; k < s[2]; k++) {
                for (int a = 0; a < s[3]; a++) {
                    for (int mm = 0; mm < 3; mm++) {
                        if (Double.doubleToRawLongBits(want.recall(t, k, a, mm)) != Double.doubleToRawLongBits(got.recall(t, k, a, mm))) {
                            fail(what + ": recall " + t + "," + k + "," + a + "," + mm + " want " + want.recall(t, k, a, mm)
                                    + " got " + got.recall(t, k, a, mm));
                        }
                        for (int r = 0; r < s[1]; r++) {
                            if (Double.doubleToRawLongBits(want.precision(t, r, k, a, mm))
                                    != Double.doubleToRawLongBits(got.precision(t, r, k, a, mm))) {
                                fail(what + ": precision " + t + "," + r + "," + k + "," + a + "," + mm
                                        + " want " + want.precision(t, r, k, a, mm) + " got " + got.precision(t, r, k, a, mm));
                            }
                            compared++;
                        }
                    }
                }
            }
        }
        assertTrue(compared > 0);
        assertEquals(java.util.Arrays.toString(want.stats()), java.util.Arrays.toString(got.stats()), what + ": stats");
    }
}
