package org.resvision.eval.voc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.resvision.eval.DatasetEvaluator;
import org.resvision.eval.EvaluationException;
import org.resvision.eval.voc.VocEvaluator.Detection;
import org.resvision.eval.voc.VocEvaluator.ImageDetections;
import org.resvision.eval.voc.VocEvaluator.Metric;
import org.resvision.eval.voc.VocEvaluator.Result;

/** The VOC evaluator fed image by image gives the devkit's whole-list numbers. */
class VocEvaluatorIncrementalTest {

    private static final List<String> CLASSES = List.of("cat", "dog");

    private static List<Detection> of(String image) {
        return VocEvaluatorTest.DT.stream().filter(d -> d.imageId().equals(image)).toList();
    }

    @Test
    void everyImageProcessedEqualsTheWholeListEvaluation() throws Exception {
        DatasetEvaluator<ImageDetections, Result> ev = new VocEvaluator(CLASSES, VocEvaluatorTest.GT, 0.5, Metric.VOC12_ALL_POINT, true);
        ev.process(new ImageDetections("A", of("A"))); // forgotten by the reset
        ev.reset();
        ev.process(new ImageDetections("A", of("A")));
        ev.process(new ImageDetections("B", of("B")));
        Result whole = VocEvaluator.evaluate(CLASSES, VocEvaluatorTest.GT, VocEvaluatorTest.DT, 0.5, Metric.VOC12_ALL_POINT, true);
        Result r = ev.evaluate();
        assertEquals(0.75, r.ap()[0], 1e-12); // the hand-computed AP of VocEvaluatorTest
        assertArrayEquals(whole.ap(), r.ap(), 0.0);
        assertArrayEquals(whole.positives(), r.positives());
    }

    @Test
    void onlyTheProcessedImagesGroundTruthCounts() throws Exception {
        VocEvaluator ev = new VocEvaluator(CLASSES, VocEvaluatorTest.GT, 0.5, Metric.VOC12_ALL_POINT, true);
        ev.process(new ImageDetections("A", of("A")));
        Result r = ev.evaluate();
        // image A alone: one non-difficult cat, found by the first detection (precision 1 at recall 1)
        assertEquals(1, r.positives()[0]);
        assertEquals(1.0, r.ap()[0], 1e-12);
        // image B processed with nothing detected: its cat is missed, AP halves
        ev.process(new ImageDetections("B", List.of()));
        assertEquals(2, ev.evaluate().positives()[0]);
        assertEquals(0.5, ev.evaluate().ap()[0], 1e-12);
    }

    @Test
    void inputOfAnotherImageOrClassIsRefusedWhole() throws Exception {
        VocEvaluator ev = new VocEvaluator(CLASSES, VocEvaluatorTest.GT, 0.5, Metric.VOC12_ALL_POINT, true);
        EvaluationException e = assertThrows(EvaluationException.class, () -> ev.process(new ImageDetections("B", of("A"))));
        assertTrue(e.getMessage().contains("a detection of image A was passed for image B"), e.getMessage());
        e = assertThrows(EvaluationException.class, () -> ev.process(new ImageDetections("A",
                List.of(new Detection("A", 0, 0.9, new double[] {1, 1, 10, 10}), new Detection("A", 2, 0.5, new double[] {1, 1, 2, 2})))));
        assertTrue(e.getMessage().contains("image A: detection of class index 2 outside 0..1"), e.getMessage());
        assertEquals(0, ev.evaluate().positives()[0], "nothing was added: no image processed");
    }
}
