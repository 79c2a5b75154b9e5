package org.resvision.backbone.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * {@code torch.nn.BatchNorm2d} over [N, C, H, W]: batch statistics while training (running
 * statistics updated with PyTorch's momentum 0.1 and unbiased variance), running statistics in
 * inference. State-dict keys {@code weight, bias, running_mean, running_var,
 * num_batches_tracked}.
 */
public final class BatchNorm2d extends TorchModule {

    /** PyTorch's momentum: the weight of the new batch statistic in the running average. */
    public static final float TORCH_MOMENTUM = 0.1f;

    private final int channels;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    public BatchNorm2d(int channels, float eps) {
        this.channels = channels;
        this.eps = eps;
        Shape shape = new Shape(channels);
        weight = registerParameter(param("weight", Parameter.Type.GAMMA, shape, true));
        bias = registerParameter(param("bias", Parameter.Type.BETA, shape, true));
        runningMean = registerParameter(param("running_mean", Parameter.Type.RUNNING_MEAN, shape, false));
        runningVar = registerParameter(param("running_var", Parameter.Type.RUNNING_VAR, shape, false));
    }

    static Parameter param(String name, Parameter.Type type, Shape shape, boolean grad) {
        return Parameter.builder()
                .setName(name)
                .setType(type)
                .optShape(shape)
                .optRequiresGrad(grad)
                .build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        var device = x.getDevice();
        // axis -1 makes DJL call torch.batch_norm directly (which normalises dim 1);
        // DJL's momentum is MXNet's (weight of the old value), hence 1 - 0.1.
        return BatchNorm.batchNorm(
                x,
                ps.getValue(runningMean, device, training),
                ps.getValue(runningVar, device, training),
                ps.getValue(weight, device, training),
                ps.getValue(bias, device, training),
                -1,
                1f - TORCH_MOMENTUM,
                eps,
                training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected Iterable<String> ownExtraStateKeys() {
        return List.of("num_batches_tracked");
    }

    public int channels() {
        return channels;
    }

    public float eps() {
        return eps;
    }
}
