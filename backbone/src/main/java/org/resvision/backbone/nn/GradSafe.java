package org.resvision.backbone.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Building blocks for autograd graphs that DJL's PyTorch engine gets subtly wrong.
 *
 * <p>{@code NDManager.create(...)} wraps a Java direct buffer without copying, and {@code
 * NDArray.mul(Number)} / {@code div(Number)} multiply by such a scalar and close it at once. Autograd
 * keeps the operands it needs for the backward pass (the scalar of a {@code mul}, the index of a
 * {@code take}, the weights of a weighted sum); after the close the buffer belongs to the Java
 * garbage collector, and a backward pass that runs after a collection reads whatever is there
 * (seen as NaN losses a few steps into training, depending on heap size). Everything here
 * makes operands whose storage libtorch owns, so they may be closed right after the forward op.
 */
public final class GradSafe {

    private GradSafe() {}

    /** {@code x * value}, differentiable. */
    public static NDArray mul(NDArray x, float value) {
        try (NDArray s = scalar(x, value)) {
            return x.mul(s);
        }
    }

    /** {@code x / value}, differentiable. */
    public static NDArray div(NDArray x, float value) {
        try (NDArray s = scalar(x, value)) {
            return x.div(s);
        }
    }

    private static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType(), like.getDevice());
    }

    /** An int64 array owned by libtorch (safe as a saved index). */
    public static NDArray longs(NDManager m, long[] values) {
        try (NDArray wrapped = m.create(values)) {
            return wrapped.duplicate();
        }
    }

    /** A float32 array owned by libtorch (safe as a saved operand). */
    public static NDArray floats(NDManager m, float[] values, Shape shape) {
        try (NDArray wrapped = m.create(values, shape)) {
            return wrapped.duplicate();
        }
    }

    public static NDArray floats(NDManager m, float[] values) {
        return floats(m, values, new Shape(values.length));
    }

    /**
     * A sparse COO float32 matrix owned by libtorch: {@code coords} holds the row indices of the
     * {@code values.length} entries, then their column indices. {@code sparse.matMul(dense)} is
     * differentiable in the dense operand (the backward multiplies by the transpose).
     */
    public static NDArray sparseCoo(NDManager m, long[] coords, float[] values, Shape shape, Device device) {
        try (NDArray idx = longs(m, coords); NDArray i2 = idx.reshape(2, values.length); NDArray val = floats(m, values);
                NDArray di = i2.toDevice(device, false); NDArray dv = val.toDevice(device, false)) {
            return JniUtils.createSparseCoo((PtNDArray) di, (PtNDArray) dv, shape);
        }
    }
}
