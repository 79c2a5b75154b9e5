package org.resvision.data.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
