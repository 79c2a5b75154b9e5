package org.resvision.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code torch.nn.Linear}: [N, in] -> [N, out] with {@code weight} [out, in] and {@code bias}
 * [out], both initialised U(-1/sqrt(in), 1/sqrt(in)) as PyTorch does.
 */
public final class LinearLayer extends TorchModule {

    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * A fully connected layer.
     *
     * @param in input features (the last dimension of the [N, in] input)
     * @param out output features
     */
    public LinearLayer(int in, int out) {
        this.in = in;
        this.out = out;
        weight =
                registerParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(out, in))
                                .optInitializer(Initializers.uniformFanIn(in))
                                .build());
        bias =
                registerParameter(
                        Parameter.builder()
                                .setName("bias")
                                .setType(Parameter.Type.BIAS)
                                .optShape(new Shape(out))
                                .optInitializer(Initializers.uniformFanIn(in))
                                .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        return Linear.linear(
                x,
                ps.getValue(weight, x.getDevice(), training),
                ps.getValue(bias, x.getDevice(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), out)};
    }

    /**
     * The input feature count.
     *
     * @return {@code in} as given to the constructor
     */
    public int inFeatures() {
        return in;
    }

    /**
     * The output feature count.
     *
     * @return {@code out} as given to the constructor
     */
    public int outFeatures() {
        return out;
    }
}
