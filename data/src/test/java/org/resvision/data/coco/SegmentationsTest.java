package org.resvision.data.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.MaskRuns;
import org.resvision.data.mask.Rle;
import org.junit.jupiter.api.Test;

/** The results' mask column: packed compressed RLEs read back as the records and masks they were. */
class SegmentationsTest {

    /** A random mask's compressed string, as JSON writes it: every backslash escaped. */
    private static String json(String counts) {
        return counts.replace("\\", "\\\\");
    }

    private static Rle randomMask(Random rnd, int h, int w) {
        byte[] m = new byte[h * w];
        int x0 = rnd.nextInt(w);
        int x1 = x0 + rnd.nextInt(w - x0);
        for (int x = x0; x <= x1; x++) {
            int y0 = rnd.nextInt(h);
            for (int y = y0; y < h && y < y0 + 1 + rnd.nextInt(h); y++) {
                m[x * h + y] = 1;
            }
        }
        return MaskApi.encode(m, h, w);
    }

    @Test
    void packedStringsComeBackAsTheRecordAndTheMask() {
        Random rnd = new Random(3);
        Segmentations.Builder b = new Segmentations.Builder(2);
        String[] strings = new String[3000];
        int escaped = 0;
        for (int d = 0; d < strings.length; d++) {
            Rle r = randomMask(rnd, 20 + rnd.nextInt(60), 20 + rnd.nextInt(60));
            strings[d] = MaskApi.toString(r);
            String inJson = "{\"counts\": \"" + json(strings[d]) + "\"}";
            byte[] bytes = inJson.getBytes(StandardCharsets.ISO_8859_1);
            int from = inJson.indexOf(':') + 3;
            int to = inJson.lastIndexOf('"');
            boolean hasEscape = strings[d].indexOf('\\') >= 0;
            escaped += hasEscape ? 1 : 0;
            b.putCompressed(d, r.h(), r.w(), bytes, from, to, hasEscape);
        }
        assertTrue(escaped > 100, "the strings tested include escapes: " + escaped);
        Segmentations s = b.build(strings.length + 1);
        assertEquals(strings.length + 1, s.size());
        for (int d = 0; d < strings.length; d++) {
            Segmentation.CompressedRle record = (Segmentation.CompressedRle) s.get(d);
            assertEquals(strings[d], record.counts(), "detection " + d);
            assertTrue(s.packed(d) && s.has(d));
            assertEquals(record.h(), s.height(d));
            assertEquals(record.w(), s.width(d));
            Rle decoded = s.decode(d);
            assertArrayEquals(MaskApi.fromString(strings[d], record.h(), record.w()).counts(), decoded.counts());
            assertNull(s.decodeProblem(d));
            MaskRuns runs = s.decodeRuns(d); // decoded straight into foreground intervals
            MaskRuns fromMask = MaskRuns.of(decoded);
            assertEquals(decoded.area(), runs.area());
            assertEquals(decoded.area(), runs.intersection(fromMask));
            assertEquals(decoded.area(), fromMask.intersection(runs));
            assertEquals(decoded.area() == 0 ? 0 : 1, runs.iou(fromMask, false), 0.0);
        }
        assertFalse(s.has(strings.length), "a slot past the last one filled is empty");
        assertNull(s.get(strings.length));
        assertThrows(IllegalStateException.class, () -> s.decode(strings.length));
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(strings.length + 1));
    }

    @Test
    void aMalformedPackedStringIsRefusedWithFromStringsMessage() {
        // runs summing short, ending inside a number, a byte outside '0'..'o', a number of 8 characters, runs summing long
        String[] bad = {"0", "0o", "1\u00e9", "oooooooo0", "37"};
        Segmentations.Builder b = new Segmentations.Builder();
        for (int d = 0; d < bad.length; d++) {
            byte[] bytes = ("xx" + bad[d] + "yy").getBytes(StandardCharsets.ISO_8859_1);
            b.putCompressed(d, 2, 3, bytes, 2, 2 + bad[d].length(), false);
        }
        Segmentations s = b.build(bad.length);
        for (int d = 0; d < bad.length; d++) {
            String expected = MaskApi.fromStringProblem(bad[d], 2, 3);
            assertTrue(expected != null, bad[d]);
            assertEquals(expected, s.decodeProblem(d), bad[d]);
            int dd = d;
            assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> s.decode(dd)).getMessage());
            assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> s.decodeRuns(dd)).getMessage());
        }
    }

    @Test
    void objectsAndPackedStringsMixAndConcatenate() {
        Segmentation poly = new Segmentation.Polygons(new double[][] {{0, 0, 4, 0, 4, 4}});
        byte[] bytes = "\"06\"".getBytes(StandardCharsets.ISO_8859_1);
        Segmentations.Builder b = new Segmentations.Builder();
        b.put(1, poly);
        b.putCompressed(3, 2, 3, bytes, 1, 3, false);
        b.put(4, new Segmentation.CompressedRle(2, 3, "06"));
        b.put(4, null);
        Segmentations a = b.build(5);
        assertEquals(Arrays.asList(null, poly, null, new Segmentation.CompressedRle(2, 3, "06"), null),
                Arrays.asList(a.get(0), a.get(1), a.get(2), a.get(3), a.get(4)));
        assertFalse(a.packed(1));
        assertTrue(a.has(1));
        assertFalse(a.has(4));
        assertThrows(IllegalStateException.class, () -> a.height(1));

        Segmentations.Builder b2 = new Segmentations.Builder();
        b2.putCompressed(0, 1, 2, "[\"02\"]".getBytes(StandardCharsets.ISO_8859_1), 2, 4, false);
        Segmentations c = Segmentations.concat(Arrays.asList(a, null, b2.build(1)), new int[] {5, 2, 1});
        assertEquals(8, c.size());
        assertEquals(poly, c.get(1));
        assertEquals(new Segmentation.CompressedRle(2, 3, "06"), c.get(3));
        assertNull(c.get(5));
        assertNull(c.get(6));
        assertEquals(new Segmentation.CompressedRle(1, 2, "02"), c.get(7));
        assertArrayEquals(new int[] {0, 2}, c.decode(7).counts());
        assertNull(Segmentations.concat(Arrays.asList(null, null), new int[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> Segmentations.concat(List.of(a), new int[] {4}));
        assertThrows(IllegalArgumentException.class, () -> b.build(3));
    }

    @Test
    void resultsKeepAddedStringsPacked() {
        CocoResults.Builder b = new CocoResults.Builder(1);
        byte[] bytes = "{\"counts\":\"0\\\\6\"}".getBytes(StandardCharsets.ISO_8859_1); // "0\\6" in JSON: the string 0\6
        b.add(1, 2, 0.5, Double.NaN, 0, 0, 0, null);
        b.addCompressed(1, 2, 0.5, 1, 2, 3, 4, 7, 9, bytes, 11, 15, true);
        CocoResults r = b.build();
        assertNull(r.segmentation(0));
        assertEquals(new Segmentation.CompressedRle(7, 9, "0\\6"), r.segmentation(1));
        assertTrue(r.segmentations().packed(1));
        assertEquals(4.0, r.bbox(1, 3));
        CocoResults twice = CocoResults.concat(List.of(r, r));
        assertEquals(new Segmentation.CompressedRle(7, 9, "0\\6"), twice.segmentation(3));
        assertNull(CocoResults.of(List.of(new CocoResult(1, 1, new double[4], 1, null))).segmentations());
    }
}
