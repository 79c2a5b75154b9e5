package org.resvision.data.coco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The id index behind the dataset's lookups and the evaluator's cells: the same answers as a HashMap. */
class LongIntMapTest {

    @Test
    void answersAsAHashMapDoesThroughGrowthAndReplacement() {
        Random rnd = new Random(7);
        LongIntMap m = new LongIntMap(0); // grows from its smallest table
        Map<Long, Integer> ref = new HashMap<>();
        long[] special = {0, -1, 1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 32, -(1L << 32)};
        for (int n = 0; n < 20_000; n++) {
            long key = n < special.length ? special[n]
                    : rnd.nextInt(3) == 0 ? rnd.nextLong() // anywhere
                    : rnd.nextInt(3) == 0 ? (long) rnd.nextInt(5000) << 20 // multiples of a power of two: one bucket by low bits
                    : rnd.nextInt(30_000); // COCO-like consecutive ids, with repeats
            int value = rnd.nextInt(1_000_000);
            m.put(key, value);
            ref.put(key, value);
        }
        assertEquals(ref.size(), m.size());
        for (Map.Entry<Long, Integer> e : ref.entrySet()) {
            assertEquals((int) e.getValue(), m.get(e.getKey()), "key " + e.getKey());
        }
        for (int n = 0; n < 20_000; n++) {
            long key = rnd.nextLong();
            assertEquals(ref.getOrDefault(key, -1), m.get(key));
        }
    }

    @Test
    void refusesNegativeValuesAndSurvivesSerialization() throws Exception {
        LongIntMap m = new LongIntMap(3);
        assertThrows(IllegalArgumentException.class, () -> m.put(1, -1));
        m.put(42, 0);
        m.put(-42, 7);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(m);
        }
        LongIntMap back;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            back = (LongIntMap) in.readObject();
        }
        assertEquals(0, back.get(42));
        assertEquals(7, back.get(-42));
        assertEquals(-1, back.get(41));
        assertEquals(2, back.size());
    }

    @Test
    void datasetLookupsKeepTheirMeaningWithRepeatedIds() {
        // the lookups see the last record of a repeated id; labels follow positions (and skip a number)
        CocoDataset d = new CocoDataset(
                List.of(new CocoImage(5, "a", 1, 1), new CocoImage(9, "b", 1, 1), new CocoImage(5, "c", 1, 1)),
                List.of(),
                List.of(new CocoCategory(3, "x", null), new CocoCategory(1, "y", null), new CocoCategory(3, "z", null)));
        assertEquals("c", d.image(5).fileName());
        assertEquals("b", d.image(9).fileName());
        assertNull(d.image(6));
        assertEquals("z", d.category(3).name());
        assertEquals(3, d.label(3));
        assertEquals(2, d.label(1));
        assertEquals(-1, d.label(2));
        assertNull(d.category(2));
    }
}
