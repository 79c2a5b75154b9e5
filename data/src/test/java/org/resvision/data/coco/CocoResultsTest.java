package org.resvision.data.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The column store behind the results reader: the records it gives back are the ones put in. */
class CocoResultsTest {

    private static final Segmentation MASK = new Segmentation.CompressedRle(4, 5, "04");

    private static List<CocoResult> records() {
        return List.of(
                new CocoResult(7, 1, new double[] {1, 2, 3, 4}, 0.5, null),
                new CocoResult(8, 2, null, 0.25, MASK),
                new CocoResult(-3, 90, new double[] {-0.0, 1e-300, 0, 1e300}, -0.0, MASK));
    }

    private static void assertRecords(List<CocoResult> expected, List<CocoResult> got) {
        assertEquals(expected.size(), got.size());
        for (int d = 0; d < expected.size(); d++) {
            CocoResult e = expected.get(d);
            CocoResult g = got.get(d);
            assertEquals(e.imageId(), g.imageId());
            assertEquals(e.categoryId(), g.categoryId());
            assertEquals(Double.doubleToRawLongBits(e.score()), Double.doubleToRawLongBits(g.score()));
            assertArrayEquals(e.bbox(), g.bbox());
            assertEquals(e.segmentation(), g.segmentation());
        }
    }

    @Test
    void recordsGoInAndComeBackBitForBit() {
        CocoResults r = CocoResults.of(records());
        assertRecords(records(), r);
        assertTrue(r.hasBbox(0));
        assertEquals(false, r.hasBbox(1));
        assertTrue(Double.isNaN(r.bbox(1, 0)));
        assertNull(r.bbox(1));
        assertEquals(1e300, r.bbox(2, 3));
        assertNull(r.segmentation(0));
        assertSame(r, CocoResults.of(r), "already columns: no copy");
        assertThrows(IndexOutOfBoundsException.class, () -> r.score(3));
        assertThrows(UnsupportedOperationException.class, () -> r.add(records().get(0)));
    }

    @Test
    void theColumnsHoldEachDetectionAtItsIndex() {
        CocoResults r = CocoResults.of(records());
        for (int d = 0; d < r.size(); d++) {
            assertEquals(r.imageId(d), r.imageIdColumn()[d]);
            assertEquals(r.categoryId(d), r.categoryIdColumn()[d]);
            assertEquals(Double.doubleToRawLongBits(r.score(d)), Double.doubleToRawLongBits(r.scoreColumn()[d]));
            for (int j = 0; j < 4; j++) {
                assertEquals(Double.doubleToRawLongBits(r.bbox(d, j)), Double.doubleToRawLongBits(r.boxColumn()[4 * d + j]));
            }
        }
        assertSame(r.scoreColumn(), r.scoreColumn(), "the stored column, not a copy");
        assertTrue(r.scoreColumn().length >= r.size() && r.boxColumn().length >= 4 * r.size());
    }

    @Test
    void concatenationKeepsOrderAndMasks() {
        CocoResults noMasks = CocoResults.of(List.of(records().get(0)));
        CocoResults masks = CocoResults.of(records().subList(1, 3));
        CocoResults both = CocoResults.concat(List.of(noMasks, masks, noMasks));
        assertRecords(List.of(records().get(0), records().get(1), records().get(2), records().get(0)), both);
        assertEquals(0, CocoResults.concat(List.of()).size());
    }

    @Test
    void theBuilderGrowsPastItsCapacity() {
        CocoResults.Builder b = new CocoResults.Builder(1);
        for (int i = 0; i < 1000; i++) {
            b.add(i, i % 3, i / 1000.0, i, 0, 1, 1, i == 999 ? MASK : null);
        }
        CocoResults r = b.build();
        assertEquals(1000, r.size());
        assertEquals(0.5, r.score(500));
        assertEquals(998.0, r.bbox(998, 0));
        assertNull(r.segmentation(998));
        assertEquals(MASK, r.segmentation(999));
        assertThrows(IllegalArgumentException.class, () -> new CocoResults.Builder().add(new CocoResult(1, 1, new double[3], 1, null)));
    }
}
