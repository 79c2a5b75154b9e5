package org.resvision.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

/** {@link SegmentationLoss#crossEntropy}: the mean over counted pixels, ignored pixels out of the value and the gradient. */
class SegmentationLossTest {

    // one image, 3 classes, 1 x 3 pixels: class maps 2, 255 (ignored), 0
    private static final float[] LOGITS = {1f, 0f, -1f, 2f, 5f, 0.5f, 0.5f, -3f, 1.5f};
    private static final long[] TARGET = {2, 255, 0};

    private static double[] softmax(int pixel) {
        double[] e = new double[3];
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            e[c] = Math.exp(LOGITS[c * 3 + pixel]);
            sum += e[c];
        }
        for (int c = 0; c < 3; c++) {
            e[c] /= sum;
        }
        return e;
    }

    @Test
    void meanOverCountedPixelsWithItsGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(LOGITS, new Shape(1, 3, 1, 3));
            logits.setRequiresGradient(true);
            NDArray target = m.create(TARGET, new Shape(1, 1, 3));
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray named = logits.reshape(logits.getShape()); // the model's outputs are named
                named.setName("out");
                loss = SegmentationLoss.crossEntropy(named, target);
                gc.backward(loss);
            }
            double[] p0 = softmax(0);
            double[] p2 = softmax(2);
            double expected = -(Math.log(p0[2]) + Math.log(p2[0])) / 2;
            assertEquals(expected, loss.getFloat(), 1e-6);
            float[] g = new float[9];
            for (int c = 0; c < 3; c++) {
                g[c * 3] = (float) ((p0[c] - (c == 2 ? 1 : 0)) / 2);
                g[c * 3 + 2] = (float) ((p2[c] - (c == 0 ? 1 : 0)) / 2);
            }
            assertArrayEquals(g, logits.getGradient().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void allIgnoredIsZeroNotNaN() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = m.create(LOGITS, new Shape(1, 3, 1, 3));
            logits.setRequiresGradient(true);
            NDArray target = m.create(new long[] {255, 255, 255}, new Shape(1, 1, 3));
            NDArray loss;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                loss = SegmentationLoss.crossEntropy(logits, target);
                gc.backward(loss);
            }
            assertEquals(0f, loss.getFloat());
            assertArrayEquals(new float[9], logits.getGradient().toFloatArray());
        }
    }
}
