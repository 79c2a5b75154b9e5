package org.resvision.nn;

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

    /**
     * {@code x * value}, differentiable.
     *
     * @param x any array; not closed
     * @param value the factor, made a 0-d array of {@code x}'s data type on {@code x}'s device
     * @return a new array of {@code x}'s shape and data type, owned by {@code x}'s manager
     */
    public static NDArray mul(NDArray x, float value) {
        try (NDArray s = scalar(x, value)) {
            return x.mul(s);
        }
    }

    /**
     * {@code x / value}, differentiable.
     *
     * @param x any array; not closed
     * @param value the divisor, made a 0-d array of {@code x}'s data type on {@code x}'s device
     * @return a new array of {@code x}'s shape and data type, owned by {@code x}'s manager
     */
    public static NDArray div(NDArray x, float value) {
        try (NDArray s = scalar(x, value)) {
            return x.div(s);
        }
    }

    private static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType(), like.getDevice());
    }

    /**
     * An int64 array owned by libtorch (safe as a saved index).
     *
     * @param m the manager that owns the result (and whose device it is on)
     * @param values copied; the Java array may be reused afterwards
     * @return a new 1-d int64 array [values.length], owned by {@code m}
     */
    public static NDArray longs(NDManager m, long[] values) {
        try (NDArray wrapped = m.create(values)) {
            return wrapped.duplicate();
        }
    }

    /**
     * A float32 array owned by libtorch (safe as a saved operand).
     *
     * @param m the manager that owns the result (and whose device it is on)
     * @param values the elements in row-major order; copied
     * @param shape the result's shape; its size must be {@code values.length}
     * @return a new float32 array of {@code shape}, owned by {@code m}
     */
    public static NDArray floats(NDManager m, float[] values, Shape shape) {
        try (NDArray wrapped = m.create(values, shape)) {
            return wrapped.duplicate();
        }
    }

    /**
     * A 1-d float32 array owned by libtorch: {@link #floats(NDManager, float[], Shape)} with shape
     * [values.length].
     *
     * @param m the manager that owns the result (and whose device it is on)
     * @param values the elements; copied
     * @return a new float32 array [values.length], owned by {@code m}
     */
    public static NDArray floats(NDManager m, float[] values) {
        return floats(m, values, new Shape(values.length));
    }

    /**
     * A sparse COO float32 matrix owned by libtorch: {@code coords} holds the row indices of the
     * {@code values.length} entries, then their column indices. {@code sparse.matMul(dense)} is
     * differentiable in the dense operand (the backward multiplies by the transpose).
     *
     * @param m the manager that owns the result; the temporary index and value arrays made here are
     *     closed before this returns
     * @param coords {@code 2 * values.length} 0-based indices: all row indices, then all column
     *     indices
     * @param values the stored entries
     * @param shape the dense shape, [rows, columns]
     * @param device where the result lives
     * @return a new sparse COO float32 array of {@code shape} on {@code device}, owned by {@code m}
     * @throws ClassCastException on an engine other than PyTorch (the sparse tensor is libtorch's)
     */
    public static NDArray sparseCoo(NDManager m, long[] coords, float[] values, Shape shape, Device device) {
        try (NDArray idx = longs(m, coords); NDArray i2 = idx.reshape(2, values.length); NDArray val = floats(m, values);
                NDArray di = i2.toDevice(device, false); NDArray dv = val.toDevice(device, false)) {
            return JniUtils.createSparseCoo((PtNDArray) di, (PtNDArray) dv, shape);
        }
    }
}
