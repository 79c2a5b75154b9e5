package org.resvision.data.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.resvision.data.boxes.Boxes;

class TransformsTest {

    @Test
    void detectionSizeFollowsTorchvisionIncludingFloat32Rounding() {
        assertArrayEquals(new int[] {1066, 799}, Transforms.detectionSize(500, 375, 800, 1333), "not 800");
        assertArrayEquals(new int[] {800, 1066}, Transforms.detectionSize(480, 640, 800, 1333));
        assertArrayEquals(new int[] {1332, 117}, Transforms.detectionSize(1574, 139, 800, 1333), "max_size bound");
    }

    /** A 4x6 image whose pixel (y, x) holds 10 y + x in every channel, one box, one mask, one seg map. */
    private static Sample sample(NDManager m) {
        float[] px = new float[3 * 4 * 6];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 6; x++) {
                    px[(c * 4 + y) * 6 + x] = 10 * y + x;
                }
            }
        }
        NDArray mask = m.zeros(new Shape(1, 4, 6), DataType.UINT8);
        mask.set(new ai.djl.ndarray.index.NDIndex("0, 1:3, 0:2"), 1);
        NDArray seg = m.zeros(new Shape(4, 6), DataType.UINT8);
        seg.set(new ai.djl.ndarray.index.NDIndex("1:3, 0:2"), 2);
        return new Sample(m.create(px, new Shape(3, 4, 6)), Boxes.ofRows(new float[][] {{0, 1, 2, 3}}), new int[] {2}, mask, seg);
    }

    @Test
    void flipMirrorsImageBoxesMasksAndSegTogether() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sample f = Transforms.horizontalFlip(sample(m));
            assertEquals(5f, f.image().getFloat(0, 0, 0), 0f, "pixel x=5 moves to x=0");
            assertArrayEquals(new float[] {4, 1, 6, 3}, f.boxes().box(0), 0f);
            assertEquals(1, f.masks().getByte(0, 1, 5));
            assertEquals(0, f.masks().getByte(0, 1, 0));
            assertEquals(2, f.segMap().getByte(2, 4));
            // the flipped box still covers the flipped mask exactly
            Sample again = Transforms.horizontalFlip(f);
            assertArrayEquals(sample(m).boxes().box(0), again.boxes().box(0), 0f);
        }
    }

    @Test
    void resizeScalesBoxesAndKeepsMasksInside() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sample r = Transforms.resize(sample(m), 8, 12);
            assertEquals(new Shape(3, 8, 12), r.image().getShape());
            assertArrayEquals(new float[] {0, 2, 4, 6}, r.boxes().box(0), 0f);
            assertEquals(new Shape(1, 8, 12), r.masks().getShape());
            assertEquals(4 * 4, r.masks().toType(DataType.INT32, false).sum().getLong(), "nearest: the 2x2 mask becomes 4x4");
            assertEquals(2, r.segMap().getByte(5, 3));
            // bilinear, align_corners=False: the 2x upsampled pixel (0, 1) blends x=0 and x=1 at 0.25/0.75 -> 0.25
            assertEquals(0.25f, r.image().getFloat(0, 0, 1), 1e-6f);
        }
    }

    @Test
    void randomResizeCropPadsSegWithIgnoreAndImageWithZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sample c = Transforms.randomResizeCrop(sample(m), new Random(1), 4, 4, 10);
            assertEquals(new Shape(3, 10, 10), c.image().getShape());
            assertEquals(new Shape(10, 10), c.segMap().getShape());
            // the 4x6 image becomes 4x6 (short side 4), padded to 10x10: the bottom-right corner is padding
            assertEquals(255, c.segMap().getByte(9, 9) & 0xff);
            assertEquals(0f, c.image().getFloat(0, 9, 9), 0f);
        }
    }

    @Test
    void padBatchRoundsUpToTheDivisor() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.ones(new Shape(3, 33, 40));
            NDArray b = m.ones(new Shape(3, 20, 70));
            NDArray batch = Transforms.padBatch(List.of(a, b), 32);
            assertEquals(new Shape(2, 3, 64, 96), batch.getShape());
            assertEquals(33 * 40 * 3 + 20 * 70 * 3, batch.sum().getFloat(), 0f, "padding is zero");
        }
    }

    @Test
    void colorJitterStaysInRangeAndIsSeeded() {
        try (NDManager m = NDManager.newBaseManager()) {
            Sample s = Sample.of(m.randomUniform(0f, 1f, new Shape(3, 8, 8)));
            NDArray a = Transforms.colorJitter(s, new Random(3), 0.4f, 0.4f, 0.4f).image();
            NDArray b = Transforms.colorJitter(s, new Random(3), 0.4f, 0.4f, 0.4f).image();
            assertTrue(a.contentEquals(b));
            assertTrue(a.min().getFloat() >= 0f && a.max().getFloat() <= 1f);
            assertTrue(!a.contentEquals(s.image()));
        }
    }
}
