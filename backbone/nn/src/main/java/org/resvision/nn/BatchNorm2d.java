package org.resvision.nn;

import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * {@code torch.nn.BatchNorm2d} over [N, C, H, W]: batch statistics while training (running
 * statistics updated with PyTorch's momentum 0.1 and unbiased variance), running statistics in
 * inference. State-dict keys {@code weight, bias, running_mean, running_var,
 * num_batches_tracked}.
 */
public final class BatchNorm2d extends BatchNormBase {

    /**
     * A trainable BatchNorm; its parameters get their arrays at DJL's {@code initialize}.
     *
     * @param channels C of the [N, C, H, W] input
     * @param eps added to the variance before the square root ({@link Norm#DEFAULT_EPS}, 1e-5, in
     *     torchvision)
     */
    public BatchNorm2d(int channels, float eps) {
        super(channels, eps, true);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return normalize(ps, inputs.singletonOrThrow(), training);
    }

    @Override
    public boolean usesRunningStatistics(boolean training) {
        return !training;
    }

    @Override
    protected Iterable<String> ownExtraStateKeys() {
        return List.of("num_batches_tracked");
    }
}
