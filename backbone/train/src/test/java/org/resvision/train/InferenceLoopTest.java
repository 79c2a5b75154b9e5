package org.resvision.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InferenceLoopTest {

    /** A batch of image numbers that records its closing. */
    static final class FakeBatch implements AutoCloseable {
        final List<Integer> images;
        final List<FakeBatch> closed;

        FakeBatch(List<Integer> images, List<FakeBatch> closed) {
            this.images = images;
            this.closed = closed;
        }

        @Override
        public void close() {
            closed.add(this);
        }
    }

    @Test
    void everyOutputReachesTheSinkInOrderAndEveryBatchIsClosed() throws Exception {
        List<FakeBatch> closed = new ArrayList<>();
        List<FakeBatch> batches = List.of(new FakeBatch(List.of(0, 1, 2), closed), new FakeBatch(List.of(), closed),
                new FakeBatch(List.of(3, 4), closed));
        List<String> seen = new ArrayList<>();
        InferenceLoop.Summary s = InferenceLoop.run(batches.iterator(), (FakeBatch b) -> {
            assertEquals(batches.indexOf(b), closed.size(), "the batches before this one are closed, this one is not");
            return b.images.stream().map(i -> "out" + i).toList();
        }, seen::add);
        assertEquals(List.of("out0", "out1", "out2", "out3", "out4"), seen);
        assertEquals(batches, closed);
        assertEquals(3, s.batches());
        assertEquals(5, s.outputs());
    }

    @Test
    void aFailingSinkStopsThePassAndItsBatchIsStillClosed() {
        List<FakeBatch> closed = new ArrayList<>();
        List<FakeBatch> batches = List.of(new FakeBatch(List.of(0, 1), closed), new FakeBatch(List.of(2), closed));
        List<Integer> seen = new ArrayList<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> InferenceLoop.run(batches.iterator(),
                (FakeBatch b) -> b.images, (Integer i) -> {
                    if (i == 1) {
                        throw new IllegalStateException("image 1 refused");
                    }
                    seen.add(i);
                }));
        assertEquals("image 1 refused", e.getMessage());
        assertEquals(List.of(0), seen);
        assertEquals(List.of(batches.get(0)), closed, "the failing batch closed, the next never read");
    }
}
