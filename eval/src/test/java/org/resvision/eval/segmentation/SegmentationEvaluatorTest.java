package org.resvision.eval.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.resvision.eval.EvaluationException;
import org.resvision.eval.segmentation.SegmentationEvaluator.LabelMaps;

class SegmentationEvaluatorTest {

    @Test
    void imagesAddUpIntoOneMatrixAndResultsAreCopies() throws Exception {
        SegmentationEvaluator ev = new SegmentationEvaluator(3);
        ev.process(new LabelMaps("x", new int[] {2, 2}, new int[] {2, 2})); // forgotten by the reset
        ev.reset();
        ev.process(new LabelMaps("a", new int[] {0, 1, 1, 255}, new int[] {0, 1, 2, 7})); // 255 ignored, whatever predicted
        ev.process(new LabelMaps("b", new int[] {2, 2}, new int[] {2, 1}));
        ConfusionMatrix m = ev.evaluate();
        assertEquals(1, m.count(0, 0));
        assertEquals(1, m.count(1, 1));
        assertEquals(1, m.count(1, 2));
        assertEquals(1, m.count(2, 2));
        assertEquals(1, m.count(2, 1));
        assertEquals(3.0 / 5, m.pixelAccuracy(), 1e-15);
        // IoU: class 0 1/1, class 1 1/(2+2-1), class 2 1/(2+2-1)
        assertEquals((1 + 1 / 3.0 + 1 / 3.0) / 3, m.meanIou(), 1e-15);

        ev.process(new LabelMaps("c", new int[] {0}, new int[] {0}));
        assertEquals(1, m.count(0, 0), "an earlier result does not change");
        assertEquals(2, ev.evaluate().count(0, 0));
        assertEquals(3, ev.evaluate().numClasses());
    }

    @Test
    void aBadImageIsRefusedWholeAndNamed() throws Exception {
        SegmentationEvaluator ev = new SegmentationEvaluator(2);
        EvaluationException e = assertThrows(EvaluationException.class, () -> ev.process(new LabelMaps("img7.png", new int[] {0, 1}, new int[] {0})));
        assertEquals("image img7.png: target has 2 pixels, prediction 1", e.getMessage());
        e = assertThrows(EvaluationException.class, () -> ev.process(new LabelMaps("img8.png", new int[] {0, 1, 1}, new int[] {0, 1, 5})));
        assertTrue(e.getMessage().startsWith("image img8.png: predicted class 5 outside 0..1"), e.getMessage());
        assertEquals(0, ev.evaluate().count(0, 0), "the pixels before the bad one were not counted");
        assertTrue(Double.isNaN(ev.evaluate().pixelAccuracy()));
        assertThrows(IllegalArgumentException.class, () -> new SegmentationEvaluator(0));
    }
}
