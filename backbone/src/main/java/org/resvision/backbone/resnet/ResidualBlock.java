package org.resvision.backbone.resnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.resvision.nn.Conv2dLayer;
import org.resvision.nn.ConvNorm;
import org.resvision.nn.InplaceRelu;
import org.resvision.nn.Norm;
import org.resvision.nn.TorchModule;
import org.resvision.nn.TorchSequential;

/**
 * The residual unit shared by {@link BasicBlock} and {@link Bottleneck}: a chain of conv-norm
 * pairs with ReLU between them, plus an identity (or {@code downsample} 1x1 conv + norm) path,
 * added before the final ReLU. Input [N, C_in, H, W], output [N, C_out, H/s, W/s].
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
        NDArray out = x;
        for (int i = 0; i < convs.length; i++) {
            NDArray n = ConvNorm.apply(ps, convs[i], norms[i], out, training);
            if (out != x) {
                out.close();
            }
            out = n;
            if (i < convs.length - 1) {
                NDArray r = InplaceRelu.apply(out); // BN (or folded convolution) output: no op saved it for backward
                out.close();
                out = r;
            }
        }
        if (downsample != null) {
            NDArray identity = downsample.size() == 2 && downsample.get(0) instanceof Conv2dLayer conv
                    ? ConvNorm.apply(ps, conv, downsample.get(1), x, training)
                    : downsample.forward(ps, new NDList(x), training).singletonOrThrow();
            out.addi(identity);
            identity.close();
        } else {
            out.addi(x);
        }
        NDArray result = InplaceRelu.apply(out);
        out.close();
        return new NDList(result);
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
