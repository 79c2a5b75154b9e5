package org.resvision.backbone.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.training.initializer.Initializer;

/** PyTorch's weight initializations, named as in {@code torch.nn.init}. */
public final class Initializers {

    private Initializers() {}

    /** {@code kaiming_normal_(mode="fan_out", nonlinearity="relu")}, as torchvision's ResNet. */
    public static Initializer kaimingNormalFanOut() {
        return (manager, shape, dataType) -> {
            double std = Math.sqrt(2.0 / fanOut(shape));
            return manager.randomNormal(0f, (float) std, shape, dataType);
        };
    }

    /** {@code kaiming_uniform_(a=a)}: U(-b, b) with b = sqrt(6 / ((1 + a^2) fan_in)). */
    public static Initializer kaimingUniform(double a) {
        return (manager, shape, dataType) -> {
            double bound = Math.sqrt(6.0 / ((1 + a * a) * fanIn(shape)));
            return manager.randomUniform((float) -bound, (float) bound, shape, dataType);
        };
    }

    /** U(-1/sqrt(fanIn), 1/sqrt(fanIn)): PyTorch's default for Linear/Conv weights and biases. */
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
