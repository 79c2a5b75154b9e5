package org.resvision.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The one inference path of an FCN's images: the config's base_size, ImageNet normalisation, the class map back at the image's size. */
class SegmentationTransformTest {

    @Test
    void theShortSideBecomesTheConfigsBaseSizeAndTheClassMapTheImagesSize() {
        SegmentationConfig.Builder b = SegmentationConfig.builder("fcn_small");
        b.num_classes = 3;
        b.base_size = 32;
        SegmentationTransform t = SegmentationTransform.of(b.build());
        assertEquals(32, t.shortSide());
        assertArrayEquals(new int[] {32, 48}, SegmentationTransform.resized(64, 96, 32));
        assertArrayEquals(new int[] {53, 32}, SegmentationTransform.resized(100, 60, 32), "torchvision truncates the long side");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray grey = m.full(new Shape(3, 64, 96), 0.5f);
            NDArray in = t.prepare(grey);
            assertEquals(new Shape(3, 32, 48), in.getShape());
            assertEquals((0.5f - 0.485f) / 0.229f, in.getFloat(0, 10, 10), 1e-5f);
            assertEquals((0.5f - 0.406f) / 0.225f, in.getFloat(2, 31, 47), 1e-5f);
            // logits whose argmax is 2 on the left half, 1 on the right, at the model's 32 x 48
            NDArray logits = m.zeros(new Shape(1, 3, 32, 48));
            logits.set(new ai.djl.ndarray.index.NDIndex("0, 2, :, :24"), 1f);
            logits.set(new ai.djl.ndarray.index.NDIndex("0, 1, :, 24:"), 1f);
            NDArray map = t.classMap(logits, 64, 96);
            assertEquals(new Shape(64, 96), map.getShape());
            assertEquals(DataType.INT32, map.getDataType());
            assertEquals(2, map.getInt(0, 0));
            assertEquals(2, map.getInt(63, 47));
            assertEquals(1, map.getInt(63, 48));
            assertEquals(1, map.getInt(0, 95));
            // 0: the image at its own size
            assertEquals(new Shape(3, 64, 96), new SegmentationTransform(0).prepare(grey).getShape());
        }
        assertThrows(IllegalArgumentException.class, () -> new SegmentationTransform(-1));
    }
}
