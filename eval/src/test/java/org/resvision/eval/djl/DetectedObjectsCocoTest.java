package org.resvision.eval.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.modality.cv.output.BoundingBox;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.modality.cv.output.Mask;
import ai.djl.modality.cv.output.Rectangle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.coco.Segmentation;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.Rle;

/** {@link DetectedObjectsCoco}: DJL's normalised rectangles and masks as COCO results in pixels. */
class DetectedObjectsCocoTest {

    static final Map<String, Long> IDS = new LinkedHashMap<>();

    static {
        IDS.put("cat", 17L);
        IDS.put("dog", 18L);
    }

    /** A 2 x 2 map with ones on its diagonal. */
    static final float[][] DIAGONAL = {{1, 0}, {0, 1}};

    /**
     * {@link #DIAGONAL} resized to 4 x 4 (bilinear, half-pixel centres: rows/columns weigh the map's
     * as (1, 0), (.75, .25), (.25, .75), (0, 1)) and thresholded at 0.5: values 1, .75, .25, 0 /
     * .75, .625, .375, .25 / ..., so two 2 x 2 blocks on the diagonal.
     */
    static final int[][] BLOCKS = {{1, 1, 0, 0}, {1, 1, 0, 0}, {0, 0, 1, 1}, {0, 0, 1, 1}};

    @Test
    void rectanglesBecomePixelBoxes() {
        DetectedObjects objects = new DetectedObjects(List.of("dog", "cat"), List.of(0.75, 0.5),
                List.<BoundingBox>of(new Rectangle(0.25, 0.5, 0.5, 0.25), new Rectangle(0.1, 0.3, 0.7, 0.45)));
        List<CocoResult> r = DetectedObjectsCoco.toResults(42, objects, 200, 100, IDS);
        assertEquals(2, r.size());
        assertEquals(42, r.get(0).imageId());
        assertEquals(18, r.get(0).categoryId());
        assertEquals(0.75, r.get(0).score());
        assertArrayEquals(new double[] {50, 50, 100, 25}, r.get(0).bbox(), 0.0);
        assertArrayEquals(new double[] {20, 30, 140, 45}, r.get(1).bbox(), 0.0);
        assertEquals(17, r.get(1).categoryId());
        assertEquals(0.5, r.get(1).score());
        assertNull(r.get(1).segmentation());
        // the CocoImage form takes its id and size
        assertArrayEquals(r.get(1).bbox(), DetectedObjectsCoco.toResults(new CocoImage(42, "a.jpg", 200, 100), objects, IDS).get(1).bbox(), 0.0);
    }

    @Test
    void unknownNamesAndNaNsAreOneLineErrors() {
        DetectedObjects cow = new DetectedObjects(List.of("cat", "cow"), List.of(0.9, 0.8),
                List.<BoundingBox>of(new Rectangle(0, 0, 0.1, 0.1), new Rectangle(0, 0, 0.1, 0.1)));
        assertOneLine("detection 2 of image 7: class 'cow' is not a known category (known: cat, dog)",
                () -> DetectedObjectsCoco.toResults(7, cow, 10, 10, IDS));
        DetectedObjects nanScore = new DetectedObjects(List.of("cat"), List.of(Double.NaN), List.<BoundingBox>of(new Rectangle(0, 0, 0.1, 0.1)));
        assertOneLine("detection 1 of image 7 ('cat'): score is NaN", () -> DetectedObjectsCoco.toResults(7, nanScore, 10, 10, IDS));
        DetectedObjects nanBox = new DetectedObjects(List.of("dog"), List.of(0.5), List.<BoundingBox>of(new Rectangle(0, Double.NaN, 0.1, 0.1)));
        assertOneLine("detection 1 of image 7 ('dog'): box (x, y, width, height) = (0.0, NaN, 0.1, 0.1) is not finite",
                () -> DetectedObjectsCoco.toResults(7, nanBox, 10, 10, IDS));
        assertOneLine("image 7: size 0 x 10", () -> DetectedObjectsCoco.toResults(7, nanBox, 0, 10, IDS));
    }

    @Test
    void categoryIdsComeFromTheDatasetsNames() {
        CocoDataset gt = new CocoDataset(List.of(), List.of(), List.of(new CocoCategory(5, "person", "human"), new CocoCategory(2, "bicycle", "vehicle")));
        Map<String, Long> ids = DetectedObjectsCoco.categoryIds(gt);
        assertEquals(List.of("person", "bicycle"), List.copyOf(ids.keySet()));
        assertEquals(List.of(5L, 2L), List.copyOf(ids.values()));
        CocoDataset twice = new CocoDataset(List.of(), List.of(), List.of(new CocoCategory(5, "person", ""), new CocoCategory(9, "person", "")));
        assertOneLine("categories 5 and 9 are both named 'person'", () -> DetectedObjectsCoco.categoryIds(twice));
    }

    @Test
    void aBoxMaskIsResizedIntoItsBox() {
        // the box: pixels x 2..5, y 1..4 of a 10 x 8 image
        Mask mask = new Mask(0.2, 0.125, 0.4, 0.5, DIAGONAL);
        DetectedObjects objects = new DetectedObjects(List.of("cat"), List.of(0.9), List.<BoundingBox>of(mask));
        CocoResult r = DetectedObjectsCoco.toResults(3, objects, 10, 8, IDS).get(0);
        assertArrayEquals(new double[] {2, 1, 4, 4}, r.bbox(), 0.0);
        Segmentation.CompressedRle seg = assertInstanceOf(Segmentation.CompressedRle.class, r.segmentation());
        assertEquals(8, seg.h());
        assertEquals(10, seg.w());
        Rle expected = place(BLOCKS, 2, 1, 10, 8);
        assertEquals(expected, MaskApi.fromString(seg.counts(), 8, 10));
        assertEquals(8, expected.area());

        // partly outside: the box starts at x = -1, its first column is cut off
        Rle cut = DetectedObjectsCoco.maskRle(new Mask(-0.1, 0.125, 0.4, 0.5, DIAGONAL), 10, 8, 0.5f);
        assertEquals(place(BLOCKS, -1, 1, 10, 8), cut);
        assertEquals(6, cut.area());
    }

    @Test
    void aFullImageMaskCoversTheImage() {
        // a lower-resolution map is resized to the image, whatever the rectangle says
        Rle r = DetectedObjectsCoco.maskRle(new Mask(0, 0, 4, 4, DIAGONAL, true), 4, 4, 0.5f);
        assertEquals(place(BLOCKS, 0, 0, 4, 4), r);
        // a map of the image's size is thresholded as it is: strictly above the threshold
        float[][] map = {{0.5f, 0.51f, 0f}, {1f, 0.2f, 0.9f}};
        Rle same = DetectedObjectsCoco.maskRle(new Mask(0, 0, 1, 1, map, true), 3, 2, 0.5f);
        assertEquals(place(new int[][] {{0, 1, 0}, {1, 0, 1}}, 0, 0, 3, 2), same);
        assertEquals(place(new int[][] {{1, 1, 0}, {1, 1, 1}}, 0, 0, 3, 2), DetectedObjectsCoco.maskRle(new Mask(0, 0, 1, 1, map, true), 3, 2, 0.1f));
        assertOneLine("mask: the mask's probability map is ragged (row 1 has 1 values, row 0 2)",
                () -> DetectedObjectsCoco.maskRle(new Mask(0, 0, 1, 1, new float[][] {{1, 1}, {1}}, true), 3, 2, 0.5f));
    }

    /** {@code pattern} (rows of 0/1) placed with its top-left pixel at (x0, y0) in a w x h image, cut to the image. */
    static Rle place(int[][] pattern, int x0, int y0, int w, int h) {
        byte[] m = new byte[w * h];
        for (int j = 0; j < pattern.length; j++) {
            for (int i = 0; i < pattern[j].length; i++) {
                int x = x0 + i;
                int y = y0 + j;
                if (x >= 0 && x < w && y >= 0 && y < h) {
                    m[x * h + y] = (byte) pattern[j][i];
                }
            }
        }
        return MaskApi.encode(m, h, w);
    }

    private static void assertOneLine(String start, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
