package org.resvision.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import org.resvision.nn.Conv2dLayer;
import org.resvision.nn.Initializers;
import org.resvision.nn.LinearLayer;
import org.resvision.nn.Norm;
import org.resvision.nn.ReluLayer;
import org.resvision.nn.TorchModule;
import org.resvision.nn.TorchSequential;

/**
 * torchvision's {@code FastRCNNConvFCHead(input_size, conv_layers, fc_layers, norm_layer)} (the box
 * head of {@code fasterrcnn_resnet50_fpn_v2}), an {@code nn.Sequential}: one {@code
 * Conv2dNormActivation} per conv layer ({@code i.0} 3x3 conv, padding 1, no bias when there is a
 * norm; {@code i.1} the norm; then ReLU), a Flatten, then per fc layer a Linear + ReLU. Conv
 * weights kaiming_normal (fan_out, relu), conv biases 0; Linear layers PyTorch's default. With
 * v2's {@code [256]*4, [1024], BatchNorm2d} the keys are {@code 0..3.0.weight}, {@code 0..3.1.*},
 * {@code 5.weight}, {@code 5.bias}. [R, C, S, S] -> [R, last fc size].
 *
 * <p>Thread-safety: as {@link FasterRcnn}.
 */
public final class FastRcnnConvFcHead extends TorchSequential {

    private final int outFeatures;

    /**
     * @param inChannels channels of the pooled features
     * @param size their spatial size (7)
     * @param convLayers output channels of each conv layer
     * @param fcLayers output size of each fc layer (at least one)
     * @param norm the norm after each conv, or {@code null} for none (convs then have biases)
     */
    public FastRcnnConvFcHead(int inChannels, int size, int[] convLayers, int[] fcLayers, Norm norm) {
        super(layers(inChannels, size, convLayers, fcLayers, norm));
        outFeatures = fcLayers[fcLayers.length - 1];
    }

    /** torchvision's order: Conv2dNormActivation per conv layer, Flatten, then Linear + ReLU per fc layer. */
    private static List<Block> layers(int inChannels, int size, int[] convLayers, int[] fcLayers, Norm norm) {
        if (fcLayers.length == 0) {
            throw new IllegalArgumentException("FastRcnnConvFcHead needs at least one fc layer");
        }
        List<Block> layers = new ArrayList<>();
        int prev = inChannels;
        for (int c : convLayers) {
            Conv2dLayer conv = Conv2dLayer.builder(prev, c, 3).padding(1).bias(norm == null)
                    .weightInit(Initializers.kaimingNormalFanOut()).biasInit(Initializer.ZEROS).build();
            layers.add(norm == null ? new TorchSequential(conv, new ReluLayer()) : new TorchSequential(conv, norm.create(c), new ReluLayer()));
            prev = c;
        }
        layers.add(new Flatten());
        prev = prev * size * size;
        for (int f : fcLayers) {
            layers.add(new LinearLayer(prev, f));
            layers.add(new ReluLayer());
            prev = f;
        }
        return layers;
    }

    /**
     * The representation size (the last fc layer's output).
     *
     * @return the last of {@code fcLayers}
     */
    public int outFeatures() {
        return outFeatures;
    }

    /**
     * In inference the convs run on channels-last data: libtorch 2.7.1's 3x3 kernel on 1000 RoIs
     * of 256x7x7 takes 325 ms channels-last against 498 NCHW here ({@code
     * tools/bench/conv_kernel_bench.sh}; torchvision runs NCHW); the whole v2 head on 1000 RoIs
     * takes 2.35 s against 2.5 s (torchvision: 2.1 s). The values are the same up to summation
     * order. Training keeps NCHW, the layout the training parity test checks. The Flatten and the
     * first fc layer run as one ({@link LinearLayer#forwardFlattened}: a convolution on the CPU).
     */
    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray input = inputs.singletonOrThrow();
        boolean channelsLast = !training && size() > 0 && get(0) instanceof TorchSequential first && first.get(0) instanceof Conv2dLayer;
        NDArray x = channelsLast ? org.resvision.nn.MemoryFormat.channelsLast(input) : input;
        for (int i = 0; i < size(); i++) {
            NDArray next;
            if (get(i) instanceof Flatten && i + 1 < size() && get(i + 1) instanceof LinearLayer fc) {
                next = fc.forwardFlattened(ps, x, training);
                i++;
            } else {
                next = get(i).forward(ps, new NDList(x), training).singletonOrThrow();
            }
            if (x != input) {
                x.close();
            }
            x = next;
        }
        return new NDList(x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), outFeatures)};
    }

    /** {@code nn.Flatten()}: [R, ...] -> [R, rest] (R may be 0). */
    private static final class Flatten extends TorchModule {
        @Override
        protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            return new NDList(x.reshape(x.getShape().get(0), x.getShape().slice(1).size()));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            Shape s = inputShapes[0];
            return new Shape[] {new Shape(s.get(0), s.slice(1).size())};
        }
    }
}
