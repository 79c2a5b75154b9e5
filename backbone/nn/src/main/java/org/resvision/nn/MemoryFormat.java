package org.resvision.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Physical layouts of a logical [N, C, H, W] array. PyTorch's CPU convolutions (oneDNN) run
 * much faster on channels-last (NHWC) data when the feature map is large, and slower when it is
 * small and the weights dominate; ops keep the layout of their input, so a network switches
 * layout at a few chosen points. The logical shape and values never change.
 */
public final class MemoryFormat {

    private MemoryFormat() {}

    /**
     * The same values, stored channels-last (a copy; the result is a permuted view of NHWC memory).
     *
     * @param x a 4-d array [N, C, H, W]; not closed
     * @return a new array of {@code x}'s shape [N, C, H, W] and data type with NHWC strides, owned
     *     by {@code x}'s manager; when {@code x} is already channels-last, libtorch returns views
     *     and the result shares {@code x}'s storage instead of copying it
     */
    public static NDArray channelsLast(NDArray x) {
        Shape s = x.getShape();
        try (NDArray nhwc = x.transpose(0, 2, 3, 1);
                NDArray flat = nhwc.reshape(s.get(0), -1)) {
            // reshape of the permuted view cannot be a view: it copies into NHWC order
            NDArray packed = flat.reshape(s.get(0), s.get(2), s.get(3), s.get(1));
            NDArray out = packed.transpose(0, 3, 1, 2);
            packed.close();
            return out;
        }
    }

    /**
     * The same values, stored contiguously (NCHW); a copy.
     *
     * @param x an array of at least one dimension (normally [N, C, H, W]); not closed
     * @return a new array of {@code x}'s shape and data type with contiguous strides, owned by
     *     {@code x}'s manager; when {@code x} is already contiguous the reshapes are views and the
     *     result shares {@code x}'s storage instead of copying it
     */
    public static NDArray contiguous(NDArray x) {
        Shape s = x.getShape();
        try (NDArray flat = x.reshape(s.get(0), -1)) {
            return flat.reshape(s);
        }
    }
}
