package org.resvision.backbone.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * torchvision's {@code FrozenBatchNorm2d}: {@code y = (x - running_mean) / sqrt(running_var +
 * eps) * weight + bias} with all four tensors fixed buffers (never trained, never updated),
 * in training and inference alike. Gradients flow to the input only. State-dict keys {@code
 * weight, bias, running_mean, running_var}.
 */
public final class FrozenBatchNorm2d extends TorchModule {

    private final int channels;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    public FrozenBatchNorm2d(int channels, float eps) {
        this.channels = channels;
        this.eps = eps;
        Shape shape = new Shape(channels);
        weight = registerParameter(BatchNorm2d.param("weight", Parameter.Type.GAMMA, shape, false));
        bias = registerParameter(BatchNorm2d.param("bias", Parameter.Type.BETA, shape, false));
        runningMean =
                registerParameter(BatchNorm2d.param("running_mean", Parameter.Type.RUNNING_MEAN, shape, false));
        runningVar =
                registerParameter(BatchNorm2d.param("running_var", Parameter.Type.RUNNING_VAR, shape, false));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        var device = x.getDevice();
        // One fused pass of torch.batch_norm in inference mode: the same affine map as
        // torchvision's x * scale + shift, without two full-size temporaries.
        return BatchNorm.batchNorm(
                x,
                ps.getValue(runningMean, device, false),
                ps.getValue(runningVar, device, false),
                ps.getValue(weight, device, false),
                ps.getValue(bias, device, false),
                -1,
                1f - BatchNorm2d.TORCH_MOMENTUM,
                eps,
                false);
    }

    /** Frozen buffers stay frozen whatever the caller asks. */
    @Override
    public void setTrainable(boolean trainable) {}

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    public int channels() {
        return channels;
    }

    public float eps() {
        return eps;
    }
}
