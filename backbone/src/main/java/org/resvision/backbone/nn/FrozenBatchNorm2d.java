package org.resvision.backbone.nn;

import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torchvision's {@code FrozenBatchNorm2d}: {@code y = (x - running_mean) / sqrt(running_var +
 * eps) * weight + bias} with all four tensors fixed buffers (never trained, never updated), in
 * training and inference alike, as one fused pass. Gradients flow to the input only. State-dict
 * keys {@code weight, bias, running_mean, running_var}.
 */
public final class FrozenBatchNorm2d extends BatchNormBase {

    public FrozenBatchNorm2d(int channels, float eps) {
        super(channels, eps, false);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return normalize(ps, inputs.singletonOrThrow(), false);
    }

    /** Frozen buffers stay frozen whatever the caller asks. */
    @Override
    public void setTrainable(boolean trainable) {}
}
