package org.resvision.data.coco;

import java.util.Arrays;

/**
 * A map from {@code long} keys (COCO ids) to non-negative {@code int} values (positions), by open
 * addressing on primitive arrays: a lookup boxes nothing (a {@code HashMap<Long, ...>} lookup of
 * an image id boxes it, which at 360 k detections was megabytes of garbage per evaluation).
 * Putting a key again replaces its value. Not thread-safe while written; safe to share once
 * filled.
 */
public final class LongIntMap implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** [slot]: the key held there (meaningless where the slot is empty); a power-of-two length. */
    private long[] keys;
    /** [slot]: the value, or -1 for an empty slot. */
    private int[] values;
    /** The number of keys held. */
    private int size;

    /**
     * An empty map with room for {@code expected} keys before it grows.
     *
     * @param expected the number of keys expected (any non-negative number)
     */
    public LongIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) * 2; // load factor <= 1/2
        keys = new long[cap];
        values = new int[cap];
        Arrays.fill(values, -1);
    }

    /**
     * Maps {@code key} to {@code value}.
     *
     * @param key any long
     * @param value the value, {@code >= 0}
     * @throws IllegalArgumentException when {@code value} is negative
     */
    public void put(long key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("negative value " + value);
        }
        if (2 * (size + 1) > keys.length) {
            rehash(keys.length * 2);
        }
        int s = slot(keys, values, key);
        if (values[s] < 0) {
            size++;
            keys[s] = key;
        }
        values[s] = value;
    }

    /**
     * The value of {@code key}.
     *
     * @param key any long
     * @return its value, or -1 when it has none
     */
    public int get(long key) {
        return values[slot(keys, values, key)];
    }

    /**
     * The number of keys.
     *
     * @return the count
     */
    public int size() {
        return size;
    }

    /** The slot holding {@code key}, or the empty slot where it would go (linear probing). */
    private static int slot(long[] keys, int[] values, long key) {
        int mask = keys.length - 1;
        long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing: consecutive ids spread over the table
        int s = (int) (h ^ (h >>> 32)) & mask;
        while (values[s] >= 0 && keys[s] != key) {
            s = (s + 1) & mask;
        }
        return s;
    }

    private void rehash(int cap) {
        long[] k = new long[cap];
        int[] v = new int[cap];
        Arrays.fill(v, -1);
        for (int s = 0; s < keys.length; s++) {
            if (values[s] >= 0) {
                int t = slot(k, v, keys[s]);
                k[t] = keys[s];
                v[t] = values[s];
            }
        }
        keys = k;
        values = v;
    }
}
