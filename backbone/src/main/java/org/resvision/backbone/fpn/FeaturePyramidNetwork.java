package org.resvision.backbone.fpn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.resvision.nn.Conv2dLayer;
import org.resvision.nn.Initializers;
import org.resvision.nn.Norm;
import org.resvision.nn.TorchModule;
import org.resvision.nn.TorchSequential;

/**
 * torchvision's {@code FeaturePyramidNetwork} with {@code LastLevelMaxPool}: a 1x1 lateral conv
 * per input level ({@code inner_blocks.i.0}), a top-down path adding the nearest-upsampled
 * coarser level, and a 3x3 output conv per level ({@code layer_blocks.i.0}); then the extra
 * level {@code pool} = max-pool (kernel 1, stride 2) of the coarsest output.
 *
 * <p>With a norm layer ({@code norm_layer=BatchNorm2d}, as in {@code fasterrcnn_resnet50_fpn_v2})
 * every block is torchvision's {@code Conv2dNormActivation} without activation: the conv has no
 * bias ({@code inner_blocks.i.0.weight}) and is followed by the norm ({@code inner_blocks.i.1.*}).
 *
 * <p>Input: the C2..C5 maps (finest first); output: P2..P5 plus {@code pool}, each [N,
 * outChannels, H_i, W_i], named {@code 0, 1, 2, 3, pool}. Output {@code i} has the size of input
 * {@code i}; {@code pool} has ceil(H / 2) x ceil(W / 2) of the coarsest. The inputs are not closed;
 * the outputs are new arrays, output {@code i} owned by input {@code i}'s manager and {@code pool}
 * by the coarsest input's.
 *
 * <p>Thread-safety: as for every {@link TorchModule}, one initialized FPN may serve several DJL
 * Predictors, one Predictor per thread, since inference only reads the parameters; training is
 * single-threaded.
 */
public final class FeaturePyramidNetwork extends TorchModule {

    private final List<TorchSequential> inner = new ArrayList<>();
    private final List<TorchSequential> layer = new ArrayList<>();
    private final int outChannels;
    private final Norm norm;

    /**
     * @param inChannels channels of each input level, finest first (e.g. 256, 512, 1024, 2048)
     * @param outChannels channels of every output level (256 in torchvision)
     */
    public FeaturePyramidNetwork(int[] inChannels, int outChannels) {
        this(inChannels, outChannels, null);
    }

    /**
     * @param inChannels channels of each input level, finest first (e.g. 256, 512, 1024, 2048)
     * @param outChannels channels of every output level (256 in torchvision)
     * @param norm torchvision's {@code norm_layer} after each conv, or {@code null} for none (then
     *     the convs have biases)
     */
    public FeaturePyramidNetwork(int[] inChannels, int outChannels, Norm norm) {
        this.outChannels = outChannels;
        this.norm = norm;
        for (int c : inChannels) {
            if (c == 0) {
                throw new IllegalArgumentException("in_channels=0 is not supported");
            }
            inner.add(block(c, outChannels, 1, 0, norm));
            layer.add(block(outChannels, outChannels, 3, 1, norm));
        }
        register("inner_blocks", new TorchSequential(inner));
        register("layer_blocks", new TorchSequential(layer));
    }

    /**
     * Conv2dNormActivation without activation: conv (kaiming_uniform(a=1)) with bias 0 when there
     * is no norm, else conv without bias followed by the norm.
     */
    private static TorchSequential block(int in, int out, int kernel, int padding, Norm norm) {
        Conv2dLayer conv = Conv2dLayer.builder(in, out, kernel)
                .padding(padding)
                .bias(norm == null)
                .weightInit(Initializers.kaimingUniform(1.0))
                .biasInit(ai.djl.training.initializer.Initializer.ZEROS)
                .build();
        return norm == null ? new TorchSequential(conv) : new TorchSequential(conv, norm.create(out));
    }

    /**
     * The norm after each conv, or {@code null} (torchvision's default FPN).
     *
     * @return the norm given to the constructor, or {@code null}
     */
    public Norm norm() {
        return norm;
    }

    private static NDArray apply(TorchSequential block, ParameterStore ps, NDArray x, boolean training) {
        return block.forward(ps, new NDList(x), training).singletonOrThrow();
    }

    /**
     * Channels of every output level.
     *
     * @return {@code outChannels} as given to the constructor
     */
    public int outChannels() {
        return outChannels;
    }

    /**
     * Names of the outputs: {@code 0..L-1} then {@code pool}.
     *
     * @return a new list of L + 1 names, L being the number of input levels
     */
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
        NDArray lastInner = apply(inner.get(levels - 1), ps, inputs.get(levels - 1), training);
        results[levels - 1] = apply(layer.get(levels - 1), ps, lastInner, training);
        for (int i = levels - 2; i >= 0; i--) {
            NDArray lateral = apply(inner.get(i), ps, inputs.get(i), training);
            Shape s = lateral.getShape();
            NDArray topDown =
                    lastInner.getNDArrayInternal()
                            .interpolation(new long[] {s.get(2), s.get(3)}, 0, false);
            lastInner.close();
            lastInner = lateral.add(topDown);
            lateral.close();
            topDown.close();
            results[i] = apply(layer.get(i), ps, lastInner, training);
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
