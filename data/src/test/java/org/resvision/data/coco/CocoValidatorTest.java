package org.resvision.data.coco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CocoValidatorTest {

    static final Path FILE = Path.of("train.json");

    static CocoAnnotation ann(long id, long image, long cat, double[] box, Segmentation seg) {
        return new CocoAnnotation(id, image, cat, box, 1, false, seg);
    }

    @Test
    void eachKindOfBadRecordIsNamedOrSkippedAndCounted() throws Exception {
        double[] ok = {1, 1, 2, 2};
        List<CocoAnnotation> anns = List.of(
                ann(1, 1, 1, ok, new Segmentation.Polygons(new double[][] {{1, 1, 3, 1, 3, 3}})),
                ann(2, 9, 1, ok, null),
                ann(3, 1, 7, ok, null),
                ann(4, 1, 1, new double[] {1, 1, 0, 5}, null),
                ann(5, 1, 1, new double[] {1, 1, -2, 5}, null),
                ann(6, 1, 1, ok, new Segmentation.Polygons(new double[][] {{1, 1, 3, 1}})),
                ann(7, 1, 1, ok, new Segmentation.UncompressedRle(4, 5, new int[] {3, 4, 5})),
                ann(8, 1, 1, ok, new Segmentation.UncompressedRle(5, 5, new int[] {25})),
                ann(9, 1, 1, ok, new Segmentation.UncompressedRle(4, 5, new int[] {10, 10})));
        CocoDataset ds = new CocoDataset(List.of(new CocoImage(1, "a.jpg", 5, 4)), anns, List.of(new CocoCategory(1, "x", null)));
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> CocoValidator.validate(ds, FILE, false));
        assertEquals("train.json: annotation 2 (image 9): unknown image id 9", e.getMessage());
        CocoValidator.Result r = CocoValidator.validate(ds, FILE, true);
        assertEquals(7, r.skipped());
        assertEquals(List.of(1L, 9L), r.dataset().annotations().stream().map(CocoAnnotation::id).toList());
        assertEquals(List.of(
                "annotation 2 (image 9): unknown image id 9",
                "annotation 3 (image 1): unknown category id 7",
                "annotation 4 (image 1): bbox [1.0, 1.0, 0.0, 5.0] has no positive width and height",
                "annotation 5 (image 1): bbox [1.0, 1.0, -2.0, 5.0] has no positive width and height",
                "annotation 6 (image 1): polygon with 4 numbers (needs at least 3 points)",
                "annotation 7 (image 1): RLE runs sum to 12, not h*w = 20",
                "annotation 8 (image 1): RLE size 5x5 differs from the image's 4x5"), r.problems());
    }
}
