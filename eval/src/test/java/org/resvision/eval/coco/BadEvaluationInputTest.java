package org.resvision.eval.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.coco.Segmentation;

/** Input the evaluator must refuse (naming the record) or leave out (with a count), never score as it is. */
class BadEvaluationInputTest {

    static final CocoEvalParams SEGM = CocoEvalParams.defaults(CocoEvalParams.IouType.SEGM);
    static final CocoEvalParams BBOX = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);

    /** One 10x10 image, one category, one annotation covering the left half. */
    static CocoDataset gt(Segmentation seg, double[] box, double area) {
        return new CocoDataset(List.of(new CocoImage(1, "a.jpg", 10, 10)),
                List.of(new CocoAnnotation(4, 1, 1, box, area, false, seg)), List.of(new CocoCategory(1, "x", null)));
    }

    static final Segmentation LEFT_HALF = new Segmentation.UncompressedRle(10, 10, new int[] {0, 50, 50});

    static CocoResult dt(Segmentation seg) {
        return new CocoResult(1, 1, new double[] {0, 0, 5, 10}, 0.9, seg);
    }

    static CocoEvalException fails(CocoDataset gt, List<CocoResult> dt, CocoEvalParams p) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> assertThrows(CocoEvalException.class, () -> CocoEvaluator.evaluate(gt, dt, p)));
    }

    @Test
    void aShortRleOverlappingTheGroundTruthIsAnErrorNotAHang() {
        // runs covering 50 of 100 pixels: the mask IoU used to loop forever
        CocoEvalException e = fails(gt(LEFT_HALF, new double[] {0, 0, 5, 10}, 50),
                List.of(dt(new Segmentation.UncompressedRle(10, 10, new int[] {0, 50}))), SEGM);
        assertEquals("detection #1 (image 1): RLE runs sum to 50, not h*w = 100", e.getMessage());
        assertFalse(e.inGroundTruth());
        CocoEvalException g = fails(gt(new Segmentation.UncompressedRle(10, 10, new int[] {0, 50}), new double[] {0, 0, 5, 10}, 50),
                List.of(dt(LEFT_HALF)), SEGM);
        assertEquals("annotation 4 (image 1): RLE runs sum to 50, not h*w = 100", g.getMessage());
        assertTrue(g.inGroundTruth());
    }

    @Test
    void malformedMasksAndBoxesNameTheirRecord() {
        CocoDataset ok = gt(LEFT_HALF, new double[] {0, 0, 5, 10}, 50);
        assertEquals("detection #1 (image 1): polygon with 7 numbers (needs an even count, at least 3 points)",
                fails(ok, List.of(dt(new Segmentation.Polygons(new double[][] {{0, 0, 5, 0, 5, 10, 0}}))), SEGM).getMessage());
        assertEquals("detection #1 (image 1): polygon with 4 numbers (needs an even count, at least 3 points)",
                fails(ok, List.of(dt(new Segmentation.Polygons(new double[][] {{0, 0, 5, 0, 5, 10}, {1, 1, 2, 2}}))), SEGM).getMessage());
        assertEquals("detection #1 (image 1): segmentation is an empty list of polygons",
                fails(ok, List.of(dt(new Segmentation.Polygons(new double[0][]))), SEGM).getMessage());
        assertEquals("detection #1 (image 1): RLE size 20x5 differs from image 1's 10x10",
                fails(ok, List.of(dt(new Segmentation.UncompressedRle(20, 5, new int[] {0, 100}))), SEGM).getMessage());
        assertEquals("detection #1 (image 1): compressed RLE has a character outside '0'..'o' at offset 0",
                fails(ok, List.of(dt(new Segmentation.CompressedRle(10, 10, "~~"))), SEGM).getMessage());
        CocoEvalException box = fails(gt(null, new double[] {0, 0, -5, 10}, 50), List.of(dt(null)), BBOX);
        assertEquals("annotation 4 (image 1) bbox [0.0, 0.0, -5.0, 10.0] has a negative width or height", box.getMessage());
        assertTrue(box.inGroundTruth());
        assertEquals("annotation 4 (image 1) has no 'area' (evaluation takes the area ranges from it)",
                fails(gt(null, new double[] {0, 0, 5, 10}, Double.NaN), List.of(dt(null)), BBOX).getMessage());
        CocoDataset noSize = new CocoDataset(List.of(new CocoImage(1, "a.jpg", -1, -1)),
                List.of(new CocoAnnotation(4, 1, 1, new double[] {0, 0, 5, 10}, 50, false, LEFT_HALF)), List.of(new CocoCategory(1, "x", null)));
        assertEquals("annotation 4 (image 1): image 1 has no width and height (segm needs them)",
                fails(noSize, List.of(dt(LEFT_HALF)), SEGM).getMessage());
    }

    /**
     * Masks are decoded where they are matched, and not kept; every evaluated detection's mask is
     * still checked: in a cell without ground truth, past maxDet in its cell, and with two bad ones
     * the first is named whatever the threads' order.
     */
    @Test
    void malformedMasksAreFoundWhereNothingMatchesThem() {
        CocoDataset twoImages = new CocoDataset(List.of(new CocoImage(1, "a.jpg", 10, 10), new CocoImage(2, "b.jpg", 10, 10)),
                List.of(new CocoAnnotation(4, 1, 1, new double[] {0, 0, 5, 10}, 50, false, LEFT_HALF)), List.of(new CocoCategory(1, "x", null)));
        Segmentation bad = new Segmentation.CompressedRle(10, 10, "~~");
        Segmentation short50 = new Segmentation.UncompressedRle(10, 10, new int[] {0, 50});
        assertEquals("detection #2 (image 2): compressed RLE has a character outside '0'..'o' at offset 0",
                fails(twoImages, List.of(dt(LEFT_HALF), new CocoResult(2, 1, new double[] {0, 0, 5, 10}, 0.9, bad)), SEGM).getMessage());
        assertEquals("detection #2 (image 1): RLE runs sum to 50, not h*w = 100",
                fails(twoImages, List.of(dt(LEFT_HALF), new CocoResult(1, 1, new double[] {0, 0, 5, 10}, 0.1, short50)),
                        SEGM.withMaxDets(new int[] {1, 1, 1})).getMessage());
        // compressed RLEs are checked without being decoded into a mask: the same messages as decoding
        String hundred = org.resvision.data.mask.MaskApi.toString(new org.resvision.data.mask.Rle(20, 5, new int[] {0, 50, 50}));
        assertEquals("detection #2 (image 2): RLE size 20x5 differs from image 2's 10x10",
                fails(twoImages, List.of(dt(LEFT_HALF), new CocoResult(2, 1, new double[] {0, 0, 5, 10}, 0.9, new Segmentation.CompressedRle(20, 5, hundred))),
                        SEGM).getMessage());
        String fifty = org.resvision.data.mask.MaskApi.toString(new org.resvision.data.mask.Rle(10, 5, new int[] {0, 50}));
        assertEquals("detection #2 (image 2): RLE runs sum to 50, not h*w = 100",
                fails(twoImages, List.of(dt(LEFT_HALF), new CocoResult(2, 1, new double[] {0, 0, 5, 10}, 0.9,
                        new Segmentation.CompressedRle(10, 10, fifty))), SEGM).getMessage());
        for (int trial = 0; trial < 5; trial++) {
            assertEquals("detection #2 (image 2): compressed RLE has a character outside '0'..'o' at offset 0",
                    fails(twoImages, List.of(dt(LEFT_HALF), new CocoResult(2, 1, new double[] {0, 0, 5, 10}, 0.9, bad),
                            new CocoResult(1, 1, new double[] {0, 0, 5, 10}, 0.5, short50)), SEGM).getMessage());
        }
    }

    /**
     * Segmentation-only results (loadRes takes their area and box from the masks, all masks at once
     * on every core): the first bad detection in file order is named, whatever its problem and
     * whatever the threads did, as a loop over the detections would.
     */
    @Test
    void segmentationOnlyResultsNameTheirFirstBadDetection() {
        CocoDataset ok = gt(LEFT_HALF, new double[] {0, 0, 5, 10}, 50);
        Segmentation bad = new Segmentation.CompressedRle(10, 10, "~~");
        List<CocoResult> goodMasks = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            goodMasks.add(new CocoResult(1, 1, null, 0.5, LEFT_HALF));
        }
        for (int trial = 0; trial < 3; trial++) {
            List<CocoResult> unknownImageFirst = new java.util.ArrayList<>(goodMasks);
            unknownImageFirst.set(700, new CocoResult(9, 1, null, 0.5, LEFT_HALF));
            unknownImageFirst.set(1500, new CocoResult(1, 1, null, 0.5, bad));
            assertEquals("detection #701 is for image id 9, which is not in the ground truth",
                    fails(ok, unknownImageFirst, SEGM).getMessage());
            List<CocoResult> badMaskFirst = new java.util.ArrayList<>(goodMasks);
            badMaskFirst.set(700, new CocoResult(1, 1, null, 0.5, bad));
            badMaskFirst.set(1500, new CocoResult(9, 1, null, 0.5, LEFT_HALF));
            badMaskFirst.set(1900, new CocoResult(1, 1, null, 0.5, new Segmentation.UncompressedRle(10, 10, new int[] {0, 50})));
            assertEquals("detection #701 (image 1): compressed RLE has a character outside '0'..'o' at offset 0",
                    fails(ok, badMaskFirst, BBOX).getMessage(), "a bbox evaluation takes their boxes from the masks too");
        }
    }

    @Test
    void recordsPycocotoolsLeavesOutAreCountedInOneWarningEach() throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve("03-empty-images-and-categories");
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoEvalResult r = CocoEvaluator.evaluate(gt, dt, BBOX);
        assertEquals(List.of(new CocoEvalResult.Warning(false,
                "1 detections of categories not in the ground truth not evaluated, as in pycocotools (the first: category 99)")), r.warnings());

        // annotations of an image or a category the file does not list: left out and counted, the numbers unchanged
        List<CocoAnnotation> anns = new ArrayList<>(gt.annotations());
        CocoAnnotation a = anns.get(0);
        anns.add(new CocoAnnotation(9001, 777, a.categoryId(), a.bbox(), a.area(), false, null));
        anns.add(new CocoAnnotation(9002, 777, a.categoryId(), a.bbox(), a.area(), false, null));
        anns.add(new CocoAnnotation(9003, a.imageId(), 555, a.bbox(), a.area(), false, null));
        CocoEvalResult stray = CocoEvaluator.evaluate(new CocoDataset(gt.images(), anns, gt.categories()), dt, BBOX);
        assertArrayEquals(r.stats(), stray.stats(), 0.0);
        assertEquals(List.of(
                new CocoEvalResult.Warning(true, "2 annotations of images not in 'images' not evaluated, as in pycocotools (the first: image 777)"),
                new CocoEvalResult.Warning(true, "1 annotations of categories not in 'categories' not evaluated, as in pycocotools (the first: category 555)"),
                r.warnings().get(0)), stray.warnings());
    }
}
