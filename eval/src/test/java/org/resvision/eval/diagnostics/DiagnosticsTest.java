package org.resvision.eval.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvaluator;
import org.resvision.eval.coco.CocoMatching;

/** Confusion matrix, operating points and calibration on hand-made cases with known answers, and their invariants on a fixture. */
class DiagnosticsTest {

    private static final CocoEvalParams BBOX = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);

    /** One 100x100 image; categories 1 cat, 2 dog, 3 bird. */
    private static final class Case {
        final List<CocoAnnotation> gt = new ArrayList<>();
        final List<CocoResult> dt = new ArrayList<>();

        Case gt(long cat, double x, double y, double w, double h, boolean crowd) {
            gt.add(new CocoAnnotation(gt.size() + 1, 1, cat, new double[] {x, y, w, h}, w * h, crowd, null));
            return this;
        }

        Case dt(long cat, double x, double y, double w, double h, double score) {
            dt.add(new CocoResult(1, cat, new double[] {x, y, w, h}, score, null));
            return this;
        }

        CocoMatching match() throws Exception {
            CocoDataset d = new CocoDataset(List.of(new CocoImage(1, "a.jpg", 100, 100)), gt,
                    List.of(new CocoCategory(1, "cat", ""), new CocoCategory(2, "dog", ""), new CocoCategory(3, "bird", "")));
            return CocoEvaluator.match(d, null, dt, BBOX);
        }
    }

    private static Case confusionCase() {
        return new Case()
                .gt(1, 0, 0, 10, 10, false)   // A cat
                .gt(2, 20, 20, 10, 10, false) // B dog
                .gt(3, 50, 50, 10, 10, false) // C bird
                .gt(1, 70, 70, 20, 20, true)  // D cat crowd
                .gt(3, 0, 80, 10, 10, false)  // E bird, never detected
                .dt(1, 0, 0, 10, 10, 0.9)     // cat on A: true positive
                .dt(1, 20, 20, 10, 10, 0.8)   // cat on the dog B: dog -> cat
                .dt(3, 0, 0, 10, 10, 0.85)    // bird on A, which the cat took: background -> bird
                .dt(1, 72, 72, 10, 10, 0.6)   // cat inside the crowd: ignored, not counted
                .dt(2, 90, 0, 5, 5, 0.5)      // dog on nothing: background -> dog
                .dt(3, 50, 50, 10, 10, 0.3);  // bird on C: true positive (below a 0.4 threshold)
    }

    @Test
    void confusionMatrixOfAHandCase() throws Exception {
        CocoMatching m = confusionCase().match();
        long[][] c = DetectionConfusionMatrix.compute(m, 0.5, 0).counts();
        // rows: cat, dog, bird, background (ground truth); columns: the same (detections)
        assertArrayEquals(new long[] {1, 0, 0, 0}, c[0]);
        assertArrayEquals(new long[] {1, 0, 0, 0}, c[1]);
        assertArrayEquals(new long[] {0, 0, 1, 1}, c[2]);
        assertArrayEquals(new long[] {0, 1, 1, 0}, c[3]);

        long[][] c4 = DetectionConfusionMatrix.compute(m, 0.5, 0.4).counts();
        assertArrayEquals(new long[] {0, 0, 0, 2}, c4[2], "the bird below 0.4 is not counted: both birds missed");
        assertArrayEquals(new long[] {0, 1, 1, 0}, c4[3]);

        DetectionConfusionMatrix.Confusion top = DetectionConfusionMatrix.compute(m, 0.5, 0).topConfusions(5).get(0);
        assertEquals(1, top.groundTruth());
        assertEquals(0, top.detected());
        assertThrows(IllegalArgumentException.class, () -> DetectionConfusionMatrix.compute(m, 0.6001, 0));
    }

    @ParameterizedTest(name = "{0} {1} score>={2}")
    @CsvSource({"10-realistic-200,bbox,0", "10-realistic-200,bbox,0.5", "10-realistic-200,segm,0.3", "02-crowd,bbox,0"})
    void confusionMatrixInvariantsOnAFixture(String caseName, String iouType, double score) throws Exception {
        Path dir = fixtures().resolve(caseName);
        CocoEvalParams p = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(iouType));
        CocoMatching m = CocoEvaluator.match(CocoReader.readDataset(dir.resolve("gt.json")), null,
                CocoReader.readResults(dir.resolve("dt.json")), p);
        for (int t : new int[] {0, 5}) {
            double iou = p.iouThresholds()[t];
            long[][] c = DetectionConfusionMatrix.compute(m, iou, score).counts();
            int K = m.categoryIds().length;
            long[] tp = new long[K];
            long[] dets = new long[K];
            long[] gts = new long[K];
            for (int d = 0; d < m.detectionCount(); d++) {
                CocoMatching.Status s = m.status(d, t);
                if (m.detectionScore(d) >= score && (s == CocoMatching.Status.TRUE_POSITIVE || s == CocoMatching.Status.FALSE_POSITIVE)) {
                    dets[m.detectionCategory(d)]++;
                    if (s == CocoMatching.Status.TRUE_POSITIVE) {
                        tp[m.detectionCategory(d)]++;
                    }
                }
            }
            for (int g = 0; g < m.groundTruthCount(); g++) {
                if (!m.groundTruthCrowd(g)) {
                    gts[m.groundTruthCategory(g)]++;
                }
            }
            long offDiagonal = 0;
            for (int k = 0; k < K; k++) {
                assertEquals(tp[k], c[k][k], "diagonal = true positives, k=" + k);
                long row = 0;
                long col = 0;
                for (int j = 0; j <= K; j++) {
                    row += c[k][j];
                    col += c[j][k];
                    offDiagonal += j != k && j < K ? c[k][j] : 0;
                }
                assertEquals(gts[k], row, "row sum = ground truth, k=" + k);
                assertEquals(dets[k], col, "column sum = counted detections, k=" + k);
            }
            assertEquals(0, c[K][K]);
            if (caseName.startsWith("10")) {
                assertTrue(offDiagonal > 0, "the realistic case has class confusions");
            }
        }
    }

    /** One category, 4 ground truths; detections by score: TP .9, FP .8, TP .7, FP .7, TP .6, FP .1. */
    private static Case rankingCase() {
        Case c = new Case();
        for (int j = 0; j < 4; j++) {
            c.gt(1, j * 20, 0, 10, 10, false);
        }
        return c.dt(1, 0, 0, 10, 10, 0.9).dt(1, 0, 50, 10, 10, 0.8).dt(1, 20, 0, 10, 10, 0.7)
                .dt(1, 20, 50, 10, 10, 0.7).dt(1, 40, 0, 10, 10, 0.6).dt(1, 40, 50, 10, 10, 0.1);
    }

    @Test
    void bestF1AndF2OfAHandCase() throws Exception {
        CocoMatching m = rankingCase().match();
        OperatingPoints f1 = OperatingPoints.compute(m, 0.5, 1);
        OperatingPoints.Point p = f1.category(0);
        // keeping score >= 0.6: 3 TP, 2 FP: P 0.6, R 0.75, F1 = 0.9 / 1.35
        assertEquals(0.9 / 1.35, p.f(), 1e-12);
        assertEquals(0.6, p.scoreThreshold());
        assertEquals(0.6, p.precision(), 1e-12);
        assertEquals(0.75, p.recall(), 1e-12);
        assertEquals(3, p.tp());
        assertEquals(2, p.fp());
        assertEquals(1, p.fn());
        assertNull(f1.category(1), "dog: no ground truth, no detections");
        assertEquals(p, f1.overall());
        // F2 weighs recall: still 0.6 (5*0.45/3.15 = 0.714 against 0.682 at 0.1)
        assertEquals(5 * 0.45 / 3.15, OperatingPoints.compute(m, 0.5, 2).category(0).f(), 1e-12);
        // F-0.25 weighs precision: the single top detection (P 1, R 0.25) wins
        OperatingPoints.Point q = OperatingPoints.compute(m, 0.5, 0.25).category(0);
        assertEquals(0.9, q.scoreThreshold());
        assertThrows(IllegalArgumentException.class, () -> OperatingPoints.compute(m, 0.5, 0));
    }

    @Test
    void calibrationOfAHandCase() throws Exception {
        Case c = new Case();
        for (int j = 0; j < 4; j++) {
            c.gt(1, j * 20, 0, 10, 10, false);
        }
        c.dt(1, 0, 0, 10, 10, 0.95).dt(1, 20, 0, 10, 10, 0.92).dt(1, 0, 50, 10, 10, 0.91)
                .dt(1, 20, 50, 10, 10, 0.15).dt(1, 40, 0, 10, 10, 0.12);
        Calibration cal = Calibration.compute(c.match(), 0.5, 10);
        Calibration.Bin top = cal.bins()[9];
        assertEquals(3, top.count());
        assertEquals((0.95 + 0.92 + 0.91) / 3, top.meanScore(), 1e-12);
        assertEquals(2.0 / 3, top.accuracy(), 1e-12);
        Calibration.Bin low = cal.bins()[1];
        assertEquals(2, low.count());
        assertEquals(0.5, low.accuracy(), 1e-12);
        double gapTop = (0.95 + 0.92 + 0.91) / 3 - 2.0 / 3;
        double gapLow = 0.5 - 0.135;
        assertEquals(0.6 * gapTop + 0.4 * gapLow, cal.ece(), 1e-12);
        assertEquals(Math.max(gapTop, gapLow), cal.mce(), 1e-12);
        assertEquals(0, cal.bins()[5].count());
        assertTrue(Double.isNaN(cal.bins()[5].accuracy()));

        Case bad = new Case().gt(1, 0, 0, 10, 10, false).dt(1, 0, 0, 10, 10, 3.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Calibration.compute(bad.match(), 0.5, 10));
        assertTrue(e.getMessage().contains("3.5"), e.getMessage());
    }

    static Path fixtures() {
        String shared = System.getProperty("resvision.shared.dir");
        return (shared == null ? Path.of("../../shared") : Path.of(shared)).resolve("fixtures/coco-eval");
    }
}
