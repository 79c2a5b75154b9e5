package org.resvision.detection;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * Equality, hash and text by value for the config records that hold arrays (a record's own compare
 * arrays by identity and print them as {@code [F@1b6d3586}), through the records' components.
 */
final class ValueRecords {

    private ValueRecords() {}

    private static Object[] values(Record r) {
        RecordComponent[] components = r.getClass().getRecordComponents();
        Object[] v = new Object[components.length];
        try {
            for (int i = 0; i < v.length; i++) {
                v[i] = components[i].getAccessor().invoke(r);
            }
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read the components of " + r.getClass().getSimpleName(), e);
        }
        return v;
    }

    /** Whether {@code o} is a record of {@code r}'s class with equal components, arrays compared by content. */
    static boolean equal(Record r, Object o) {
        return o != null && o.getClass() == r.getClass() && Arrays.deepEquals(values(r), values((Record) o));
    }

    /** A hash of the components, arrays by content. */
    static int hash(Record r) {
        return Arrays.deepHashCode(values(r));
    }

    /** {@code Type[name=value, ...]}, arrays by content. */
    static String text(Record r) {
        RecordComponent[] components = r.getClass().getRecordComponents();
        Object[] v = values(r);
        StringBuilder sb = new StringBuilder(r.getClass().getSimpleName()).append('[');
        for (int i = 0; i < v.length; i++) {
            String s = Arrays.deepToString(new Object[] {v[i]});
            sb.append(i == 0 ? "" : ", ").append(components[i].getName()).append('=').append(s, 1, s.length() - 1);
        }
        return sb.append(']').toString();
    }
}
