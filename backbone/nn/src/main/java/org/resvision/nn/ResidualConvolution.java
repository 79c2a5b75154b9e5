package org.resvision.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.util.Locale;

/**
 * The end of a residual block at inference, {@code relu(residual + norm(conv(x)))}, as one
 * oneDNN convolution that writes into {@code residual}'s storage: the normalisation folded into
 * the weight and bias ({@code conv(x, w * scale, b * scale + shift)}, as {@link ConvNorm} folds
 * while autograd records), the addition as the convolution's sum post-op and the ReLU as its
 * eltwise post-op (libtorch's {@code mkldnn::_convolution_pointwise_}, through a {@link
 * TorchScriptOp}). The unfused pair writes the convolution's output, normalises it, adds the
 * residual and applies the ReLU: four more passes over a map as large as the block's output,
 * which for FCN-ResNet50's layer4 (2048x65x65) is 35 MB each.
 *
 * <p>Only where oneDNN takes channels-last data directly: both arrays channels-last (checked inside
 * the op; otherwise nothing is written and {@link #addInto} returns null), on the CPU, float32,
 * outside autograd, with the normalisation using its running statistics. The values are the unfused
 * ones to float rounding (the weight is scaled before the products are summed instead of after),
 * as accurate against float64 as the fold while training ({@code FoldedNormAccuracyTest}); against
 * torchvision, ResNet-50's layer4 moved from 5.7e-5 to 6.0e-5 of its largest value and the dilated
 * one's from 4.0e-5 to 4.9e-5 ({@code BackboneParityTest}, tolerance 1e-4).
 * {@code -Dresvision.fuseResidual=false} turns it off.
 *
 * <p>Measured (2 cores of an AMD EPYC VM, 2 threads, 2026-12-07; median of 12 calls, fused against
 * convolution, in-place norm, add and ReLU): ResNet-50's expansions 64 -> 256 at 130x130 5.3 against
 * 14.2 ms, 128 -> 512 at 65x65 4.3 against 4.9, 256 -> 1024 12.4 against 20.4, 512 -> 2048 43.4
 * against 53.5. FCN-ResNet50's dilated backbone at 520 px, the two alternating pass by pass in one
 * JVM (12-14 passes each, three runs): medians 1085, 1040, 1059 against 1192, 1087, 1118 ms. The
 * whole FCN's inference moved less than its run-to-run spread (8 alternating rounds of separate
 * processes: 1588-1667 against 1546-1682 ms), its head's 2048 -> 512 3x3 convolution (about 400 ms,
 * since computed by {@link WinogradConvolution}) and the copy of layer4 to NCHW for it untouched.
 */
public final class ResidualConvolution {

    private ResidualConvolution() {}

    /**
     * {@code relu(residual + norm(conv(x)))} written into {@code residual}, when it can be (see the
     * class comment).
     *
     * @param ps the parameter store that supplies the parameters on {@code x}'s device
     * @param conv the convolution
     * @param norm the normalisation after it
     * @param x the convolution's input [N, in, H, W]; not closed, not changed
     * @param residual [N, out, H', W'], the convolution's output shape; its values are replaced
     *     when this returns an array, so the caller must own it (no other reader, no autograd
     *     graph); not closed
     * @param training whether this is a training pass
     * @return a new handle on {@code residual}'s storage holding the result (close it and {@code
     *     residual} separately), or {@code null} when the fused op does not apply (then {@code
     *     residual} is unchanged)
     */
    public static NDArray addInto(
            ParameterStore ps, Conv2dLayer conv, BatchNormBase norm, NDArray x, NDArray residual, boolean training) {
        if (!applies(norm, x, residual, training)) {
            return null;
        }
        TorchScriptOp op = op(conv, norm.eps());
        if (op == null) {
            return null;
        }
        CpuQuirks.prepare();
        NDArray w = conv.weight(ps, x.getDevice(), training);
        NDArray b = conv.bias(ps, x.getDevice(), training);
        // the norm's own tensors: the op derives scale and shift from them only where it fuses, so
        // an NCHW block costs this one call
        NDArray[] s = norm.statistics(ps, x.getDevice());
        NDArray out = (b == null
                        ? op.call(residual, x, w, s[0], s[1], s[2], s[3])
                        : op.call(residual, x, w, s[0], s[1], s[2], s[3], b))
                .singletonOrThrow();
        if (out.getShape().size() == 0) { // not channels-last: the op wrote nothing
            out.close();
            return null;
        }
        return out;
    }

    /** Whether the arrays and the pass allow the fused op (the layout is checked by the op itself). */
    private static boolean applies(BatchNormBase norm, NDArray x, NDArray residual, boolean training) {
        return !Autograd.isRecording()
                && norm.usesRunningStatistics(training)
                && TorchScriptOp.pytorch(x)
                && TorchScriptOp.pytorch(residual)
                && x.getDevice().getDeviceType().equals(Device.Type.CPU)
                && residual.getDevice().getDeviceType().equals(Device.Type.CPU)
                && x.getDataType() == DataType.FLOAT32
                && residual.getDataType() == DataType.FLOAT32
                && x.getShape().dimension() == 4
                && !"false".equalsIgnoreCase(System.getProperty("resvision.fuseResidual"));
    }

    /**
     * The op for this convolution's geometry and the norm's epsilon, loaded once per pair (null:
     * libtorch refused it, logged once).
     */
    private static TorchScriptOp op(Conv2dLayer conv, float eps) {
        // concatenation, not String.format: this runs once per block and forward pass
        String name = "ResidualConv_s" + conv.stride() + "_p" + conv.padding() + "_d" + conv.dilation()
                + "_g" + conv.groups() + (conv.hasBias() ? "_b" : "") + "_e" + Float.floatToIntBits(eps);
        return TorchScriptOp.loadOnce(name, n -> source(n, conv, eps), "resvision.fuseResidual");
    }

    /**
     * The forward method: on channels-last arrays, {@link BatchNormBase#runningAffine}'s scale and
     * shift (the same ops in the same order), the fold and the fused op; otherwise an empty array
     * (nothing written). {@code memory_format=2} is {@code torch.channels_last}; {@code eps} is
     * written as the shortest decimal that reads back as the same float.
     */
    static String source(String name, Conv2dLayer conv, float eps) {
        String bias = conv.hasBias() ? "torch.add(torch.mul(b, scale), shift)" : "shift";
        return String.format(
                Locale.ROOT,
                """
                  def forward(self: __torch__.%1$s, residual: Tensor, x: Tensor, w: Tensor, gamma: Tensor, beta: Tensor, mean: Tensor, var: Tensor%2$s) -> Tensor:
                    if torch.is_contiguous(x, memory_format=2) and torch.is_contiguous(residual, memory_format=2):
                      scale = torch.div(gamma, torch.sqrt(torch.add(var, %8$s)))
                      shift = torch.sub(beta, torch.mul(mean, scale))
                      folded = torch.mul(w, torch.reshape(scale, [-1, 1, 1, 1]))
                      return ops.mkldnn._convolution_pointwise_(residual, x, folded, %3$s, [%4$d, %4$d], [%5$d, %5$d], [%6$d, %6$d], %7$d, "add", 1.0, "relu", annotate(List[Optional[number]], []), None)
                    return torch.empty([0])
                """,
                name,
                conv.hasBias() ? ", b: Tensor" : "",
                bias,
                conv.padding(),
                conv.stride(),
                conv.dilation(),
                conv.groups(),
                Float.toString(eps).toLowerCase(Locale.ROOT));
    }
}
