package org.resvision.spark;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an executor JVM loads once and every task reuses (a model, a ground truth): the first
 * task to ask loads it, tasks asking meanwhile wait for it, later ones get it at once. A load
 * that fails is not kept: the next task tries again.
 */
final class OncePerJvm<K, V> {

    /** Loads the value of a key. */
    @FunctionalInterface
    interface Loader<V> {
        V load() throws IOException;
    }

    private final Map<K, V> loaded = new ConcurrentHashMap<>();
    private int loads;

    /** How many values were loaded so far (what the tests count). */
    synchronized int loads() {
        return loads;
    }

    V get(K key, Loader<V> loader) throws IOException {
        V v = loaded.get(key);
        if (v != null) {
            return v;
        }
        synchronized (this) {
            v = loaded.get(key);
            if (v == null) {
                v = loader.load();
                loaded.put(key, v);
                loads++;
            }
            return v;
        }
    }
}
