package org.resvision.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torchvision's {@code FrozenBatchNorm2d}: {@code y = (x - running_mean) / sqrt(running_var +
 * eps) * weight + bias} with all four tensors fixed buffers (never trained, never updated), in
 * training and inference alike. Gradients flow to the input only. Without autograd it is one fused
 * pass; while autograd records, it is torchvision's {@code x * scale + shift}, which keeps only the
 * per-channel scale for the backward pass (the fused op would keep every input activation: about
 * 400 MB more for a ResNet-50-FPN training step at 512 px, batch 2). After a convolution, a ResNet
 * folds it into the convolution while autograd records ({@link ConvNorm}). State-dict keys {@code
 * weight, bias, running_mean, running_var}.
 */
public final class FrozenBatchNorm2d extends BatchNormBase {

    /**
     * A frozen BatchNorm; its four buffers get their arrays at DJL's {@code initialize} and their
     * values from a checkpoint.
     *
     * @param channels C of the [N, C, H, W] input
     * @param eps added to {@code running_var} before the square root ({@link Norm#DEFAULT_EPS}, 1e-5;
     *     0.0 for torchvision's v1 COCO detection weights)
     */
    public FrozenBatchNorm2d(int channels, float eps) {
        super(channels, eps, false);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        return Autograd.isRecording() ? new NDList(affine(ps, x)) : normalize(ps, x, false);
    }

    @Override
    public boolean usesRunningStatistics(boolean training) {
        return true;
    }

    /** Frozen buffers stay frozen whatever the caller asks. */
    @Override
    public void setTrainable(boolean trainable) {}
}
