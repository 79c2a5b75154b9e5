package org.resvision.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/**
 * {@code torch.relu_}: the ReLU that overwrites its input, as torchvision's ResNet uses it
 * ({@code nn.ReLU(inplace=True)}). DJL offers only the out-of-place op, which allocates and writes
 * a fresh activation per ReLU (51 per FCN-ResNet50 training step, up to 52 MB each). libtorch has
 * the in-place op and DJL runs TorchScript, so this class calls {@code torch.relu_(x)} through a
 * {@link TorchScriptOp}. Autograd records it as libtorch records any op.
 *
 * <p>Contract: the input's values are replaced and the result is a second handle to the same
 * storage, so a caller must not read the input afterwards. Under autograd this is legal only when
 * no op saved the input for its backward; the outputs of BatchNorm (training and frozen),
 * convolution and residual additions qualify. If an input did not, libtorch fails at backward
 * ("modified by an inplace operation"): a loud error, never a wrong gradient.
 *
 * <p>Falls back to {@link Activation#relu} (same values, a new array) when the engine is not
 * PyTorch, when the module cannot be loaded (logged once), for a named array (DJL reads names as
 * TorchScript argument structure), and when {@code -Dresvision.inplaceRelu=false}.
 */
public final class InplaceRelu {

    private InplaceRelu() {}

    /**
     * ReLU of {@code x}, written into {@code x}'s storage when possible (see the class comment).
     *
     * @param x any array; in place only for an unnamed PyTorch array, and then it must not be read
     *     again (its values are replaced); it is not closed either way
     * @return a new NDArray handle owned by {@code x}'s manager: on {@code x}'s storage when in
     *     place, else a new array; close it and {@code x} separately
     */
    public static NDArray apply(NDArray x) {
        TorchScriptOp op = TorchScriptOp.accepts(x) ? Holder.OP : null;
        return op == null ? Activation.relu(x) : op.call(x).singletonOrThrow();
    }

    /**
     * Whether {@link #apply} runs in place in this JVM (false: it falls back to the copying op).
     *
     * @return {@code true} when the TorchScript module loaded; the first use of this class's
     *     module (this call, or {@link #apply} on a PyTorch array) loads it, and the answer then
     *     stays the same for the life of the JVM
     */
    public static boolean available() {
        return Holder.OP != null;
    }

    /** The op, loaded on first use; null when disabled or unavailable. */
    private static final class Holder {
        static final TorchScriptOp OP = TorchScriptOp.load("InplaceRelu", """
                  def forward(self: __torch__.InplaceRelu, x: Tensor) -> Tensor:
                    return torch.relu_(x)
                """, "resvision.inplaceRelu");
    }
}
