package org.resvision.eval.voc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.resvision.eval.voc.VocEvaluator.Detection;
import org.resvision.eval.voc.VocEvaluator.GroundTruth;
import org.resvision.eval.voc.VocEvaluator.Metric;

class VocEvaluatorTest {

    static final List<GroundTruth> GT = List.of(
            new GroundTruth("A", 0, new double[] {1, 1, 10, 10}, false),
            new GroundTruth("A", 0, new double[] {20, 20, 30, 30}, true),
            new GroundTruth("B", 0, new double[] {1, 1, 10, 10}, false),
            new GroundTruth("B", 1, new double[] {5, 5, 8, 8}, true));

    // TP, duplicate (FP), difficult (ignored), background (FP), TP: precision 1, .5, .5, 1/3, .5 at recall .5 .5 .5 .5 1
    static final List<Detection> DT = List.of(
            new Detection("A", 0, 0.9, new double[] {1, 1, 10, 10}),
            new Detection("A", 0, 0.8, new double[] {1, 1, 10, 10}),
            new Detection("A", 0, 0.7, new double[] {20, 20, 30, 30}),
            new Detection("B", 0, 0.6, new double[] {50, 50, 60, 60}),
            new Detection("B", 0, 0.5, new double[] {1, 1, 10, 10}));

    @Test
    void allPointApIsTheAreaUnderTheEnvelope() {
        VocEvaluator.Result r = VocEvaluator.evaluate(List.of("cat", "dog"), GT, DT, 0.5, Metric.VOC12_ALL_POINT, true);
        assertEquals(0.5 * 1 + 0.5 * 0.5, r.ap()[0], 1e-12);
        assertTrue(Double.isNaN(r.ap()[1]), "only difficult objects: no AP");
        assertEquals(0.75, r.map(), 1e-12, "mean over classes with an AP");
        assertEquals(2, r.positives()[0]);
    }

    @Test
    void elevenPointApSamplesTheEnvelope() {
        VocEvaluator.Result r = VocEvaluator.evaluate(List.of("cat", "dog"), GT, DT, 0.5, Metric.VOC07_11_POINT, true);
        assertEquals((6 * 1.0 + 5 * 0.5) / 11, r.ap()[0], 1e-12);
    }

    @Test
    void plusOnePixelConventionDecidesBorderlineMatches() {
        // [1,1,10,10] vs [1,1,10,19]: with +1, IoU = 100/190 > .5; without, 81/162 = .5 (not > .5)
        List<GroundTruth> g = List.of(new GroundTruth("A", 0, new double[] {1, 1, 10, 19}, false));
        List<Detection> d = List.of(new Detection("A", 0, 1.0, new double[] {1, 1, 10, 10}));
        assertEquals(1.0, VocEvaluator.evaluate(List.of("x"), g, d, 0.5, Metric.VOC12_ALL_POINT, true).ap()[0], 0.0);
        assertEquals(0.0, VocEvaluator.evaluate(List.of("x"), g, d, 0.5, Metric.VOC12_ALL_POINT, false).ap()[0], 0.0);
    }
}
