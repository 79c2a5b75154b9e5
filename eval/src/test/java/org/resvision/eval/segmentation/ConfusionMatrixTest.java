package org.resvision.eval.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    @Test
    void metricsOfAHandCountedImage() {
        ConfusionMatrix cm = new ConfusionMatrix(4);
        // the 255 pixel is void and not counted; class 3 never occurs
        cm.update(new int[] {0, 1, 1, 255, 2}, new int[] {0, 1, 2, 0, 2});
        assertEquals(0.75, cm.pixelAccuracy(), 1e-12);
        double[] acc = cm.classAccuracy();
        assertArrayEquals(new double[] {1.0, 0.5, 1.0}, new double[] {acc[0], acc[1], acc[2]}, 1e-12);
        assertTrue(Double.isNaN(acc[3]));
        double[] iou = cm.iou();
        assertArrayEquals(new double[] {1.0, 0.5, 0.5}, new double[] {iou[0], iou[1], iou[2]}, 1e-12);
        assertEquals(2.0 / 3, cm.meanIou(), 1e-12);
        assertEquals(2.5 / 3, cm.meanClassAccuracy(), 1e-12);
        assertEquals(1, cm.count(1, 2));
        cm.update(new byte[] {(byte) 255, 3}, new byte[] {1, 3});
        assertEquals(1.0, cm.iou()[3], 0.0);
        assertThrows(IllegalArgumentException.class, () -> cm.update(new int[] {0}, new int[] {9}));
    }
}
