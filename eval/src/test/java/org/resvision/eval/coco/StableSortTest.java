package org.resvision.eval.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            int[] want = Arrays.stream(expected).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(want, StableSort.descending(keys), "n=" + n);
            assertArrayEquals(want, StableSort.mergeDescending(keys, n), "merge, n=" + n);
            assertArrayEquals(want, StableSort.radixDescending(keys, n), "radix, n=" + n);
        }
    }

    @Test
    void radixOrdersSignsExponentsAndInfinitiesAsComparisonsDo() {
        Random rnd = new Random(5);
        int n = 3000;
        double[] keys = new double[n + 7];
        for (int i = 0; i < n; i++) { // both signs, magnitudes from 1e-300 to 1e300, ties, subnormals
            double m = rnd.nextInt(4) == 0 ? rnd.nextInt(5) : Math.pow(10, rnd.nextInt(601) - 300) * rnd.nextDouble();
            keys[i] = rnd.nextBoolean() ? m : -m;
        }
        double[] special = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_VALUE, -0.0, 0.0,
            Double.MAX_VALUE};
        System.arraycopy(special, 0, keys, n, special.length);
        Integer[] expected = new Integer[keys.length];
        for (int i = 0; i < keys.length; i++) {
            expected[i] = i;
        }
        Arrays.sort(expected, (a, b) -> keys[a] > keys[b] ? -1 : keys[a] < keys[b] ? 1 : 0);
        assertArrayEquals(Arrays.stream(expected).mapToInt(Integer::intValue).toArray(), StableSort.descending(keys));
        assertArrayEquals(StableSort.mergeDescending(keys, keys.length), StableSort.radixDescending(keys, keys.length));
    }

    @Test
    void aPrefixIsSortedAlone() {
        double[] keys = new double[1000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = i < 500 ? i % 17 : 100; // the tail, larger than any key of the prefix, is not looked at
        }
        int[] order = StableSort.descending(keys, 500);
        assertEquals(500, order.length);
        for (int e = 1; e < 500; e++) {
            assertTrue(keys[order[e - 1]] > keys[order[e]] || keys[order[e - 1]] == keys[order[e]] && order[e - 1] < order[e], "at " + e);
        }
    }

    @Test
    void aReturnedOrderIsTheCallersOwnAfterOddAndEvenPassCounts() {
        // keys in [0.5, 1) share their top byte, so 7 passes move the indices (odd: they end in the
        // sort's scratch array); equal upper bytes in another set leave an even count
        Random rnd = new Random(3);
        double[] odd = new double[700];
        double[] even = new double[700];
        for (int i = 0; i < 700; i++) {
            odd[i] = 0.5 + rnd.nextDouble() / 2;
            even[i] = 0.75 + (rnd.nextInt(4) + 1) / 1024.0; // differ in two bytes only
        }
        int[] first = StableSort.descending(odd);
        int[] copy = first.clone();
        int[] second = StableSort.descending(even);
        StableSort.descending(odd);
        assertArrayEquals(copy, first, "not overwritten by later sorts");
        assertArrayEquals(StableSort.mergeDescending(even, 700), second);
        assertArrayEquals(StableSort.mergeDescending(odd, 700), first);
    }

    @Test
    void aNaNKeyLeavesTheRadixSortForTheMergeSort() {
        double[] keys = new double[500];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = (i * 37 % 101) / 101.0;
        }
        keys[250] = Double.NaN;
        assertNull(StableSort.radixDescending(keys, keys.length));
        assertArrayEquals(StableSort.mergeDescending(keys, keys.length), StableSort.descending(keys));
    }
}
