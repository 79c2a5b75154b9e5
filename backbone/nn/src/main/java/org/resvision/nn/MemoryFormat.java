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
     * The same values, stored contiguously (NCHW); a copy unless {@code x} already is.
     *
     * <p>libtorch's {@code contiguous()} reads a channels-last array with a stride of C values, one
     * cache line per value when C is large (34 ms for FCN's 2048x65x65 map here). For a
     * channels-last [N, C, H, W] with C of at least 1024 this copies each image's [H*W, C] matrix as
     * a transposed 2-D matrix instead, which libtorch's copy does tile by tile (14 ms for the same
     * map), through a {@link TorchScriptOp} ({@code -Dresvision.nchwOp=false}: the plain copy).
     *
     * @param x an array of at least one dimension (normally [N, C, H, W]); not closed
     * @return a new array of {@code x}'s shape and data type with contiguous strides, owned by
     *     {@code x}'s manager; when {@code x} is already contiguous it shares {@code x}'s storage
     */
    public static NDArray contiguous(NDArray x) {
        TorchScriptOp op = x.getShape().dimension() == 4 && TorchScriptOp.pytorch(x) ? Holder.NCHW : null;
        if (op != null) {
            return op.call(x).singletonOrThrow();
        }
        Shape s = x.getShape();
        try (NDArray flat = x.reshape(s.get(0), -1)) {
            return flat.reshape(s);
        }
    }

    /** Whether {@link #contiguous}'s TorchScript op loaded (for tests). */
    static boolean nchwOpLoaded() {
        return Holder.NCHW != null;
    }

    /** The op, loaded on first use; null when disabled or unavailable. */
    private static final class Holder {
        // under autograd, per-image contiguous copies and one stack: their backward is one stack
        // of views, where per-image copy_ into slices of one array would clone the whole gradient
        // once per image
        static final TorchScriptOp NCHW = TorchScriptOp.load("Nchw", """
                  def forward(self: __torch__.Nchw, x: Tensor) -> Tensor:
                    if x.is_contiguous():
                      return x
                    n = x.size(0)
                    c = x.size(1)
                    h = x.size(2)
                    w = x.size(3)
                    if c < 1024 or h * w < 64 or not x.is_contiguous(memory_format=2):
                      return x.contiguous()
                    rows = torch.transpose(torch.reshape(torch.permute(x, [0, 2, 3, 1]), [n, h * w, c]), 1, 2)
                    if n == 1:
                      return torch.view(torch.contiguous(torch.select(rows, 0, 0)), [1, c, h, w])
                    if torch.is_grad_enabled() and x.requires_grad:
                      parts = [torch.contiguous(r) for r in torch.unbind(rows, 0)]
                      return torch.view(torch.stack(parts), [n, c, h, w])
                    out = torch.empty([n, c, h * w], dtype=x.dtype, device=x.device)
                    for i in range(n):
                      torch.copy_(torch.select(out, 0, i), torch.select(rows, 0, i))
                    return torch.view(out, [n, c, h, w])
                """, "resvision.nchwOp");
    }
}
