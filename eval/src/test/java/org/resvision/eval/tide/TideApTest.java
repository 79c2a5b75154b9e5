package org.resvision.eval.tide;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** tidecv's AP of one class, on hand-computed curves. */
class TideApTest {

    private static double ap(int npos, boolean... seq) {
        return TideAp.ap(seq, seq.length, npos, new double[seq.length], new double[seq.length]);
    }

    @Test
    void perfectAndEmpty() {
        assertEquals(100, ap(2, true, true), 0);
        assertEquals(0, ap(0, true, false), 0, "no GT: 0, whatever the detections");
        assertEquals(0, ap(3), 0, "GT, no detections");
        assertEquals(50, ap(1, false, true), 0, "precision 1/2 everywhere after smoothing");
    }

    /**
     * Recall samples are x / 100: 0.35 is reached by 7 of 20 GT, where pycocotools' linspace
     * value 0.35000000000000003 needs the 8th. 7 TPs, a FP, a TP: samples 0..0.35 read
     * precision 1 (36 of them), 0.36..0.40 read 8/9 (5), the rest 0.
     */
    @Test
    void recallSamplesAreXOver100() {
        double eightNinths = 8.0 / 9;
        double sum = 36;
        for (int i = 0; i < 5; i++) {
            sum += eightNinths;
        }
        assertEquals(sum / 101 * 100, ap(20, true, true, true, true, true, true, true, false, true), 0);
    }

    @Test
    void precisionIsSmoothedFromTheRight() {
        // T F T (npos 2): precision 1, 1/2, 2/3 -> 1, 2/3, 2/3; recall 1/2 at 0, 1 at 2
        double sum = 51 * 1.0;
        for (int i = 0; i < 50; i++) {
            sum += 2.0 / 3;
        }
        assertEquals(sum / 101 * 100, ap(2, true, false, true), 1e-12);
    }
}
