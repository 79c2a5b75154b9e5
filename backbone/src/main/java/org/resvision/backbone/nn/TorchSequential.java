package org.resvision.backbone.nn;

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
 * intermediate output is released as soon as the next child has consumed it.
 */
public class TorchSequential extends TorchModule {

    private final List<Block> layers = new ArrayList<>();

    public TorchSequential(List<? extends Block> children) {
        for (Block child : children) {
            layers.add(register(String.valueOf(layers.size()), child));
        }
    }

    public TorchSequential(Block... children) {
        this(List.of(children));
    }

    public int size() {
        return layers.size();
    }

    public Block get(int index) {
        return layers.get(index);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray input = x;
        for (Block layer : layers) {
            NDArray next = layer.forward(ps, new NDList(x), training).singletonOrThrow();
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
