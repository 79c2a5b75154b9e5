package org.resvision.eval.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.coco.Segmentation;

/**
 * The DJL matching (here on the CPU engine, the code a GPU runs) against the Java matching: every
 * cell record, every area-"all" match and status, and the 12 stats, bit for bit.
 */
class DeviceMatchingTest {

    static Stream<Arguments> cases() throws Exception {
        return PycocotoolsFixturesTest.cases();
    }

    private static void assertSameMatching(CocoMatching java, CocoMatching djl, String what) {
        assertEquals(java.records.length, djl.records.length, what);
        int compared = 0;
        for (int c = 0; c < java.records.length; c++) {
            CocoMatching.CellRecord a = java.records[c];
            CocoMatching.CellRecord b = djl.records[c];
            assertEquals(a == null, b == null, what + " cell " + c);
            if (a != null) {
                assertEquals(a.D, b.D, what + " cell " + c);
                for (int d = 0; d < a.D; d++) {
                    assertEquals(a.score(d), b.score(d), 0.0, what + " cell " + c);
                }
                int areas = java.params().areaRanges().length;
                int thresholds = java.params().iouThresholds().length;
                for (int x = 0; x < areas; x++) {
                    assertEquals(a.npig(x), b.npig(x), what + " cell " + c);
                    for (int d = 0; d < a.D; d++) {
                        for (int t = 0; t < thresholds; t++) {
                            assertEquals(a.flag(x, d, t), b.flag(x, d, t), what + " cell " + c);
                        }
                    }
                }
                compared++;
            }
        }
        assertArrayEquals(java.matchAll, djl.matchAll, what + " matches");
        assertArrayEquals(java.statusAll, djl.statusAll, what + " statuses");
        double[] s1 = java.accumulate().stats();
        double[] s2 = djl.accumulate().stats();
        for (int i = 0; i < 12; i++) {
            assertEquals(Double.doubleToRawLongBits(s1[i]), Double.doubleToRawLongBits(s2[i]), what + " stat " + i);
        }
        assertTrue(compared > 0, what + ": no cell compared");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void theFixturesMatchAsTheJavaCodeMatchesThem(String caseName, String iouType) throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve(caseName);
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoEvalParams p = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(iouType));
        assertSameMatching(CocoEvaluator.match(gt, null, dt, p), CocoEvaluator.match(gt, null, dt, p, Device.cpu()), caseName + " " + iouType);
    }

    /**
     * Boxes on a coarse grid, so that IoUs tie often; crowds, a ground truth with id 0 (which
     * pycocotools counts as unmatched), areas on the range borders, more than 100 detections in a cell.
     */
    @Test
    void tiesCrowdsIdZeroAndLongCellsMatchAsInJava() throws Exception {
        Random rnd = new Random(5);
        List<CocoImage> images = new ArrayList<>();
        List<CocoAnnotation> anns = new ArrayList<>();
        List<CocoResult> dets = new ArrayList<>();
        List<CocoCategory> cats = List.of(new CocoCategory(1, "a", null), new CocoCategory(2, "b", null));
        long annId = 0; // the first annotation has id 0
        for (int i = 1; i <= 12; i++) {
            images.add(new CocoImage(i, i + ".jpg", 200, 200));
            for (int g = rnd.nextInt(9); g > 0; g--) {
                double[] b = {4 * rnd.nextInt(20), 4 * rnd.nextInt(20), 4 + 8 * rnd.nextInt(12), 4 + 8 * rnd.nextInt(12)};
                double area = rnd.nextInt(4) == 0 ? (rnd.nextBoolean() ? 32 * 32 : 96 * 96) : b[2] * b[3];
                anns.add(new CocoAnnotation(annId++, i, 1 + rnd.nextInt(2), b, area, rnd.nextInt(6) == 0, null));
            }
            int n = i == 3 ? 140 : rnd.nextInt(30);
            for (int d = 0; d < n; d++) {
                double[] b = {4 * rnd.nextInt(20), 4 * rnd.nextInt(20), 4 + 8 * rnd.nextInt(12), 4 + 8 * rnd.nextInt(12)};
                dets.add(new CocoResult(i, i == 3 ? 1 : 1 + rnd.nextInt(2), b, rnd.nextInt(5) / 4.0, null));
            }
        }
        CocoDataset gt = new CocoDataset(images, anns, cats);
        for (CocoEvalParams.IouType t : CocoEvalParams.IouType.values()) {
            List<CocoResult> dt = t == CocoEvalParams.IouType.BBOX ? dets : dets.stream()
                    .map(r -> new CocoResult(r.imageId(), r.categoryId(), r.bbox(), r.score(),
                            new Segmentation.Polygons(new double[][] {r.bbox()}))).toList();
            List<CocoAnnotation> ga = t == CocoEvalParams.IouType.BBOX ? anns : anns.stream()
                    .map(a -> new CocoAnnotation(a.id(), a.imageId(), a.categoryId(), a.bbox(), a.area(), a.iscrowd(),
                            new Segmentation.Polygons(new double[][] {a.bbox()}))).toList();
            CocoDataset g = new CocoDataset(images, ga, cats);
            CocoEvalParams p = CocoEvalParams.defaults(t);
            assertSameMatching(CocoEvaluator.match(g, null, dt, p), CocoEvaluator.match(g, null, dt, p, Device.cpu()), "synthetic " + t);
        }
        assertTrue(anns.stream().anyMatch(CocoAnnotation::iscrowd));
    }
}
