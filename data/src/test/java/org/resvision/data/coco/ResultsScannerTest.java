package org.resvision.data.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The byte scanner against the Jackson reader ({@code readResultsSequentially}): the same records
 * bit for bit and the same errors, on files written in every way JSON allows, read in chunks
 * small enough that every split falls somewhere odd.
 */
class ResultsScannerTest {

    @TempDir
    Path dir;

    private static final String[] NUMBERS = {"0", "-0", "0.0", "-0.0", "12", "-7", "3.25", "0.1", "1e2", "1E-3", "2.5e+1",
        "123456789012345678901234", "0.30000000000000004", "1.7976931348623157e308", "4.9e-324", "0.000001234",
        "9007199254740993", "1234567.123456789012", "0.12345678901234567890123"};

    /** A random number in one of JSON's spellings (non-negative when {@code positive}). */
    private static String number(Random rnd, boolean positive) {
        String s = rnd.nextInt(3) == 0 ? NUMBERS[rnd.nextInt(NUMBERS.length)]
                : rnd.nextBoolean() ? String.valueOf(rnd.nextInt(2000))
                : String.format(java.util.Locale.ROOT, "%." + rnd.nextInt(12) + "f", rnd.nextDouble() * 800);
        return positive && s.startsWith("-") ? s.substring(1) : s;
    }

    private static String ws(Random rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> "";
            case 1 -> " ";
            case 2 -> "\n  ";
            case 3 -> "\t";
            case 4 -> "\r\n";
            default -> "";
        };
    }

    /** Characters of compressed RLE strings (48..111), a backslash among them. */
    private static String rleCounts(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(40);
        for (int i = 0; i < n; i++) {
            char c = (char) (48 + rnd.nextInt(64));
            sb.append(c == '\\' ? "\\\\" : String.valueOf(c));
        }
        if (rnd.nextInt(5) == 0) {
            sb.append("\\/");
        }
        return sb.toString();
    }

    private static String segmentation(Random rnd) {
        String w = ws(rnd);
        return switch (rnd.nextInt(7)) {
            case 0, 1, 2 -> "{" + w + "\"size\"" + w + ":" + w + "[" + rnd.nextInt(900) + "," + w + rnd.nextInt(900) + "]," + w
                    + "\"counts\":" + w + "\"" + rleCounts(rnd) + "\"" + w + "}";
            case 3 -> "{\"counts\": \"" + rleCounts(rnd) + "\", \"size\": [4, 5], \"extra\": [1, {\"a\": null}]}";
            case 4 -> "{\"size\": [2, 3], \"counts\": [1, 2, 3]}";
            case 5 -> "[[" + number(rnd, true) + ", 1, 5, 2, 4, 9]]";
            default -> "null";
        };
    }

    private static String extra(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> "\"note\": \"}, {\\\"x\\\": 1}, {\"";
            case 1 -> "\"area\": " + number(rnd, false);
            case 2 -> "\"tags\": [true, false, null, \"a\\u00e9\", {\"deep\": [[[]]]}]";
            case 3 -> "\"caf\u00e9\": \"na\u00efve \u2603\"";
            case 4 -> "\"id\": " + rnd.nextInt(100000);
            case 5 -> "\"esc\\\"aped\": 1";
            case 6 -> "\"empty\": {}";
            default -> "\"flag\": true";
        };
    }

    private static String detection(Random rnd) {
        List<String> fields = new java.util.ArrayList<>();
        fields.add("\"image_id\":" + ws(rnd) + (rnd.nextInt(30) == 0 ? "7.0" : String.valueOf(rnd.nextInt(500) - 3)));
        fields.add("\"category_id\":" + ws(rnd) + (1 + rnd.nextInt(90)));
        fields.add("\"score\":" + ws(rnd) + number(rnd, false));
        boolean box = rnd.nextInt(10) != 0;
        if (box) {
            fields.add("\"bbox\":" + ws(rnd) + "[" + number(rnd, false) + "," + ws(rnd) + number(rnd, false) + ", "
                    + number(rnd, true) + "," + number(rnd, true) + ws(rnd) + "]");
        }
        if (!box || rnd.nextBoolean()) {
            fields.add("\"segmentation\":" + ws(rnd) + (box ? segmentation(rnd) : "{\"size\": [3, 4], \"counts\": \"" + rleCounts(rnd) + "\"}"));
        }
        for (int e = rnd.nextInt(3); e > 0; e--) {
            fields.add(extra(rnd));
        }
        java.util.Collections.shuffle(fields, rnd);
        return "{" + ws(rnd) + String.join("," + ws(rnd), fields) + ws(rnd) + "}";
    }

    private Path file(String name, String text) throws Exception {
        return Files.write(dir.resolve(name), text.getBytes(StandardCharsets.UTF_8));
    }

    private static String list(Random rnd, int n) {
        StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? "\uFEFF[" : "[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(ws(rnd)).append(detection(rnd));
        }
        return sb.append(ws(rnd)).append("]").append(ws(rnd)).toString();
    }

    private static void assertSame(List<CocoResult> expected, CocoResults got, boolean masks, String what) {
        assertEquals(expected.size(), got.size(), what);
        for (int d = 0; d < expected.size(); d++) {
            CocoResult e = expected.get(d);
            CocoResult g = got.get(d);
            String at = what + ", detection " + d;
            assertEquals(e.imageId(), g.imageId(), at);
            assertEquals(e.categoryId(), g.categoryId(), at);
            assertEquals(Double.doubleToRawLongBits(e.score()), Double.doubleToRawLongBits(g.score()), at + " score " + e.score() + " vs " + g.score());
            if (e.bbox() == null) {
                assertNull(g.bbox(), at);
            } else {
                for (int j = 0; j < 4; j++) {
                    assertEquals(Double.doubleToRawLongBits(e.bbox()[j]), Double.doubleToRawLongBits(g.bbox()[j]), at + " bbox " + j);
                }
            }
            if (!masks && e.bbox() != null) {
                assertNull(g.segmentation(), at);
            } else if (e.segmentation() instanceof Segmentation.UncompressedRle u) {
                Segmentation.UncompressedRle v = (Segmentation.UncompressedRle) g.segmentation();
                assertArrayEquals(u.counts(), v.counts(), at);
                assertEquals(u.h(), v.h(), at);
            } else if (e.segmentation() instanceof Segmentation.Polygons p) {
                assertArrayEquals(p.parts(), ((Segmentation.Polygons) g.segmentation()).parts(), at);
            } else {
                assertEquals(e.segmentation(), g.segmentation(), at); // records: CompressedRle by value, or both null
            }
        }
    }

    /**
     * The eight-bytes-a-step search for a string's end finds the first quote, backslash, control
     * byte or non-ASCII byte, as a byte-by-byte loop does: at every start and end of random bytes
     * weighted towards the plain bytes next to the tested values (0x20-0x23, 0x5B-0x5D, 0x7E-0x7F),
     * and with such a byte in each of the eight lanes of a run of 0x21.
     */
    @Test
    void aStringsEndIsFoundAtEveryPositionOfAnEightByteStep() {
        Random rnd = new Random(5);
        byte[] special = {'"', '\\', 0x00, 0x01, 0x1F, (byte) 0x80, (byte) 0xC3, (byte) 0xFF};
        byte[] plainNear = {0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x7E, 'a', '0'};
        int checked = 0;
        for (int trial = 0; trial < 4000; trial++) {
            byte[] b = new byte[1 + rnd.nextInt(40)];
            for (int j = 0; j < b.length; j++) {
                int kind = rnd.nextInt(10);
                b[j] = kind == 0 ? special[rnd.nextInt(special.length)]
                        : kind < 5 ? plainNear[rnd.nextInt(plainNear.length)]
                        : kind < 9 ? (byte) (0x20 + rnd.nextInt(0x60)) : (byte) rnd.nextInt(256);
            }
            for (int i = 0; i <= b.length; i++) {
                for (int n = i; n <= b.length; n++) {
                    int want = i;
                    while (want < n && !ends(b[want])) {
                        want++;
                    }
                    assertEquals(want, ResultsScanner.plainEnd(b, i, n), () -> java.util.Arrays.toString(b));
                    checked++;
                }
            }
        }
        // one special byte in each lane of a long plain run, the run's bytes chosen to borrow
        for (byte sp : special) {
            for (int at = 0; at < 24; at++) {
                byte[] b = new byte[24];
                java.util.Arrays.fill(b, (byte) 0x21);
                b[at] = sp;
                assertEquals(at, ResultsScanner.plainEnd(b, 0, 24));
                assertEquals(24, ResultsScanner.plainEnd(b, at + 1, 24));
            }
        }
        assertTrue(checked > 1_000_000, "positions checked: " + checked);
    }

    private static boolean ends(byte c) {
        int u = c & 0xff;
        return u == '"' || u == '\\' || u < 0x20 || u >= 0x80;
    }

    @Test
    void everySpellingReadsAsJacksonReadsIt() throws Exception {
        for (int seed = 0; seed < 12; seed++) {
            Random rnd = new Random(seed);
            Path f = file("r" + seed + ".json", list(rnd, 50 + rnd.nextInt(400)));
            List<CocoResult> expected = CocoReader.readResultsSequentially(f);
            for (long chunk : new long[] {61, 997, 1 << 20}) {
                for (int threads : new int[] {1, 3}) {
                    for (boolean masks : new boolean[] {true, false}) {
                        assertSame(expected, CocoReader.readResults(f, masks, threads, chunk), masks,
                                "seed " + seed + " chunk " + chunk + " threads " + threads + " masks " + masks);
                    }
                }
            }
        }
    }

    @Test
    void theCommonShapesTakeTheFastPathAndOnlyTheOthersGoToJackson() throws Exception {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 300; i++) {
            sb.append(i == 0 ? "" : ",\n").append("{\"image_id\": ").append(i).append(", \"category_id\": 3, \"bbox\": [1.5, 2, 3e0, 4], \"score\": 0.")
                    .append(i).append(", \"segmentation\": {\"size\": [10, 20], \"counts\": \"a\\\\b\\/c\"}, \"area\": 12.5, \"x\": [null, true, {}]}");
        }
        sb.append(",\n{\"image_id\": 1, \"category_id\": 3, \"score\": 0.5, \"segmentation\": [[1, 1, 4, 1, 4, 4]]}");
        sb.append(",\n{\"image_id\": 2.0, \"category_id\": 3, \"score\": 0.5, \"bbox\": [1, 2, 3, 4]}]");
        Path f = file("fast.json", sb.toString());
        for (boolean masks : new boolean[] {true, false}) {
            long before = ResultsScanner.SLOW_DETECTIONS.sum();
            CocoResults r = CocoReader.readResults(f, masks, 2, 500);
            assertEquals(302, r.size());
            assertEquals(2, ResultsScanner.SLOW_DETECTIONS.sum() - before, "the polygon and the float id only");
            assertEquals(masks ? "a\\b/c" : null, masks ? ((Segmentation.CompressedRle) r.segmentation(7)).counts() : r.segmentation(7));
            assertEquals(3.0, r.bbox(7, 2));
            assertEquals(2L, r.imageId(301));
            assertTrue(r.segmentation(300) instanceof Segmentation.Polygons, "a mask-only detection keeps its mask");
        }
    }

    @Test
    void emptyListsAndTheDefaultEntryPoint() throws Exception {
        assertEquals(0, CocoReader.readResults(file("e.json", " [ ] \n")).size());
        assertEquals(0, CocoReader.readResults(file("e2.json", "[]")).size());
        Path f = file("one.json", "[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]");
        CocoResults r = CocoReader.readResults(f);
        assertEquals(1, r.imageId(0));
        assertEquals(2, r.categoryId(0));
        assertArrayEquals(new double[] {1, 2, 3, 4}, r.bbox(0));
        assertEquals(0.5, r.score(0));
    }

    /** The broken detection at the given place of a list of good ones; the messages must be Jackson's. */
    private void assertSameError(String name, String broken, int position, int total) throws Exception {
        Random rnd = new Random(name.hashCode());
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < total; i++) {
            sb.append(i == 0 ? "" : ",\n").append(i == position ? broken
                    : "{\"image_id\": " + i + ", \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0." + rnd.nextInt(1000) + "}");
        }
        Path f = file(name, sb.append("]").toString());
        String expected = assertThrows(CocoFormatException.class, () -> CocoReader.readResultsSequentially(f)).getMessage();
        for (long chunk : new long[] {50, 333, 1 << 20}) {
            for (int threads : new int[] {1, 2}) {
                String got = assertThrows(CocoFormatException.class, () -> CocoReader.readResults(f, true, threads, chunk)).getMessage();
                assertEquals(expected, got, name + " chunk " + chunk + " threads " + threads);
            }
        }
    }

    @Test
    void errorsInDetectionsAreJacksonsWithTheirLineAndNumber() throws Exception {
        String[] broken = {
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, -3, 4], \"score\": 0.5}",
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3], \"score\": 0.5}",
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4]}",
            "{\"image_id\": 1.5, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}",
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": NaN}",
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 1e999}",
            "{\"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}",
            "{\"image_id\": 1, \"category_id\": 1, \"score\": 0.5}",
            "{\"image_id\": 1, \"category_id\": 1, \"score\": 0.5, \"segmentation\": {\"size\": [2, -2], \"counts\": \"0\"}}",
            "{\"image_id\": 1, \"category_id\": 1, \"score\": 0.5, \"segmentation\": {\"size\": [2, 2], \"counts\": [1, -1]}}",
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5, \"x\": [1 2]}",
            "{\"image_id\": 01, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}",
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": \"high\"}",
            "[1, 2]",
            "17",
            // numbers in skipped fields: checked as JSON, never converted
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5, \"x\": 01}",
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5, \"x\": [1.]}",
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5, \"x\": {\"y\": -}}",
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5, \"x\": 2e}",
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5, \"x\": -.5}",
            "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5, \"x\": 1e+}",
        };
        for (int b = 0; b < broken.length; b++) {
            assertSameError("err" + b + ".json", broken[b], 40, 60);
            assertSameError("first" + b + ".json", broken[b], 0, 3);
        }
    }

    /**
     * The detection number of an error counts every chunk before it, whatever the scanning threads
     * do meanwhile (a chunk's columns once went back to the spares before they were counted, and a
     * thread that took them at once made the number wrong, about once in a few hundred reads).
     */
    @Test
    void theNumberOfABrokenDetectionIsTheSameInEveryParallelRead() throws Exception {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < 3000; i++) {
            sb.append(i == 0 ? "" : ",\n").append(i == 2500 ? "[1, 2]"
                    : "{\"image_id\": " + i + ", \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}");
        }
        Path f = file("race.json", sb.append("]").toString());
        for (int run = 0; run < 300; run++) {
            String got = assertThrows(CocoFormatException.class, () -> CocoReader.readResults(f, true, 4, 50)).getMessage();
            assertTrue(got.contains("detection #2501:"), "run " + run + ": " + got);
        }
    }

    @Test
    void aFileCutOffInTheListNamesTheByteWhereItEnds() throws Exception {
        String good = "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}";
        String whole = "[" + (good + ",\n").repeat(200) + good + "]";
        for (int cut : new int[] {whole.length() - 1, whole.length() - 3, whole.length() / 2, whole.length() / 2 + 40}) {
            Path f = file("cut" + cut + ".json", whole.substring(0, cut));
            for (long chunk : new long[] {64, 1 << 20}) {
                CocoFormatException e = assertThrows(CocoFormatException.class, () -> CocoReader.readResults(f, true, 2, chunk));
                assertTrue(e.getMessage().startsWith(f + ":"), e.getMessage());
                assertTrue(e.getMessage().contains("the file ends at byte " + cut + ",") || e.getMessage().contains("the file ends at byte " + cut + " "),
                        e.getMessage());
                assertTrue(e.getMessage().contains("truncated file?"), e.getMessage());
            }
        }
    }

    @Test
    void aMissingCommaAndContentAfterTheListAreNamedWhereTheyAre() throws Exception {
        String good = "{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}";
        Path f = file("comma.json", "[" + good + ",\n" + good + "\n" + good + "]");
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> CocoReader.readResults(f, true, 1, 1 << 20));
        assertEquals(f + ":3:1: malformed JSON: expected ',' or ']' after detection #2, got '{'", e.getMessage());
        Path g = file("after.json", "[" + good + "]\n []");
        e = assertThrows(CocoFormatException.class, () -> CocoReader.readResults(g, true, 1, 1 << 20));
        assertEquals(g + ":2:2: unexpected content after the end of the JSON value", e.getMessage());
    }
}
