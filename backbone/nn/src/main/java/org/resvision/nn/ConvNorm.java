package org.resvision.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * A convolution followed by its normalisation layer, the normalisation folded into the
 * convolution while autograd records and the normalisation is a fixed per-channel map (a {@link
 * FrozenBatchNorm2d}, or a {@link BatchNorm2d} outside training): {@code bn(conv(x)) = conv(x, w *
 * scale, shift)} with {@code scale, shift} from {@link BatchNormBase#runningAffine}. The pair
 * would write the convolution's output, then {@code x * scale + shift} (two more passes over it)
 * and run the product's backward; folded, the convolution writes the normalised values, at the
 * cost of one product over the weight and its backward, so it is done where the output is at
 * least as large as the weight ({@link #folds}; {@code -Dresvision.foldBatchNorm=false} turns it
 * off). A Faster R-CNN R50-FPN training step (512 px, batch 2, frozen BatchNorm, SGD at lr 1e-4),
 * folded and not, alternating: 3470-3531 against 3713-3808 ms, peak RSS 1954-1960 against
 * 2143-2147 MB. The
 * values agree with the pair's to float rounding (ConvNormTest; against float64 they are as
 * accurate, FoldedNormAccuracyTest). Inference runs the pair: there libtorch's BatchNorm is one
 * pass, and folding would move the outputs off torchvision's by float rounding (twice as far at
 * ResNet-50's layer4), for no measured gain on Faster R-CNN (a residual block's last pair, with the
 * addition and ReLU after it, is the one exception: {@link ResidualConvolution}). Except that an inference output of at
 * least {@link #IN_PLACE_MIN_VALUES} values is normalised in place ({@link
 * BatchNormBase#normalizeInPlace}, {@code -Dresvision.inPlaceNorm=false} turns it off): a second
 * array that large is, under the launcher's malloc settings, a fresh mapping the kernel faults in
 * and zeroes on every call, where the two in-place passes read the convolution's output still in
 * cache. FCN-ResNet50 at 520 px (layer4's four 2048x65x65 outputs), alternating, 6 rounds: median
 * 904-1048 -> 930-1000 ms (lower in 5 of 6, 1.6% on average), its profile's BatchNorms 72 -> 28 ms;
 * the values move by float rounding (ConvNormTest).
 */
public final class ConvNorm {

    /** The smallest inference output (values) normalised in place: 2^23, 32 MB of float32. */
    public static final long IN_PLACE_MIN_VALUES = 1L << 23;

    private ConvNorm() {}

    /**
     * {@code norm(conv(x))} (see the class comment).
     *
     * @param ps the parameter store
     * @param conv the convolution
     * @param norm the layer after it: a {@link BatchNormBase} is folded where {@link #folds} says
     *     so, else (and any other block) applied to the convolution's output
     * @param x the input [N, in, H, W]; not closed
     * @param training whether this is a training pass
     * @return a new array [N, out, H', W'] owned by {@code x}'s manager
     */
    public static NDArray apply(ParameterStore ps, Conv2dLayer conv, Block norm, NDArray x, boolean training) {
        if (norm instanceof BatchNormBase bn && folds(bn, conv, x.getShape(), training)) {
            NDArray[] ss = bn.runningAffine(ps, x.getDevice());
            try (NDArray scale = ss[0]; NDArray shift = ss[1]) {
                return conv.applyAffine(ps, x, training, scale, shift);
            }
        }
        NDArray c = conv.apply(ps, x, training);
        if (norm instanceof BatchNormBase bn && normalizesInPlace(bn, c.getShape(), training)) {
            bn.normalizeInPlace(ps, c);
            return c;
        }
        NDArray out = norm.forward(ps, new NDList(c), training).singletonOrThrow();
        if (out != c) {
            c.close();
        }
        return out;
    }

    /**
     * Whether {@link #apply} normalises the convolution's output in place (see the class comment).
     *
     * @param bn the normalisation
     * @param output the convolution's output shape
     * @param training whether this is a training pass
     * @return {@code true} when autograd does not record, in-place normalisation is on, {@code bn}
     *     uses its running statistics in this pass and the output has at least {@link
     *     #IN_PLACE_MIN_VALUES} values
     */
    public static boolean normalizesInPlace(BatchNormBase bn, Shape output, boolean training) {
        return !Autograd.isRecording() && output.size() >= IN_PLACE_MIN_VALUES && bn.usesRunningStatistics(training)
                && !"false".equalsIgnoreCase(System.getProperty("resvision.inPlaceNorm"));
    }

    /**
     * Whether {@link #apply} folds {@code bn} into {@code conv} for an input of this shape.
     *
     * @param bn the normalisation
     * @param conv the convolution before it
     * @param input the input's shape [N, in, H, W]
     * @param training whether this is a training pass
     * @return {@code true} when autograd records, folding is on, {@code bn} uses its running
     *     statistics in this pass and the convolution's output has at least as many values as its
     *     weight
     */
    public static boolean folds(BatchNormBase bn, Conv2dLayer conv, Shape input, boolean training) {
        // the property is read per call (a map lookup), so that a test can compare both ways in one JVM
        if (!Autograd.isRecording() || "false".equalsIgnoreCase(System.getProperty("resvision.foldBatchNorm"))
                || !bn.usesRunningStatistics(training)) {
            return false;
        }
        Shape out = conv.getOutputShapes(new Shape[] {input})[0];
        return out.size() >= conv.weightSize();
    }
}
