package org.resvision.tools.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.resvision.train.TrainingDivergedException;

/** The bench line and the check that keeps a diverged training run out of a timing. */
class BenchTimesTest {

    @Test
    void theLineHasTheMedianAfterWarmUpAndTheLossOfATrainingRun() {
        List<Double> times = List.of(900.0, 30.0, 10.0, 20.0, 40.0);
        String infer = BenchTimes.report("infer", 2, times, 1);
        assertTrue(infer.matches("resvision infer b2 median_ms=25\\.0 min_ms=10\\.0 peak_rss_mb=[0-9]+"), infer);
        String train = BenchTimes.report("train", 2, times, 1, 2.34567f);
        assertTrue(train.matches("resvision train b2 median_ms=25\\.0 min_ms=10\\.0 peak_rss_mb=[0-9]+ loss=2\\.346"), train);
    }

    @Test
    void aLossThatIsNotFiniteStopsTheBenchNamingTheStep() {
        try (NDManager m = NDManager.newBaseManager()) {
            try (NDArray ok = m.create(1.5f)) {
                assertEquals(1.5f, BenchTimes.finiteLoss(ok, 0));
            }
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
                try (NDArray l = m.create(bad)) {
                    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> BenchTimes.finiteLoss(l, 2));
                    assertEquals("training diverged at step 3 (loss " + bad + "): the later steps would not time a training step's work",
                            e.getMessage());
                }
            }
        }
    }
}
