package org.resvision.eval.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StableSortTest {

    @Test
    void matchesAStableSortByDescendingScoreWithManyTies() {
        Random rnd = new Random(11);
        for (int n : new int[] {0, 1, 5, 31, 32, 33, 63, 64, 65, 96, 97, 100, 129, 1000, 4097, 5000}) {
            boolean ties = n % 2 == 0 || n < 64;
            boolean sorted = n == 4097; // runs already in order, merged by copying
            double[] keys = new double[n];
            for (int i = 0; i < n; i++) {
                keys[i] = sorted ? -(i / 40) : ties ? rnd.nextInt(7) / 7.0 : rnd.nextDouble(); // few distinct values: ties everywhere
            }
            if (n > 2) {
                keys[0] = -0.0;
                keys[1] = 0.0; // numpy treats them as equal
            }
            Integer[] expected = new Integer[n];
            for (int i = 0; i < n; i++) {
                expected[i] = i;
            }
            Arrays.sort(expected, Comparator.comparingDouble((Integer i) -> keys[i] == 0 ? 0.0 : -keys[i]));
            assertArrayEquals(Arrays.stream(expected).mapToInt(Integer::intValue).toArray(), StableSort.descending(keys), "n=" + n);
        }
    }
}
