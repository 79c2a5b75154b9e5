package org.resvision.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.resvision.nn.TorchScriptOp;

/**
 * torchvision's segmentation reference loss: pixel-wise cross-entropy with ignore index 255 (mean
 * over the pixels that count), plus 0.5 x the same on the aux output. Stateless; safe to call from
 * several threads.
 */
public final class SegmentationLoss {

    /** The class-map value of pixels that count in no loss or metric (VOC's object borders, padding). */
    public static final int IGNORE = 255;
    /** The aux head's loss weight (torchvision's reference). */
    public static final float AUX_WEIGHT = 0.5f;

    private SegmentationLoss() {}

    /**
     * {@code {"out": ce(out), "aux": 0.5 ce(aux)}} (aux only when the model has it).
     *
     * @param outputs the model's outputs: {@code out} [N, C, H, W], then {@code aux} when present
     * @param target class maps [N, H, W] (any integer type), 255 for ignored pixels
     * @return the scalar losses by name, {@code out} first; their sum is what torchvision minimises
     */
    public static Map<String, NDArray> compute(NDList outputs, NDArray target) {
        Map<String, NDArray> losses = new LinkedHashMap<>();
        losses.put("out", crossEntropy(outputs.get(0), target));
        if (outputs.size() > 1) {
            losses.put("aux", org.resvision.nn.GradSafe.mul(crossEntropy(outputs.get(1), target), AUX_WEIGHT));
        }
        return losses;
    }

    /**
     * Cross-entropy of logits [N, C, H, W] against class maps [N, H, W] (255 ignored).
     *
     * @param logits [N, C, H, W] float32
     * @param target [N, H, W], values 0..C-1 or 255
     * @return the scalar mean over the pixels that are not ignored (0 when all are); intermediates stay in
     *     the inputs' managers until those close
     */
    public static NDArray crossEntropy(NDArray logits, NDArray target) {
        NDArray t = target.toType(DataType.INT64, false);
        TorchScriptOp op = TorchScriptOp.pytorch(logits) && TorchScriptOp.pytorch(t) ? Holder.OP : null;
        if (op != null) {
            return op.call(logits, t).singletonOrThrow();
        }
        NDArray valid = t.neq(IGNORE);
        NDArray index = t.mul(valid.toType(DataType.INT64, false)).expandDims(1);
        NDArray logp = logits.logSoftmax(1);
        NDArray picked = logp.gather(index, 1).squeeze(1);
        NDArray v = valid.toType(DataType.FLOAT32, false);
        NDArray count = v.sum().maximum(1f);
        return picked.mul(v).sum().neg().div(count);
    }

    /**
     * libtorch's {@code cross_entropy_loss} (log-softmax and the 2-d NLL, as torchvision calls it),
     * summed and divided by the count of pixels that are not ignored (at least 1); else DJL's ops:
     * log-softmax, a gather and a masked mean ({@code -Dresvision.crossEntropyOp=false}).
     */
    private static final class Holder {
        static final TorchScriptOp OP = TorchScriptOp.load("SegmentationCrossEntropy", """
                  def forward(self: __torch__.SegmentationCrossEntropy, logits: Tensor, target: Tensor) -> Tensor:
                    total = torch.cross_entropy_loss(logits, target, None, 2, IGNORE, 0.)
                    count = torch.clamp_min(torch.sum(torch.ne(target, IGNORE)), 1)
                    return torch.div(total, count)
                """.replace("IGNORE", String.valueOf(IGNORE)), "resvision.crossEntropyOp");
    }
}
