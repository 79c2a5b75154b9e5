package org.resvision.data.boxes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The box type the modules exchange: torchvision's box_ops in float32, immutable. */
class BoxesTest {

    @Test
    void boxesAreWholeQuadruplesCopiedInAndOut() {
        float[] flat = {1, 2, 3, 4, 5, 6, 7, 8};
        Boxes b = Boxes.of(flat);
        flat[0] = 99;
        assertEquals(1f, b.get(0, 0), "copied in");
        b.toArray()[0] = 99;
        b.box(0)[0] = 99;
        assertEquals(1f, b.get(0, 0), "copied out");
        assertEquals(2, b.size());
        assertArrayEquals(new float[] {5, 6, 7, 8}, b.box(1));
        assertEquals(Boxes.ofRows(new float[] {1, 2, 3, 4}, new float[] {5, 6, 7, 8}), b);
        assertEquals(b.hashCode(), Boxes.of(1, 2, 3, 4, 5, 6, 7, 8).hashCode());
        assertNotEquals(b, Boxes.of(1, 2, 3, 4));
        assertTrue(Boxes.of().isEmpty() && Boxes.ofRows().isEmpty() && Boxes.empty().size() == 0);
        assertEquals("5 coordinates are not whole boxes (4 per box)",
                assertThrows(IllegalArgumentException.class, () -> Boxes.of(1, 2, 3, 4, 5)).getMessage());
        assertEquals("box 1 has 3 values, not x1, y1, x2, y2",
                assertThrows(IllegalArgumentException.class, () -> Boxes.ofRows(new float[] {1, 2, 3, 4}, new float[] {1, 2, 3})).getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> b.get(0, 4));
        assertEquals("Boxes[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]", b.toString());
    }

    @Test
    void areaClipIouSelectAndConcatAreTorchvisionsBoxOps() {
        Boxes a = Boxes.of(0, 0, 10, 10, 5, 5, 15, 15, 20, 20, 30, 25);
        assertEquals(100f, a.area(0));
        assertEquals(50f, a.area(2));
        float[][] iou = a.iou(Boxes.of(5, 5, 15, 15, 100, 100, 101, 101));
        assertEquals(25f / 175f, iou[0][0], 1e-7f);
        assertEquals(1f, iou[1][0]);
        assertEquals(0f, iou[0][1], "disjoint boxes: 0");
        assertEquals(3, iou.length);
        assertEquals(2, iou[0].length);
        assertEquals(Boxes.of(0, 0, 10, 10, 0, 0, 10, 10, 20, 20, 30, 25), a.select(new int[] {0, 0, 2}));
        assertEquals(Boxes.of(-5, 2, 30, 40, 1, 1, 2, 2), Boxes.of(-5, 2, 30, 40).concat(Boxes.of(1, 1, 2, 2)));
        assertEquals(Boxes.of(0, 2, 25, 20), Boxes.of(-5, 2, 30, 40).clip(20, 25), "x to [0, width], y to [0, height]");
    }

    @Test
    void resizeFlipAndCropMoveTheBoxesWithTheImage() {
        Boxes b = Boxes.of(10, 20, 30, 40);
        assertEquals(Boxes.of(20, 10, 60, 20), b.scale(2f, 0.5f));
        assertEquals(Boxes.of(70, 20, 90, 40), b.flipHorizontal(100), "[W - x2, y1, W - x1, y2]");
        assertEquals(b, b.flipHorizontal(100).flipHorizontal(100));
        assertEquals(Boxes.of(5, 18, 25, 38), b.translate(-5, -2));
        // a crop's boxes: shifted, then clamped to the window, the same floats as clamping each coordinate
        Random rnd = new Random(3);
        for (int t = 0; t < 1000; t++) {
            float[] v = new float[4];
            for (int k = 0; k < 4; k++) {
                v[k] = (rnd.nextFloat() - 0.25f) * 700f;
            }
            int x = rnd.nextInt(300);
            int y = rnd.nextInt(300);
            int crop = 1 + rnd.nextInt(480);
            float[] expected = {clamp(v[0] - x, crop), clamp(v[1] - y, crop), clamp(v[2] - x, crop), clamp(v[3] - y, crop)};
            assertArrayEquals(expected, Boxes.of(v).translate(-x, -y).clip(crop, crop).toArray(), 0f);
        }
    }

    private static float clamp(float v, float hi) {
        return Math.max(0, Math.min(hi, v));
    }

    @Test
    void invalidNamesTheFirstBoxWithoutPositiveSides() {
        assertNull(Boxes.of(0, 0, 1, 1).invalid());
        assertEquals("box 1 [5.0, 5.0, 5.0, 9.0] has no positive width and height", Boxes.of(0, 0, 1, 1, 5, 5, 5, 9).invalid());
        assertEquals("box 0 [NaN, 0.0, 1.0, 1.0] has no positive width and height", Boxes.of(Float.NaN, 0, 1, 1).invalid());
    }
}
