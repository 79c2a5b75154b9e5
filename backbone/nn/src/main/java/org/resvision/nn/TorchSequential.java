package org.resvision.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code torch.nn.Sequential}: children named {@code 0, 1, ...}, applied in order. Each
 * intermediate output is released as soon as the next child has consumed it, and is handed over
 * to that child ({@link #INPUT_HANDED_OVER}: it may write into it); the input is never closed, and
 * with no children the forward pass returns the input array itself.
 */
public class TorchSequential extends TorchModule {

    private final List<Block> layers = new ArrayList<>();

    /**
     * A sequence of the given layers.
     *
     * @param children the layers, registered as {@code 0, 1, ...} in list order; each must take and
     *     return a single array
     */
    public TorchSequential(List<? extends Block> children) {
        for (Block child : children) {
            layers.add(register(String.valueOf(layers.size()), child));
        }
    }

    /**
     * A sequence of the given layers.
     *
     * @param children the layers, registered as {@code 0, 1, ...} in argument order; each must take
     *     and return a single array
     */
    public TorchSequential(Block... children) {
        this(List.of(children));
    }

    /**
     * The number of children.
     *
     * @return how many layers the sequence applies (0 for an empty one)
     */
    public int size() {
        return layers.size();
    }

    /**
     * The child registered as {@code String.valueOf(index)}.
     *
     * @param index 0-based position in the sequence
     * @return the layer at that position
     * @throws IndexOutOfBoundsException if {@code index} is negative or not below {@link #size()}
     */
    public Block get(int index) {
        return layers.get(index);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray input = x;
        boolean handedOver = isInputHandedOver(params);
        for (Block layer : layers) {
            // a child's input is handed over when it is an intermediate of ours, or was handed to us
            PairList<String, Object> childParams = x != input || handedOver ? inputHandedOver() : null;
            NDArray next = layer.forward(ps, new NDList(x), training, childParams).singletonOrThrow();
            if (x != input) {
                x.close();
            }
            x = next;
        }
        return new NDList(x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Block layer : layers) {
            shapes = layer.getOutputShapes(shapes);
        }
        return shapes;
    }
}
