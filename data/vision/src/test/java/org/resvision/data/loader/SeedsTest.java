package org.resvision.data.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The per-image streams of the loaders: neighbouring keys give independent choices. */
class SeedsTest {

    @Test
    void neighbouringImagesDrawIndependently() {
        for (long seed = 0; seed < 3; seed++) {
            for (int epoch = 0; epoch < 6; epoch++) {
                int flips = 0;
                for (int idx = 0; idx < 480; idx++) {
                    flips += Seeds.random(seed, epoch, idx).nextDouble() < 0.5 ? 1 : 0;
                }
                // a fair coin: 240 +- 4.5 standard deviations (11)
                assertTrue(flips > 190 && flips < 290, "seed " + seed + " epoch " + epoch + ": " + flips + " of 480 flipped");
            }
        }
        // what the loader drew before: the same choice for a whole epoch
        int old = 0;
        for (int idx = 0; idx < 480; idx++) {
            old += new Random(idx).nextDouble() < 0.5 ? 1 : 0;
        }
        assertEquals(0, old, "new Random(k) for neighbouring k: every first draw about 0.73");
        assertEquals(Seeds.random(1, 2, 3).nextLong(), Seeds.random(1, 2, 3).nextLong(), "the same key, the same stream");
        assertTrue(Seeds.random(1, 2, 3).nextLong() != Seeds.random(1, 3, 2).nextLong(), "the order of the parts counts");
    }
}
