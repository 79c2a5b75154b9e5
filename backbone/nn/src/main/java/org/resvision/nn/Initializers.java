package org.resvision.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/** PyTorch's weight initializations, named as in {@code torch.nn.init}. */
public final class Initializers {

    private Initializers() {}

    /**
     * {@code kaiming_normal_(mode="fan_out", nonlinearity="relu")}, as torchvision's ResNet.
     *
     * @return an initializer drawing N(0, std^2) with std = sqrt(2 / fan_out), fan_out = shape[0]
     *     times the product of shape[2:], for weights of at least 2 dimensions
     */
    public static Initializer kaimingNormalFanOut() {
        return (manager, shape, dataType) -> {
            double std = Math.sqrt(2.0 / fanOut(shape));
            return manager.randomNormal(0f, (float) std, shape, dataType);
        };
    }

    /**
     * {@code kaiming_uniform_(a=a)}: U(-b, b) with b = sqrt(6 / ((1 + a^2) fan_in)).
     *
     * @param a the negative slope of the leaky ReLU the layer is assumed to feed (torchvision's FPN
     *     uses 1, giving b = sqrt(3 / fan_in))
     * @return an initializer for weights of at least 2 dimensions, fan_in = shape[1] times the
     *     product of shape[2:]
     */
    public static Initializer kaimingUniform(double a) {
        return (manager, shape, dataType) -> {
            double bound = Math.sqrt(6.0 / ((1 + a * a) * fanIn(shape)));
            return manager.randomUniform((float) -bound, (float) bound, shape, dataType);
        };
    }

    /**
     * U(-1/sqrt(fanIn), 1/sqrt(fanIn)): PyTorch's default for Linear/Conv weights and biases.
     *
     * @param fanIn the layer's fan_in ({@code in_features} for Linear, {@code in/groups * k * k} for a
     *     convolution), used for any shape: a bias takes its weight's fan_in, not its own
     * @return an initializer whose bound does not depend on the shape it is given
     */
    public static Initializer uniformFanIn(long fanIn) {
        return (manager, shape, dataType) -> {
            double bound = 1.0 / Math.sqrt(fanIn);
            return manager.randomUniform((float) -bound, (float) bound, shape, dataType);
        };
    }

    /** fan_in of a weight shaped [out, in, k...]. */
    static long fanIn(Shape shape) {
        long receptive = 1;
        for (int i = 2; i < shape.dimension(); i++) {
            receptive *= shape.get(i);
        }
        return shape.get(1) * receptive;
    }

    /** fan_out of a weight shaped [out, in, k...]. */
    static long fanOut(Shape shape) {
        long receptive = 1;
        for (int i = 2; i < shape.dimension(); i++) {
            receptive *= shape.get(i);
        }
        return shape.get(0) * receptive;
    }
}
