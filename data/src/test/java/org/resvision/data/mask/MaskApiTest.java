package org.resvision.data.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MaskApiTest {

    /** A column-major mask from a row-major picture ('#' = 1). */
    static byte[] mask(String... rows) {
        int h = rows.length;
        int w = rows[0].length();
        byte[] m = new byte[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                m[x * h + y] = (byte) (rows[y].charAt(x) == '#' ? 1 : 0);
            }
        }
        return m;
    }

    @Test
    void encodeDecodeAreaAndBoxOfAHandDrawnMask() {
        byte[] m = mask(
                "....",
                ".##.",
                ".##.",
                "..#.");
        Rle r = MaskApi.encode(m, 4, 4);
        // column-major 0000 0110 0111 0000: 5 zeros, 2 ones, 2 zeros, 3 ones, 4 zeros
        assertArrayEquals(new int[] {5, 2, 2, 3, 4}, r.counts());
        assertEquals(5, r.area());
        assertEquals(16, r.total());
        assertArrayEquals(m, MaskApi.decode(r));
        assertArrayEquals(new double[] {1, 1, 2, 3}, MaskApi.toBbox(r));
        assertArrayEquals(new double[] {0, 0, 0, 0}, MaskApi.toBbox(MaskApi.encode(new byte[16], 4, 4)));
    }

    @Test
    void integerBoxesRasteriseToExactlyTheirPixels() {
        Rle r = MaskApi.frBbox(new double[] {1, 1, 2, 3}, 5, 5);
        assertEquals(6, r.area());
        assertArrayEquals(new double[] {1, 1, 2, 3}, MaskApi.toBbox(r));
        // a box hanging out of the image is clipped by rasterisation
        assertEquals(2 * 2, MaskApi.frBbox(new double[] {3, 3, 10, 10}, 5, 5).area());
    }

    @Test
    void mergeAndIouAgreeWithPixelCounting() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 50; trial++) {
            int h = 1 + rnd.nextInt(9);
            int w = 1 + rnd.nextInt(9);
            byte[] a = new byte[h * w];
            byte[] b = new byte[h * w];
            for (int i = 0; i < a.length; i++) {
                a[i] = (byte) (rnd.nextInt(3) == 0 ? 1 : 0);
                b[i] = (byte) (rnd.nextInt(2) == 0 ? 1 : 0);
            }
            int inter = 0;
            int union = 0;
            int areaA = 0;
            for (int i = 0; i < a.length; i++) {
                inter += a[i] & b[i];
                union += a[i] | b[i];
                areaA += a[i];
            }
            Rle ra = MaskApi.encode(a, h, w);
            Rle rb = MaskApi.encode(b, h, w);
            assertEquals(union, MaskApi.merge(List.of(ra, rb), false).area());
            assertEquals(inter, MaskApi.merge(List.of(ra, rb), true).area());
            double[][] iou = MaskApi.rleIou(new Rle[] {ra}, new Rle[] {rb, rb}, new boolean[] {false, true});
            double expected = inter == 0 ? 0 : (double) inter / union;
            double crowd = inter == 0 ? 0 : (double) inter / areaA;
            assertEquals(expected, iou[0][0], 0.0);
            assertEquals(crowd, iou[0][1], 0.0);
        }
    }

    /**
     * The IoU walks both masks only to the last foreground run of either, with the union from the
     * areas: it must count exactly what maskApi.c's full merge counts, for empty, full, sparse and
     * dense masks and for run lists with zero-length runs (a mask starting with foreground, pairs of
     * empty runs, a trailing empty foreground run).
     */
    @Test
    void theShortenedIouWalkCountsWhatTheFullMergeCounts() {
        Random rnd = new Random(11);
        int pruned = 0;
        for (int trial = 0; trial < 500; trial++) {
            int h = 1 + rnd.nextInt(12);
            int w = 1 + rnd.nextInt(12);
            byte[] a = randomMask(rnd, h * w);
            byte[] b = randomMask(rnd, h * w);
            long inter = 0;
            long union = 0;
            long areaA = 0;
            for (int i = 0; i < a.length; i++) {
                inter += a[i] & b[i];
                union += a[i] | b[i];
                areaA += a[i];
            }
            Rle ra = new Rle(h, w, withEmptyRuns(rnd, MaskApi.encode(a, h, w).counts()));
            Rle rb = new Rle(h, w, withEmptyRuns(rnd, MaskApi.encode(b, h, w).counts()));
            int n = h * w;
            assertEquals(inter, MaskApi.intersection(ra.counts(), rb.counts(), 0, n), "trial " + trial);
            assertEquals(inter, MaskApi.intersection(rb.counts(), ra.counts(), 0, n), "trial " + trial);
            int from = rnd.nextInt(n + 1);
            int to = from + rnd.nextInt(n - from + 1);
            long within = 0;
            for (int i = from; i < to; i++) {
                within += a[i] & b[i];
            }
            assertEquals(within, MaskApi.intersection(ra.counts(), rb.counts(), from, to), "trial " + trial + " [" + from + ", " + to + ")");
            assertEquals(areaA, MaskRuns.of(ra).area());
            assertEquals(inter, MaskRuns.of(ra).intersection(MaskRuns.of(rb)));
            assertEquals(inter == 0 ? 0 : (double) inter / union, MaskRuns.of(ra).iou(MaskRuns.of(rb), false), 0.0);
            assertEquals(inter == 0 ? 0 : (double) inter / areaA, MaskRuns.of(ra).iou(MaskRuns.of(rb), true), 0.0);
            for (boolean crowd : new boolean[] {false, true}) { // an IoU at or above the floor is exact; below it, exact or 0
                double exact = MaskRuns.of(ra).iou(MaskRuns.of(rb), crowd);
                for (double floor : new double[] {0.25, 0.5, 0.75}) {
                    double got = MaskRuns.of(ra).iou(MaskRuns.of(rb), crowd, floor);
                    assertTrue(got == exact || got == 0 && exact < floor, "trial " + trial + " floor " + floor);
                    pruned += got != exact ? 1 : 0;
                }
            }
            // the matrix form restricts the walk to the columns both boxes span
            double[][] both = MaskApi.rleIou(new Rle[] {ra}, new Rle[] {rb, rb}, new boolean[] {false, true});
            boolean overlap = MaskApi.bboxIou(new double[][] {MaskApi.toBbox(ra)}, new double[][] {MaskApi.toBbox(rb)}, new boolean[1])[0][0] > 0;
            assertEquals(!overlap || inter == 0 ? 0 : (double) inter / union, both[0][0], 0.0, "trial " + trial);
            assertEquals(!overlap || inter == 0 ? 0 : (double) inter / areaA, both[0][1], 0.0, "trial " + trial);
        }
        assertTrue(pruned > 20, "pairs left out by their areas: " + pruned);
    }

    /** The check that makes no mask says exactly what decoding says, for good and broken strings. */
    @Test
    void fromStringProblemSaysWhatFromStringThrows() {
        Random rnd = new Random(3);
        List<String> strings = new java.util.ArrayList<>(List.of("", "0", "~~", "0P", "01O0", "9999999", "1111111o",
                "oooooooo1", "0n1", "P1", "Xo1"));
        for (int i = 0; i < 200; i++) {
            byte[] m = randomMask(rnd, 12);
            strings.add(MaskApi.toString(MaskApi.encode(m, 3, 4)));
        }
        for (String str : strings) {
            for (int[] size : new int[][] {{3, 4}, {2, 6}, {4, 4}, {-1, 4}, {0, 0}, {1, 1}}) {
                String thrown = null;
                try {
                    MaskApi.fromString(str, size[0], size[1]);
                } catch (IllegalArgumentException e) {
                    thrown = e.getMessage();
                }
                assertEquals(thrown, MaskApi.fromStringProblem(str, size[0], size[1]), "'" + str + "' " + size[0] + "x" + size[1]);
            }
        }
    }

    /**
     * frPoly's integer arithmetic and column-wise sort give maskApi.c's masks: against the
     * rasterisation as maskApi.c writes it (divisions by the scale, floor/ceil in doubles, one
     * sort of all positions) on random polygons, in and partly outside images of many sizes.
     */
    @Test
    void frPolyEqualsMaskApiAsWritten() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 3000; trial++) {
            int h = 1 + rnd.nextInt(trial % 4 == 0 ? 8 : 700);
            int w = 1 + rnd.nextInt(trial % 4 == 1 ? 8 : 700);
            int points = 3 + rnd.nextInt(trial % 5 == 0 ? 200 : 20);
            double[] xy = new double[2 * points];
            double cx = rnd.nextDouble() * w;
            double cy = rnd.nextDouble() * h;
            double r = 0.2 + rnd.nextDouble() * Math.max(h, w) * (trial % 3 == 0 ? 1.5 : 0.4);
            for (int p = 0; p < points; p++) {
                double a = trial % 2 == 0 ? 2 * Math.PI * p / points : rnd.nextDouble() * 2 * Math.PI; // convex-ish or a star
                double rr = r * (trial % 2 == 0 ? 1 : rnd.nextDouble());
                double x = cx + rr * Math.cos(a);
                double y = cy + rr * Math.sin(a);
                xy[2 * p] = trial % 7 == 0 ? Math.round(x) : trial % 7 == 1 ? Math.round(x * 5) / 5.0 + 0.1 : x; // on and near the 1/5 grid
                xy[2 * p + 1] = trial % 7 == 0 ? Math.round(y) : y;
                if (p > 0 && rnd.nextInt(15) == 0) { // a repeated point: an edge of length 0
                    xy[2 * p] = xy[2 * p - 2];
                    xy[2 * p + 1] = xy[2 * p - 1];
                }
            }
            Rle expected = frPolyAsWritten(xy, h, w);
            Rle got = MaskApi.frPoly(xy, h, w);
            assertArrayEquals(expected.counts(), got.counts(), "trial " + trial + " " + h + "x" + w + " " + points + " points");
        }
    }

    /** maskApi.c's rleFrPoly as written there (the implementation frPoly had before). */
        private static Rle frPolyAsWritten(double[] xy, int h, int w) {
        int k = xy.length / 2;
        double scale = 5;
        int[] x = new int[k + 1];
        int[] y = new int[k + 1];
        for (int j = 0; j < k; j++) {
            x[j] = (int) (scale * xy[j * 2] + .5);
        }
        x[k] = x[0];
        for (int j = 0; j < k; j++) {
            y[j] = (int) (scale * xy[j * 2 + 1] + .5);
        }
        y[k] = y[0];
        long total = 0;
        for (int j = 0; j < k; j++) {
            total += Math.max(Math.abs((long) x[j] - x[j + 1]), Math.abs((long) y[j] - y[j + 1])) + 1;
        }
        int[] u = new int[(int) total];
        int[] v = new int[(int) total];
        int m = 0;
        for (int j = 0; j < k; j++) {
            int xs = x[j];
            int xe = x[j + 1];
            int ys = y[j];
            int ye = y[j + 1];
            int dx = Math.abs(xe - xs);
            int dy = Math.abs(ys - ye);
            boolean flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
            if (flip) {
                int t = xs;
                xs = xe;
                xe = t;
                t = ys;
                ys = ye;
                ye = t;
            }
            double s = dx >= dy ? (double) (ye - ys) / dx : (double) (xe - xs) / dy;
            if (dx >= dy) {
                for (int d = 0; d <= dx; d++) {
                    int t = flip ? dx - d : d;
                    u[m] = t + xs;
                    v[m] = (int) (ys + s * t + .5);
                    m++;
                }
            } else {
                for (int d = 0; d <= dy; d++) {
                    int t = flip ? dy - d : d;
                    v[m] = t + ys;
                    u[m] = (int) (xs + s * t + .5);
                    m++;
                }
            }
        }
        k = m;
        m = 0;
        int[] bx = new int[k];
        int[] by = new int[k];
        for (int j = 1; j < k; j++) {
            if (u[j] != u[j - 1]) {
                double xd = u[j] < u[j - 1] ? u[j] : u[j] - 1;
                xd = (xd + .5) / scale - .5;
                if (xd != (double) (long) xd || xd < 0 || xd > w - 1) { // floor(xd) != xd, without a call
                    continue;
                }
                double yd = v[j] < v[j - 1] ? v[j] : v[j - 1];
                yd = (yd + .5) / scale - .5;
                if (yd < 0) {
                    yd = 0;
                } else if (yd > h) {
                    yd = h;
                }
                long yi = (long) yd; // ceil of a value in [0, h]
                yd = yi < yd ? yi + 1 : yi;
                bx[m] = (int) xd;
                by[m] = (int) yd;
                m++;
            }
        }
        k = m;
        long[] a = new long[k + 1];
        for (int j = 0; j < k; j++) {
            a[j] = (bx[j] * (long) h + by[j]) & 0xffffffffL; // C's uint arithmetic
        }
        a[k++] = ((long) h * w) & 0xffffffffL;
        java.util.Arrays.sort(a, 0, k);
        long p = 0;
        for (int j = 0; j < k; j++) {
            long t = a[j];
            a[j] -= p;
            p = t;
        }
        int[] b = new int[k];
        int j = 0;
        m = 0;
        b[m++] = (int) a[j++];
        while (j < k) {
            if (a[j] > 0) {
                b[m++] = (int) a[j++];
            } else {
                j++;
                if (j < k) {
                    b[m - 1] += (int) a[j++];
                }
            }
        }
        return new Rle(h, w, java.util.Arrays.copyOf(b, m));
    }

    /** toBbox finds columns by a corrected multiplication: the same boxes as maskApi.c's divisions, for any height. */
    @Test
    void toBboxEqualsTheDivisionFormulaAtAnySize() {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 300; trial++) {
            int h = trial % 3 == 0 ? 1 + rnd.nextInt(5) : 1 + rnd.nextInt(trial % 3 == 1 ? 1000 : 100_000);
            int w = 1 + rnd.nextInt(trial % 3 == 2 ? 20_000 : 50);
            long total = (long) h * w;
            List<Integer> runs = new java.util.ArrayList<>();
            long left = total;
            while (left > 0) {
                int run = (int) Math.min(left, rnd.nextInt(4) == 0 ? 0 : 1 + (long) rnd.nextInt((int) Math.min(Integer.MAX_VALUE, Math.max(1, total / 8))));
                runs.add(run);
                left -= run;
            }
            Rle r = new Rle(h, w, runs.stream().mapToInt(Integer::intValue).toArray());
            assertArrayEquals(bboxByDivision(r), MaskApi.toBbox(r), 0.0, "trial " + trial + " " + h + "x" + w);
        }
    }

    /** maskApi.c's rleToBbox as written there (a division and a remainder per run end). */
    private static double[] bboxByDivision(Rle r) {
        int[] c = r.counts();
        long h = r.h();
        if (c.length < 2 || h == 0) {
            return new double[4];
        }
        long[] box = {r.w(), h, 0, 0}; // smallest x and y, largest x and y
        long end = 0;
        long startColumn = 0;
        for (int j = 0; j < c.length / 2 * 2; j++) {
            end += c[j];
            long t = end - j % 2;
            long y = t % h;
            long x = (t - y) / h;
            boolean crossesColumns = j % 2 == 1 && startColumn < x;
            startColumn = j % 2 == 0 ? x : startColumn;
            box[0] = Math.min(box[0], x);
            box[2] = Math.max(box[2], x);
            box[1] = crossesColumns ? 0 : Math.min(box[1], y);
            box[3] = crossesColumns ? h - 1 : Math.max(box[3], y);
        }
        return new double[] {box[0], box[1], box[2] - box[0] + 1, box[3] - box[1] + 1};
    }

    /** Empty, full, sparse, dense or blocky (a few column-major stretches). */
    private static byte[] randomMask(Random rnd, int n) {
        byte[] m = new byte[n];
        switch (rnd.nextInt(5)) {
            case 0 -> { } // empty
            case 1 -> java.util.Arrays.fill(m, (byte) 1);
            case 2, 3 -> {
                int p = 1 + rnd.nextInt(9);
                for (int i = 0; i < n; i++) {
                    m[i] = (byte) (rnd.nextInt(10) < p ? 1 : 0);
                }
            }
            default -> {
                for (int k = rnd.nextInt(4); k >= 0; k--) {
                    int from = rnd.nextInt(n);
                    java.util.Arrays.fill(m, from, Math.min(n, from + 1 + rnd.nextInt(n)), (byte) 1);
                }
            }
        }
        return m;
    }

    /** The same mask's runs with pairs of empty runs inserted and, sometimes, an empty last run. */
    private static int[] withEmptyRuns(Random rnd, int[] counts) {
        List<Integer> out = new java.util.ArrayList<>();
        for (int c : counts) {
            out.add(c);
            if (rnd.nextInt(4) == 0) {
                out.add(0);
                out.add(0);
            }
        }
        if (rnd.nextInt(3) == 0) {
            out.add(0);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void bboxIouFollowsCocoRules() {
        double[][] o = MaskApi.bboxIou(
                new double[][] {{0, 0, 10, 10}, {5, 5, 0, 10}},
                new double[][] {{5, 0, 10, 10}, {0, 0, 20, 20}, {5, 5, 0, 10}},
                new boolean[] {false, true, false});
        assertEquals(50.0 / 150.0, o[0][0], 0.0);
        assertEquals(1.0, o[0][1], 0.0, "crowd: intersection over the detection's area");
        assertEquals(0.0, o[1][2], 0.0, "a zero-width box has IoU 0 even with itself");
    }

    @Test
    void compressedStringsRoundTripOnEveryFixtureMask() throws Exception {
        String shared = System.getProperty("resvision.shared.dir", "../../shared");
        Path root = Path.of(shared, "fixtures/coco-eval");
        int checked = 0;
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                for (JsonNode det : new ObjectMapper().readTree(d.resolve("dt.json").toFile())) {
                    JsonNode seg = det.get("segmentation");
                    if (seg != null && seg.isObject() && seg.get("counts").isTextual()) {
                        String s = seg.get("counts").asText();
                        Rle r = MaskApi.fromString(s, seg.get("size").get(0).asInt(), seg.get("size").get(1).asInt());
                        assertEquals(s, MaskApi.toString(r));
                        assertEquals((long) r.h() * r.w(), r.total(), "runs cover the image");
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 100, "only " + checked + " fixture masks found");
    }

    @Test
    void anRleThatDoesNotCoverItsImageIsRejectedInsteadOfHangingTheIou() {
        Rle full = new Rle(10, 10, new int[] {0, 100});
        // counts summing to 50 of 100 pixels: rleIou used to step by 0 forever once they ran out
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(
                IllegalArgumentException.class,
                () -> MaskApi.rleIou(new Rle[] {new Rle(10, 10, new int[] {0, 50})}, new Rle[] {full}, new boolean[1])));
        assertEquals("RLE runs sum to 50, not h*w = 100", e.getMessage());
        assertEquals("RLE runs sum to 150, not h*w = 100", assertThrows(IllegalArgumentException.class,
                () -> new Rle(10, 10, new int[] {0, 150})).getMessage());
        assertEquals("RLE has a negative run (-5)", assertThrows(IllegalArgumentException.class,
                () -> new Rle(10, 10, new int[] {105, -5})).getMessage());
        assertEquals("RLE size -1x10 is negative", assertThrows(IllegalArgumentException.class,
                () -> new Rle(-1, 10, new int[0])).getMessage());
        assertEquals("RLE size 65536x65536 is too large", assertThrows(IllegalArgumentException.class,
                () -> new Rle(65536, 65536, new int[0])).getMessage());
    }

    @Test
    void compressedGarbageIsAClearError() {
        assertEquals("compressed RLE has a character outside '0'..'o' at offset 1", assertThrows(IllegalArgumentException.class,
                () -> MaskApi.fromString("0~", 1, 1)).getMessage());
        assertEquals("compressed RLE has a number longer than 7 characters at offset 7", assertThrows(IllegalArgumentException.class,
                () -> MaskApi.fromString("oooooooo0", 1, 1)).getMessage());
        // "0", then "@": 16, the sign bit without a continuation, so -16
        assertEquals("compressed RLE decodes to a run of -16 pixels", assertThrows(IllegalArgumentException.class,
                () -> MaskApi.fromString("0@", 4, 4)).getMessage());
        assertEquals("RLE runs sum to 3, not h*w = 16", assertThrows(IllegalArgumentException.class,
                () -> MaskApi.fromString("12", 4, 4)).getMessage());
    }

    @Test
    void hugeImagesAndPolygonsDoNotExhaustMemory() {
        // two boxes in a 40000 x 40000 image: merge used to allocate h*w+1 ints (6.4 GB)
        int n = 40_000;
        Rle a = MaskApi.frBbox(new double[] {0, 0, 10, 10}, n, n);
        Rle b = MaskApi.frBbox(new double[] {20, 20, 10, 10}, n, n);
        Rle u = MaskApi.merge(List.of(a, b), false);
        assertEquals(200, u.area());
        assertEquals((long) n * n, u.total());
        assertEquals(0, MaskApi.merge(List.of(a, b), true).area());
        // a coordinate of 1e12 used to overflow the outline length (a negative array size)
        assertEquals("polygon outline is longer than 8388608 pixels (coordinates too large?)", assertThrows(IllegalArgumentException.class,
                () -> MaskApi.frPoly(new double[] {0, 0, 1e12, 0, 0, 5}, 10, 10)).getMessage());
        // a mask of no pixels has the empty box (h = 0 used to divide by zero)
        assertArrayEquals(new double[4], MaskApi.toBbox(new Rle(0, 5, new int[] {0, 0})));
    }
}
