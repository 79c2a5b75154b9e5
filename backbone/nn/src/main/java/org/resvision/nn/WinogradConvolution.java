package org.resvision.nn;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A 3x3, stride-1 convolution at inference through libtorch's NNPACK, whose Winograd
 * F(6x6, 3x3) transform computes each 6x6 output tile with 64 products per channel pair where the
 * direct convolution needs 324 ({@code aten::_nnpack_spatial_convolution}, through a {@link
 * TorchScriptOp}). libtorch itself takes NNPACK only for batches of 16 or more; at batch 1 it runs
 * oneDNN's direct convolution, which on a large map with many channels is compute-bound. A layer
 * opts in ({@link Conv2dLayer.Builder#winograd}; FCN's heads do), because the transforms' rounding
 * is larger: 0.7e-5 to 1.5e-5 of the largest output against about 3e-7 for the direct convolution
 * (both against float64, {@code WinogradConvolutionTest}).
 *
 * <p>Applies image by image (NNPACK's own batched path is slower than the direct
 * convolution), to float32 on the CPU, outside autograd, without dilation or
 * groups, padding below 3, at least {@link #MIN_IN_CHANNELS} input channels and a map of at least
 * {@link #MIN_SIDE} x {@link #MIN_SIDE}, stored NCHW (the op checks the layout and NNPACK's
 * availability, and otherwise returns nothing; the caller then runs the direct convolution). Below
 * those sizes the transforms of the weight and of the tile borders cost more than the products
 * saved; channels-last maps stay with oneDNN, which is fastest on them. Should NNPACK report a
 * failure, one warning is logged and the direct convolution runs from then on. {@code
 * -Dresvision.winograd=false} turns it off.
 *
 * <p>Measured (2 cores of an AMD EPYC VM with AVX2, 2 threads, 2026-12-07; median of 5 calls, NCHW
 * input, against libtorch's direct convolution of the same NCHW input and of a channels-last copy):
 * FCN-ResNet50's head 2048 -> 512 at 65x65 188 against 424 and 549 ms; its aux head 1024 -> 256 at
 * 65x65 61 against 124 and 165 ms; 256 -> 256 at 33x33 13 against 26 and 20 ms; 128 -> 128 at 65x65
 * 11 against 19 and 17 ms. It loses below the threshold: 512 -> 512 at 25x25 32 against 29 ms, at
 * 17x17 23 against 21. NNPACK's own batched path took 1236 against 757 ms for the 2048 -> 512 head
 * at batch 2; image by image, as here, 294 against 749 ms (1024 -> 256 at 40x40, batch 4: 97 against
 * 163).
 */
public final class WinogradConvolution {

    /** The fewest input channels: fewer, and the direct convolution is as fast. */
    public static final long MIN_IN_CHANNELS = 64;

    /** The smallest map side (height and width): smaller, and the transforms cost more than they save. */
    public static final long MIN_SIDE = 32;

    private static final Logger LOG = LoggerFactory.getLogger(WinogradConvolution.class);

    /** Set when NNPACK failed once: the direct convolution from then on. */
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    private WinogradConvolution() {}

    /**
     * The convolution of {@code x} through NNPACK, when it applies (see the class comment).
     *
     * @param x the input [N, in, H, W]; not closed
     * @param w the weight [out, in, 3, 3]; not closed
     * @param b the bias [out], or null; not closed
     * @param padding the zero padding on each side, 0 to 2
     * @return a new array [N, out, H + 2 padding - 2, W + 2 padding - 2] owned by {@code x}'s
     *     manager, or null where this does not apply (nothing computed)
     */
    public static NDArray convolve(NDArray x, NDArray w, NDArray b, int padding) {
        if (!applies(x, w, b, padding)) {
            return null;
        }
        TorchScriptOp op = op(padding, b != null);
        if (op == null) {
            return null;
        }
        NDArray out;
        try {
            out = (b == null ? op.call(x, w) : op.call(x, w, b)).singletonOrThrow();
        } catch (EngineException e) {
            // NNPACK reports a failed status (say, no memory for its workspace) as an error: the
            // direct convolution still gives the answer, so it takes over from here on
            if (FAILED.compareAndSet(false, true)) {
                LOG.warn("NNPACK's convolution failed, using libtorch's direct convolution from now on: {}",
                        e.getMessage() == null ? e.toString() : e.getMessage().lines().reduce((p, q) -> q).orElse(""));
            }
            return null;
        }
        if (out.getShape().size() == 0) { // not NCHW, or NNPACK unavailable on this CPU
            out.close();
            return null;
        }
        return out;
    }

    /** Whether NNPACK failed in this JVM (the direct convolution runs from then on). */
    static boolean failed() {
        return FAILED.get();
    }

    /** Lets NNPACK run again after a failure (for tests). */
    static void clearFailure() {
        FAILED.set(false);
    }

    /** Whether the arrays and the pass allow the op (layout and NNPACK are checked by the op itself). */
    static boolean applies(NDArray x, NDArray w, NDArray b, int padding) {
        Shape s = x.getShape();
        Shape ws = w.getShape();
        return s.dimension() == 4
                && s.get(0) >= 1
                && s.get(1) >= MIN_IN_CHANNELS
                && s.get(2) >= MIN_SIDE
                && s.get(3) >= MIN_SIDE
                && ws.dimension() == 4
                && ws.get(1) == s.get(1)
                && ws.get(2) == 3
                && ws.get(3) == 3
                && padding >= 0
                && padding <= 2
                && !Autograd.isRecording()
                && TorchScriptOp.pytorch(x)
                && TorchScriptOp.pytorch(w)
                // NNPACK reads out values of any bias: a wrong one goes to libtorch's checks
                && (b == null || (TorchScriptOp.pytorch(b) && b.getShape().dimension() == 1 && b.getShape().get(0) == ws.get(0)))
                && x.getDataType() == DataType.FLOAT32
                && w.getDataType() == DataType.FLOAT32
                && x.getDevice().getDeviceType().equals(Device.Type.CPU)
                && !FAILED.get()
                && !"false".equalsIgnoreCase(System.getProperty("resvision.winograd"));
    }

    /** The op for this padding, with or without bias, loaded once (null: libtorch refused it, logged once). */
    private static TorchScriptOp op(int padding, boolean bias) {
        return TorchScriptOp.loadOnce("WinogradConv_p" + padding + (bias ? "_b" : ""), n -> source(n, padding, bias), "resvision.winograd");
    }

    /**
     * The forward method: NNPACK's convolution of a contiguous (NCHW) input where NNPACK runs on
     * this CPU ({@code _nnpack_available} also initialises it, which the convolution needs first),
     * one image at a time (NNPACK's batched path is slower than the direct convolution, see the
     * class comment), else an empty array.
     */
    static String source(String name, int padding, boolean bias) {
        String call = "torch._nnpack_spatial_convolution(%s, w, " + (bias ? "b" : "None") + ", [" + padding + ", " + padding + "], [1, 1])";
        return "  def forward(self: __torch__." + name + ", x: Tensor, w: Tensor" + (bias ? ", b: Tensor" : "") + ") -> Tensor:\n"
                + "    if torch.is_contiguous(x) and torch._nnpack_available():\n"
                + "      w = torch.contiguous(w)\n"
                + "      n = x.size(0)\n"
                + "      if n == 1:\n"
                + "        return " + String.format(call, "x") + "\n"
                + "      return torch.cat([" + String.format(call, "x[i:i + 1]") + " for i in range(n)], 0)\n"
                + "    return torch.empty([0])\n";
    }
}
