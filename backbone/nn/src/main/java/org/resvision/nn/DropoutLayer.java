package org.resvision.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code torch.nn.Dropout(p)}: while training, zeroes each element with probability {@code p}
 * and scales the rest by {@code 1 / (1 - p)}; the identity in inference. (Written with NDArray
 * ops: DJL's PyTorch dropout has been hard-wired to inference in some releases.)
 */
public final class DropoutLayer extends TorchModule {

    private final float p;

    /**
     * A dropout layer.
     *
     * @param p the probability of zeroing an element while training, in [0, 1); 0 makes the layer
     *     an identity
     * @throws IllegalArgumentException if {@code p} is negative or at least 1
     */
    public DropoutLayer(float p) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        }
        this.p = p;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (!training || p == 0) {
            // a view, not duplicate(): DJL's duplicate() is a clone outside the autograd graph,
            // which cut every gradient below a p = 0 dropout
            return new NDList(x.reshape(x.getShape()));
        }
        try (NDArray u = x.getManager().randomUniform(0f, 1f, x.getShape(), DataType.FLOAT32, x.getDevice());
                NDArray keep = u.gte(p);
                NDArray scale = keep.toType(x.getDataType(), false).div(1 - p)) {
            return new NDList(x.mul(scale));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
