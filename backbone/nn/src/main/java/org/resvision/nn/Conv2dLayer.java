package org.resvision.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * {@code torch.nn.Conv2d} with square kernels: input [N, in, H, W] -> [N, out, H', W'] with
 * {@code H' = floor((H + 2 p - d (k - 1) - 1) / s) + 1}. Parameters {@code weight} [out,
 * in/groups, k, k] and, when asked, {@code bias} [out]. One built with {@link
 * Builder#winograd} runs at inference as a {@link WinogradConvolution} (NNPACK) where that applies;
 * every other convolution is libtorch's.
 */
public final class Conv2dLayer extends TorchModule {

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;
    private final boolean winograd;

    private Conv2dLayer(Builder b) {
        if (b.in % b.groups != 0 || b.out % b.groups != 0) {
            throw new IllegalArgumentException(
                    "channels " + b.in + "->" + b.out + " not divisible by groups " + b.groups);
        }
        inChannels = b.in;
        outChannels = b.out;
        kernel = b.kernel;
        stride = b.stride;
        padding = b.padding;
        dilation = b.dilation;
        groups = b.groups;
        winograd = b.winograd && b.kernel == 3 && b.stride == 1 && b.dilation == 1 && b.groups == 1;
        Shape wShape = new Shape(b.out, b.in / b.groups, b.kernel, b.kernel);
        weight =
                registerParameter(
                        Parameter.builder()
                                .setName("weight")
                                .setType(Parameter.Type.WEIGHT)
                                .optShape(wShape)
                                .optInitializer(b.weightInit)
                                .build());
        if (b.bias) {
            Initializer biasInit =
                    b.biasInit != null
                            ? b.biasInit
                            : Initializers.uniformFanIn(Initializers.fanIn(wShape));
            bias =
                    registerParameter(
                            Parameter.builder()
                                    .setName("bias")
                                    .setType(Parameter.Type.BIAS)
                                    .optShape(new Shape(b.out))
                                    .optInitializer(biasInit)
                                    .build());
        } else {
            bias = null;
        }
    }

    /**
     * A builder for {@code in -> out} channels with a {@code kernel x kernel} window.
     *
     * @param in input channels; must be divisible by the groups set on the builder
     * @param out output channels; must be divisible by the groups set on the builder
     * @param kernel the square kernel's side, in pixels
     * @return a builder with the defaults listed at {@link Builder}
     */
    public static Builder builder(int in, int out, int kernel) {
        return new Builder(in, out, kernel);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        CpuQuirks.prepare();
        NDArray x = inputs.singletonOrThrow();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        return new NDList(convolve(x, w, b));
    }

    private NDArray convolve(NDArray x, NDArray w, NDArray b) {
        if (kernel == 1 && padding == 0 && stride > 1 && CpuQuirks.strided1x1BackwardCrashes() && Autograd.isRecording()) {
            // see CpuQuirks: the positions a 1x1 kernel with this stride reads, then stride 1; the
            // slice's backward scatters the gradient back (zeros elsewhere), as the strided kernel would
            try (NDArray sub = x.get(new NDIndex(":, :, ::" + stride + ", ::" + stride))) {
                return Conv2d.conv2d(sub, w, b, new Shape(1, 1), new Shape(0, 0), new Shape(dilation, dilation), groups)
                        .singletonOrThrow();
            }
        }
        if (winograd) {
            NDArray winograd = WinogradConvolution.convolve(x, w, b, padding);
            if (winograd != null) {
                return winograd;
            }
        }
        return Conv2d.conv2d(
                        x,
                        w,
                        b,
                        new Shape(stride, stride),
                        new Shape(padding, padding),
                        new Shape(dilation, dilation),
                        groups)
                .singletonOrThrow();
    }

    /**
     * This convolution followed by a per-channel affine map, as one convolution: {@code conv(x) *
     * scale + shift} computed as {@code conv(x, weight * scale, bias * scale + shift)} (the same
     * values up to float rounding, without the pass over the output). Under autograd the weight
     * (and bias) get their gradients through the product.
     *
     * @param ps the parameter store that supplies the weight (and bias) on {@code x}'s device
     * @param x the input [N, in, H, W]; not closed
     * @param training whether this is a training pass
     * @param scale [out] per-output-channel factors; not closed
     * @param shift [out] per-output-channel offsets; not closed
     * @return a new array [N, out, H', W'], owned by {@code x}'s manager
     */
    public NDArray applyAffine(ParameterStore ps, NDArray x, boolean training, NDArray scale, NDArray shift) {
        CpuQuirks.prepare();
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        try (NDArray scale4 = scale.reshape(outChannels, 1, 1, 1); NDArray scaledW = w.mul(scale4)) {
            if (bias == null) {
                return convolve(x, scaledW, shift);
            }
            NDArray b = ps.getValue(bias, x.getDevice(), training);
            try (NDArray scaledB = b.mul(scale); NDArray folded = scaledB.add(shift)) {
                return convolve(x, scaledW, folded);
            }
        }
    }

    /**
     * The number of values in the weight, {@code out * in / groups * k * k}.
     *
     * @return the weight's element count
     */
    public long weightSize() {
        return (long) outChannels * (inChannels / groups) * kernel * kernel;
    }

    /**
     * Applies the convolution to one array.
     *
     * @param ps the parameter store that supplies the weight (and bias) on {@code x}'s device
     * @param x the input [N, in, H, W]; not closed
     * @param training whether this is a training pass (the convolution computes the same either way)
     * @return a new array [N, out, H', W'] (see the class comment), owned by {@code x}'s manager
     */
    public NDArray apply(ParameterStore ps, NDArray x, boolean training) {
        return forward(ps, new NDList(x), training).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        long h = outSize(in.get(2));
        long w = outSize(in.get(3));
        return new Shape[] {new Shape(in.get(0), outChannels, h, w)};
    }

    private long outSize(long size) {
        return (size + 2L * padding - (long) dilation * (kernel - 1) - 1) / stride + 1;
    }

    /** The weight [out, in/groups, k, k] on {@code device}, from {@code ps}. */
    NDArray weight(ParameterStore ps, Device device, boolean training) {
        return ps.getValue(weight, device, training);
    }

    /** The bias [out] on {@code device}, from {@code ps}; null without one. */
    NDArray bias(ParameterStore ps, Device device, boolean training) {
        return bias == null ? null : ps.getValue(bias, device, training);
    }

    boolean hasBias() {
        return bias != null;
    }

    int stride() {
        return stride;
    }

    int padding() {
        return padding;
    }

    int dilation() {
        return dilation;
    }

    int groups() {
        return groups;
    }

    /**
     * The input channel count.
     *
     * @return {@code in} as given to {@link #builder}
     */
    public int inChannels() {
        return inChannels;
    }

    /**
     * The output channel count.
     *
     * @return {@code out} as given to {@link #builder}
     */
    public int outChannels() {
        return outChannels;
    }

    /**
     * Builder with PyTorch's defaults: stride 1, padding 0, dilation 1, groups 1, bias on. The
     * default weight initialization is torchvision ResNet's {@link Initializers#kaimingNormalFanOut()}
     * (not {@code nn.Conv2d}'s own), the default bias initialization PyTorch's U(-1/sqrt(fan_in),
     * 1/sqrt(fan_in)). Not thread-safe: use one builder per thread.
     */
    public static final class Builder {
        private final int in;
        private final int out;
        private final int kernel;
        private int stride = 1;
        private int padding;
        private int dilation = 1;
        private int groups = 1;
        private boolean bias = true;
        private Initializer weightInit = Initializers.kaimingNormalFanOut();
        private Initializer biasInit;
        private boolean winograd;

        private Builder(int in, int out, int kernel) {
            this.in = in;
            this.out = out;
            this.kernel = kernel;
        }

        /**
         * Sets the stride.
         *
         * @param s the step of the window in both directions, in pixels (default 1)
         * @return this builder
         */
        public Builder stride(int s) {
            stride = s;
            return this;
        }

        /**
         * Sets the zero padding.
         *
         * @param p pixels of zeros added on each side, in both directions (default 0)
         * @return this builder
         */
        public Builder padding(int p) {
            padding = p;
            return this;
        }

        /**
         * Sets the dilation.
         *
         * @param d the spacing between kernel taps, in pixels (default 1: adjacent)
         * @return this builder
         */
        public Builder dilation(int d) {
            dilation = d;
            return this;
        }

        /**
         * Sets the number of groups.
         *
         * @param g channel groups convolved separately (default 1); {@code in} and {@code out} must
         *     be divisible by it, checked by {@link #build()}
         * @return this builder
         */
        public Builder groups(int g) {
            groups = g;
            return this;
        }

        /**
         * Sets whether the layer has a bias.
         *
         * @param b {@code true} (default) for a {@code bias} [out] parameter, {@code false} for none
         *     (as before a BatchNorm)
         * @return this builder
         */
        public Builder bias(boolean b) {
            bias = b;
            return this;
        }

        /**
         * Sets how the weight is initialized.
         *
         * @param init the initializer of {@code weight} [out, in/groups, k, k] (default {@link
         *     Initializers#kaimingNormalFanOut()})
         * @return this builder
         */
        public Builder weightInit(Initializer init) {
            weightInit = init;
            return this;
        }

        /**
         * Lets inference run this convolution as a {@link WinogradConvolution} where that applies (a
         * 3x3 stride-1 convolution without dilation or groups, on large NCHW maps).
         * For a single layer whose output no long chain of 3x3 convolutions amplifies, like FCN's
         * head: its rounding error (1e-5 of the largest output, against about 3e-7 for the direct
         * convolution) compounds along a ResNet, whose layer4 ended 1.7e-4 off torchvision's with
         * every NCHW 3x3 convolution of its dilated ResNet-50 taking it, so the backbones do not.
         *
         * @param w {@code true} to allow it (default {@code false}: always libtorch's convolution)
         * @return this builder
         */
        public Builder winograd(boolean w) {
            winograd = w;
            return this;
        }

        /**
         * Sets how the bias is initialized; ignored without a bias.
         *
         * @param init the initializer of {@code bias} [out], or {@code null} (default) for
         *     U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the weight's fan_in
         * @return this builder
         */
        public Builder biasInit(Initializer init) {
            biasInit = init;
            return this;
        }

        /**
         * Builds the layer; its parameters get their arrays at DJL's {@code initialize}.
         *
         * @return a new, uninitialized layer
         * @throws IllegalArgumentException if {@code in} or {@code out} is not divisible by the
         *     groups
         */
        public Conv2dLayer build() {
            return new Conv2dLayer(this);
        }
    }
}
