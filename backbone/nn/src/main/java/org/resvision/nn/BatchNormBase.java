package org.resvision.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;

/**
 * What {@link BatchNorm2d} and {@link FrozenBatchNorm2d} share: the four tensors {@code weight,
 * bias, running_mean, running_var} over [N, C, H, W] and one fused {@code torch.batch_norm}.
 */
public abstract class BatchNormBase extends TorchModule {

    /** PyTorch's momentum: the weight of the new batch statistic in the running average. */
    static final float TORCH_MOMENTUM = 0.1f;

    private final int channels;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    BatchNormBase(int channels, float eps, boolean learnable) {
        this.channels = channels;
        this.eps = eps;
        Shape shape = new Shape(channels);
        weight = registerParameter(param("weight", Parameter.Type.GAMMA, shape, learnable));
        bias = registerParameter(param("bias", Parameter.Type.BETA, shape, learnable));
        runningMean = registerParameter(param("running_mean", Parameter.Type.RUNNING_MEAN, shape, false));
        runningVar = registerParameter(param("running_var", Parameter.Type.RUNNING_VAR, shape, false));
    }

    private static Parameter param(String name, Parameter.Type type, Shape shape, boolean grad) {
        return Parameter.builder().setName(name).setType(type).optShape(shape).optRequiresGrad(grad).build();
    }

    /**
     * {@code (x - mean) / sqrt(var + eps) * weight + bias}, with the batch's statistics (and an
     * update of the running ones) when {@code batchStatistics}, else with the running ones.
     */
    NDList normalize(ParameterStore ps, NDArray x, boolean batchStatistics) {
        var device = x.getDevice();
        // axis -1 makes DJL call torch.batch_norm directly (which normalises dim 1);
        // DJL's momentum is MXNet's (weight of the old value), hence 1 - 0.1.
        return BatchNorm.batchNorm(
                x,
                ps.getValue(runningMean, device, batchStatistics),
                ps.getValue(runningVar, device, batchStatistics),
                ps.getValue(weight, device, batchStatistics),
                ps.getValue(bias, device, batchStatistics),
                -1,
                1f - TORCH_MOMENTUM,
                eps,
                batchStatistics);
    }

    /**
     * torchvision's {@code FrozenBatchNorm2d} formula with the running statistics: {@code x *
     * scale + shift}, {@code scale = weight / sqrt(running_var + eps)}, {@code shift = bias -
     * running_mean * scale}. Under autograd this keeps only the per-channel scale for the backward
     * pass, where the fused {@code batch_norm} keeps its whole input (for a weight gradient).
     */
    NDArray affine(ParameterStore ps, NDArray x) {
        return mapped(ps, x, false);
    }

    /**
     * Applies {@link #runningAffine}'s map to {@code x} in place ({@code x *= scale}, then {@code
     * x += shift}), outside autograd: what this layer computes with its running statistics, to
     * float rounding (libtorch's BatchNorm fuses the two into one multiply-add), without a second
     * array.
     *
     * @param ps the parameter store that supplies the four tensors
     * @param x [N, C, H, W], overwritten; an array no autograd graph and no other array shares
     */
    public void normalizeInPlace(ParameterStore ps, NDArray x) {
        mapped(ps, x, true);
    }

    /** {@code x * scale + shift} of {@link #runningAffine}, into a new array or into {@code x}. */
    private NDArray mapped(ParameterStore ps, NDArray x, boolean inPlace) {
        NDArray[] ss = runningAffine(ps, x.getDevice());
        try (NDArray scale = ss[0]; NDArray shift = ss[1]; NDArray scale4 = scale.reshape(1, channels, 1, 1);
                NDArray shift4 = shift.reshape(1, channels, 1, 1)) {
            if (inPlace) {
                return x.muli(scale4).addi(shift4);
            }
            try (NDArray scaled = x.mul(scale4)) {
                return scaled.add(shift4);
            }
        }
    }

    /**
     * The per-channel map this layer applies with its running statistics, {@code y = x * scale +
     * shift}: {@code scale = weight / sqrt(running_var + eps)}, {@code shift = bias - running_mean
     * * scale}. Computed with recorded ops, so under autograd a gradient reaches {@code weight} and
     * {@code bias} where they require one.
     *
     * @param ps the parameter store that supplies the four tensors
     * @param device where the result lives
     * @return {@code {scale, shift}}, two new [C] arrays owned by the parameters' manager; the
     *     caller closes both
     */
    public NDArray[] runningAffine(ParameterStore ps, Device device) {
        NDArray[] s = statistics(ps, device);
        NDArray w = s[0];
        NDArray b = s[1];
        NDArray rm = s[2];
        NDArray rv = s[3];
        try (NDArray var = rv.add(eps); NDArray std = var.sqrt()) {
            NDArray scale = w.div(std);
            try (NDArray moved = rm.mul(scale)) {
                return new NDArray[] {scale, b.sub(moved)};
            }
        }
    }

    /**
     * The four tensors {@link #runningAffine} computes from, as the store supplies them (not
     * copies: the caller does not close them).
     *
     * @return {@code {weight, bias, running_mean, running_var}}, each [C] on {@code device}
     */
    NDArray[] statistics(ParameterStore ps, Device device) {
        return new NDArray[] {
            ps.getValue(weight, device, false),
            ps.getValue(bias, device, false),
            ps.getValue(runningMean, device, false),
            ps.getValue(runningVar, device, false)
        };
    }

    /**
     * Whether a forward pass with this {@code training} flag normalises with the running
     * statistics, i.e. applies the fixed per-channel map of {@link #runningAffine}, which a
     * preceding convolution can absorb (see {@link ConvNorm}).
     *
     * @param training the flag the pass is given
     * @return {@code true} for a frozen BatchNorm always, for a trainable one outside training
     */
    public abstract boolean usesRunningStatistics(boolean training);

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    /**
     * The channel count.
     *
     * @return C of the [N, C, H, W] input, the length of each of the four tensors
     */
    public int channels() {
        return channels;
    }

    /**
     * The epsilon added to the variance.
     *
     * @return the value given at construction (see {@link Norm#eps()})
     */
    public float eps() {
        return eps;
    }
}
