package org.resvision.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link TorchSequential} hands each child after the first its input, and the first only what it was handed itself. */
class TorchSequentialHandOverTest {

    /** Adds 1, into its input when handed over, and records whether it was. */
    private static final class AddOne extends TorchModule {
        final List<Boolean> handed = new ArrayList<>();

        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            boolean h = isInputHandedOver(params);
            handed.add(h);
            NDArray x = inputs.singletonOrThrow();
            return new NDList(h ? x.duplicate().addi(1f) : x.add(1f)); // a new handle either way, as the contract asks
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }

    @Test
    void onlyIntermediatesAreHandedOverUnlessTheSequenceWasHandedItsInput() {
        try (NDManager m = NDManager.newBaseManager()) {
            AddOne a = new AddOne();
            AddOne b = new AddOne();
            AddOne c = new AddOne();
            TorchSequential seq = new TorchSequential(a, b, c);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.create(new float[] {1f, 2f});
            NDArray y = seq.forward(ps, new NDList(x), false).singletonOrThrow();
            assertArrayEquals(new float[] {4f, 5f}, y.toFloatArray());
            assertArrayEquals(new float[] {1f, 2f}, x.toFloatArray(), "the sequence's input is never written");
            assertEquals(List.of(false), a.handed, "the first child gets the caller's array");
            assertEquals(List.of(true), b.handed);
            assertEquals(List.of(true), c.handed);

            seq.forward(ps, new NDList(x), false, TorchModule.inputHandedOver());
            assertEquals(List.of(false, true), a.handed, "handed to the sequence: handed to its first child");
            assertEquals(false, TorchModule.isInputHandedOver(null));
            assertEquals(false, TorchModule.isInputHandedOver(new PairList<>()));
        }
    }
}
