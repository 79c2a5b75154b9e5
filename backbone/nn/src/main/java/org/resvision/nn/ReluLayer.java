package org.resvision.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code torch.nn.ReLU(inplace=...)}: no parameters, holds a place in a Sequential's numbering.
 * In place ({@link InplaceRelu}) only where the layer's input is an intermediate that nothing else
 * reads and no op saved for backward, e.g. right after a BatchNorm.
 */
public final class ReluLayer extends TorchModule {

    private final boolean inplace;

    /** The copying ReLU ({@code nn.ReLU()}). */
    public ReluLayer() {
        this(false);
    }

    /**
     * A ReLU that is in place or not.
     *
     * @param inplace {@code true} for {@code nn.ReLU(inplace=True)}: the input's storage is
     *     overwritten (see {@link InplaceRelu} for when that is allowed); {@code false} for a new
     *     output array
     */
    public ReluLayer(boolean inplace) {
        this.inplace = inplace;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(inplace ? InplaceRelu.apply(inputs.singletonOrThrow()) : Activation.relu(inputs.singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
