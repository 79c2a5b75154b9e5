package org.resvision.backbone.resnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.resvision.nn.Autograd;
import org.resvision.nn.BatchNormBase;
import org.resvision.nn.Conv2dLayer;
import org.resvision.nn.ConvNorm;
import org.resvision.nn.InplaceRelu;
import org.resvision.nn.Norm;
import org.resvision.nn.ResidualConvolution;
import org.resvision.nn.TorchModule;
import org.resvision.nn.TorchSequential;

/**
 * The residual unit shared by {@link BasicBlock} and {@link Bottleneck}: a chain of conv-norm
 * pairs with ReLU between them, plus an identity (or {@code downsample} 1x1 conv + norm) path,
 * added before the final ReLU. Input [N, C_in, H, W], output [N, C_out, H/s, W/s].
 *
 * <p>At inference on channels-last maps the last convolution, its norm, the addition and the ReLU
 * run as one convolution that writes into the identity ({@link ResidualConvolution}), where the
 * block owns it: the projection's output, or an input handed over ({@link
 * TorchModule#INPUT_HANDED_OVER}, as {@link TorchSequential} hands each block after the first
 * its predecessor's output).
 */
public abstract class ResidualBlock extends TorchModule {

    private final Conv2dLayer[] convs;
    private final Block[] norms;
    private final TorchSequential downsample;

    /**
     * @param convs the convolutions, registered as {@code conv1, conv2, ...}
     * @param norm builds {@code bn1, bn2, ...} after each conv
     * @param downsample the projection path, or {@code null} for identity
     */
    protected ResidualBlock(Conv2dLayer[] convs, Norm norm, TorchSequential downsample) {
        this.convs = convs;
        this.norms = new Block[convs.length];
        for (int i = 0; i < convs.length; i++) {
            register("conv" + (i + 1), convs[i]);
            norms[i] = register("bn" + (i + 1), norm.create(convs[i].outChannels()));
        }
        this.downsample = downsample == null ? null : register("downsample", downsample);
    }

    /** The projection path used when the stride or the channel count changes, else null. */
    static TorchSequential projection(int in, int out, int stride, Norm norm) {
        if (stride == 1 && in == out) {
            return null;
        }
        return new TorchSequential(
                Conv2dLayer.builder(in, out, 1).stride(stride).bias(false).build(),
                norm.create(out));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        int last = convs.length - 1;
        NDArray out = x;
        for (int i = 0; i < last; i++) {
            NDArray n = ConvNorm.apply(ps, convs[i], norms[i], out, training);
            if (out != x) {
                out.close();
            }
            NDArray r = InplaceRelu.apply(n); // BN (or folded convolution) output: no op saved it for backward
            n.close();
            out = r;
        }
        // at inference the last convolution can add into an identity this block owns, with its
        // norm and the ReLU, in one pass (ResidualConvolution); the projection then runs first
        NDArray identity = null;
        if ((downsample != null || isInputHandedOver(params)) && !Autograd.isRecording()
                && norms[last] instanceof BatchNormBase bn && bn.usesRunningStatistics(training)) {
            identity = downsample == null ? x : project(ps, x, training);
            NDArray fused = ResidualConvolution.addInto(ps, convs[last], bn, out, identity, training);
            if (fused != null) {
                if (out != x) {
                    out.close();
                }
                if (identity != x) {
                    identity.close();
                }
                return new NDList(fused);
            }
        }
        NDArray n = ConvNorm.apply(ps, convs[last], norms[last], out, training);
        if (out != x) {
            out.close();
        }
        if (identity == null) { // otherwise: not fused, the projection's output is already there
            identity = downsample == null ? x : project(ps, x, training);
        }
        return new NDList(addAndRelu(n, x, identity));
    }

    /** The projection path's output for the block input {@code x}. */
    private NDArray project(ParameterStore ps, NDArray x, boolean training) {
        return downsample.size() == 2 && downsample.get(0) instanceof Conv2dLayer conv
                ? ConvNorm.apply(ps, conv, downsample.get(1), x, training)
                : downsample.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /** {@code relu(n + identity)} in {@code n}'s storage; closes {@code identity} unless it is the block input {@code x}. */
    private static NDArray addAndRelu(NDArray n, NDArray x, NDArray identity) {
        n.addi(identity);
        if (identity != x) {
            identity.close();
        }
        NDArray result = InplaceRelu.apply(n);
        n.close();
        return result;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] shapes = inputShapes;
        for (Conv2dLayer conv : convs) {
            shapes = conv.getOutputShapes(shapes);
        }
        return shapes;
    }

    /**
     * Output channels of this block.
     *
     * @return the last convolution's output channels ({@code planes * expansion})
     */
    public int outChannels() {
        return convs[convs.length - 1].outChannels();
    }
}
