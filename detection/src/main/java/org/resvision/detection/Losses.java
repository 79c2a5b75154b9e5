package org.resvision.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.nn.Activation;
import org.resvision.nn.GradSafe;

/**
 * The detection losses, on NDArrays so gradients flow, with torchvision's definitions. Scalars
 * enter the graph through {@link GradSafe} (DJL's {@code mul(Number)} is not safe for backward).
 * The intermediate arrays are closed; the returned scalar is new. Stateless; safe to call from
 * several threads.
 */
public final class Losses {

    private Losses() {}

    /**
     * {@code F.smooth_l1_loss(x, y, beta, reduction="sum")}.
     *
     * @param x predictions, any shape
     * @param y targets, the shape of {@code x}
     * @param beta where the loss turns from quadratic ({@code 0.5 d^2 / beta}) to linear ({@code |d| - 0.5 beta})
     * @return the scalar sum
     */
    public static NDArray smoothL1Sum(NDArray x, NDArray y, float beta) {
        try (NDArray d = x.sub(y); NDArray n = d.abs(); NDArray small = n.lt(beta); NDArray sq = n.square();
                NDArray quad = GradSafe.mul(sq, 0.5f / beta); NDArray lin = n.sub(0.5f * beta);
                NDArray l = NDArrays.where(small, quad, lin)) {
            return l.sum();
        }
    }

    /**
     * {@code F.binary_cross_entropy_with_logits(x, y)} (mean): {@code relu(x) - x y + log(1 + exp(-|x|))}.
     *
     * @param x logits, any shape
     * @param y targets in [0, 1], the shape of {@code x}
     * @return the scalar mean (NaN for empty inputs)
     */
    public static NDArray bceWithLogits(NDArray x, NDArray y) {
        try (NDArray pos = Activation.relu(x); NDArray xy = x.mul(y); NDArray a = x.abs().neg(); NDArray e = a.exp();
                NDArray e1 = e.add(1f); NDArray sp = e1.log(); NDArray t = pos.sub(xy); NDArray l = t.add(sp)) {
            return l.mean();
        }
    }

    /**
     * {@code F.cross_entropy(logits [N, C], labels [N] int64)} (mean).
     *
     * @param logits [N, C] float32
     * @param labels [N] int64 in 0..C-1 (no ignore index)
     * @return the scalar mean over the N rows
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        try (NDArray logp = logits.logSoftmax(1); NDArray idx = labels.expandDims(1); NDArray picked = logp.gather(idx, 1)) {
            return picked.mean().neg();
        }
    }
}
