package org.resvision.backbone.fpn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.resvision.backbone.nn.Conv2dLayer;
import org.resvision.backbone.nn.Initializers;
import org.resvision.backbone.nn.TorchSequential;
import org.resvision.backbone.nn.TorchModule;

/**
 * torchvision's {@code FeaturePyramidNetwork} with {@code LastLevelMaxPool}: a 1x1 lateral conv
 * per input level ({@code inner_blocks.i.0}), a top-down path adding the nearest-upsampled
 * coarser level, and a 3x3 output conv per level ({@code layer_blocks.i.0}); then the extra
 * level {@code pool} = max-pool (kernel 1, stride 2) of the coarsest output.
 *
 * <p>Input: the C2..C5 maps (finest first); output: P2..P5 plus {@code pool}, each [N,
 * outChannels, H_i, W_i], named {@code 0, 1, 2, 3, pool}.
 */
public final class FeaturePyramidNetwork extends TorchModule {

    private final List<Conv2dLayer> inner = new ArrayList<>();
    private final List<Conv2dLayer> layer = new ArrayList<>();
    private final int outChannels;

    /**
     * @param inChannels channels of each input level, finest first (e.g. 256, 512, 1024, 2048)
     * @param outChannels channels of every output level (256 in torchvision)
     */
    public FeaturePyramidNetwork(int[] inChannels, int outChannels) {
        this.outChannels = outChannels;
        List<TorchSequential> innerBlocks = new ArrayList<>();
        List<TorchSequential> layerBlocks = new ArrayList<>();
        for (int c : inChannels) {
            if (c == 0) {
                throw new IllegalArgumentException("in_channels=0 is not supported");
            }
            Conv2dLayer lateral = conv(c, outChannels, 1, 0);
            Conv2dLayer output = conv(outChannels, outChannels, 3, 1);
            inner.add(lateral);
            layer.add(output);
            innerBlocks.add(new TorchSequential(lateral));
            layerBlocks.add(new TorchSequential(output));
        }
        register("inner_blocks", new TorchSequential(innerBlocks));
        register("layer_blocks", new TorchSequential(layerBlocks));
    }

    /** Conv2dNormActivation without norm and activation: conv with bias, kaiming_uniform(a=1), bias 0. */
    private static Conv2dLayer conv(int in, int out, int kernel, int padding) {
        return Conv2dLayer.builder(in, out, kernel)
                .padding(padding)
                .weightInit(Initializers.kaimingUniform(1.0))
                .biasInit(ai.djl.training.initializer.Initializer.ZEROS)
                .build();
    }

    public int outChannels() {
        return outChannels;
    }

    /** Names of the outputs: {@code 0..L-1} then {@code pool}. */
    public List<String> outputNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < inner.size(); i++) {
            names.add(String.valueOf(i));
        }
        names.add("pool");
        return names;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        int levels = inner.size();
        if (inputs.size() != levels) {
            throw new IllegalArgumentException(
                    "FPN expects " + levels + " feature maps, got " + inputs.size());
        }
        NDArray[] results = new NDArray[levels];
        NDArray lastInner = inner.get(levels - 1).apply(ps, inputs.get(levels - 1), training);
        results[levels - 1] = layer.get(levels - 1).apply(ps, lastInner, training);
        for (int i = levels - 2; i >= 0; i--) {
            NDArray lateral = inner.get(i).apply(ps, inputs.get(i), training);
            Shape s = lateral.getShape();
            NDArray topDown =
                    lastInner.getNDArrayInternal()
                            .interpolation(new long[] {s.get(2), s.get(3)}, 0, false);
            lastInner.close();
            lastInner = lateral.add(topDown);
            lateral.close();
            topDown.close();
            results[i] = layer.get(i).apply(ps, lastInner, training);
        }
        lastInner.close();
        NDArray pool = Pool.maxPool2d(results[levels - 1], new Shape(1, 1), new Shape(2, 2), new Shape(0, 0), false);
        NDList out = new NDList();
        List<String> names = outputNames();
        for (int i = 0; i < levels; i++) {
            results[i].setName(names.get(i));
            out.add(results[i]);
        }
        pool.setName("pool");
        out.add(pool);
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[inputShapes.length + 1];
        for (int i = 0; i < inputShapes.length; i++) {
            Shape s = inputShapes[i];
            out[i] = new Shape(s.get(0), outChannels, s.get(2), s.get(3));
        }
        Shape top = inputShapes[inputShapes.length - 1];
        out[inputShapes.length] =
                new Shape(top.get(0), outChannels, (top.get(2) - 1) / 2 + 1, (top.get(3) - 1) / 2 + 1);
        return out;
    }
}
