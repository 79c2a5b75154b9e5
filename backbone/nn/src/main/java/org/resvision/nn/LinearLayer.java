package org.resvision.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * {@code torch.nn.Linear}: [N, in] -> [N, out] with {@code weight} [out, in] and {@code bias}
 * [out], both initialised U(-1/sqrt(in), 1/sqrt(in)) as PyTorch does.
 */
public final class LinearLayer extends TorchModule {

    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * A fully connected layer.
     *
     * @param in input features (the last dimension of the [N, in] input)
     * @param out output features
     */
    public LinearLayer(int in, int out) {
        this.in = in;
        this.out = out;
        weight =
                registerParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(new Shape(out, in))
                                .optInitializer(Initializers.uniformFanIn(in))
                                .build());
        bias =
                registerParameter(
                        Parameter.builder()
                                .setName("bias")
                                .setType(Parameter.Type.BIAS)
                                .optShape(new Shape(out))
                                .optInitializer(Initializers.uniformFanIn(in))
                                .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        return Linear.linear(
                x,
                ps.getValue(weight, x.getDevice(), training),
                ps.getValue(bias, x.getDevice(), training));
    }

    /**
     * This layer on {@code map} flattened: torch's {@code linear(flatten(map, 1))}, [N, C, H, W] ->
     * [N, out] with {@code C * H * W == in}. On the CPU it runs as one convolution whose kernel covers
     * the map (the weight viewed as [out, C, H, W]; the same sums in another order), which oneDNN
     * computes on the map in whatever layout it has, where the matrix product needs a contiguous copy
     * first; and oneDNN's kernel is faster than the MKL product libtorch uses, which runs a generic
     * path on AMD CPUs. Measured on 2 cores of an AMD EPYC VM, a Faster R-CNN box head's fc6 (256 x
     * 7 x 7 -> 1024) on RoIAlign's channels-last output: 4000 RoIs 702 -> 359 ms, a training step
     * (forward and backward) on 1024 RoIs 545-642 -> 369-457 ms. Elsewhere (an empty batch, a GPU, a
     * CPU whose oneDNN fault {@link CpuQuirks} could not mend) the flattened product.
     *
     * @param ps the parameter store
     * @param map [N, C, H, W] features, any memory layout
     * @param training whether autograd is to record
     * @return [N, out]
     */
    public NDArray forwardFlattened(ParameterStore ps, NDArray map, boolean training) {
        Shape s = map.getShape();
        if (s.dimension() != 4 || s.slice(1).size() != in) {
            throw new IllegalArgumentException("a linear layer of " + in + " inputs cannot take a flattened " + s + " map");
        }
        long n = s.get(0);
        NDArray w = ps.getValue(weight, map.getDevice(), training);
        NDArray b = ps.getValue(bias, map.getDevice(), training);
        if (n == 0 || !Device.Type.CPU.equals(map.getDevice().getDeviceType()) || CpuQuirks.channelsLastConvolutionCrashes()) {
            try (NDArray flat = map.reshape(n, in)) {
                return Linear.linear(flat, w, b).singletonOrThrow();
            }
        }
        try (NDArray kernel = w.reshape(out, s.get(1), s.get(2), s.get(3));
                NDList y = Conv2d.conv2d(map, kernel, b, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), 1)) {
            return y.singletonOrThrow().reshape(n, out);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), out)};
    }

    /**
     * The input feature count.
     *
     * @return {@code in} as given to the constructor
     */
    public int inFeatures() {
        return in;
    }

    /**
     * The output feature count.
     *
     * @return {@code out} as given to the constructor
     */
    public int outFeatures() {
        return out;
    }
}
