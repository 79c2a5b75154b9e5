package org.resvision.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;
import java.util.Set;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.nn.Autograd;
import org.resvision.nn.Conv2dLayer;
import org.resvision.nn.MemoryFormat;
import org.resvision.nn.TorchModule;
import org.resvision.nn.TorchScriptOp;
import org.resvision.nn.TorchSequential;

/**
 * torchvision's FCN ({@code _SimpleSegmentationModel}): {@code backbone} (a ResNet without its
 * head), {@code classifier} on layer4 and the optional {@code aux_classifier} on layer3, both
 * upsampled bilinearly ({@code align_corners=False}) to the input size, given to the constructor as
 * torchvision's model takes them. Input [N, 3, H, W] (ImageNet-normalised); output {@code out} [N,
 * classes, H, W] and, with aux, {@code aux}. Parameter names are torchvision's state-dict keys. The
 * presets are named builders ({@link #resnet50}, {@link #resnet101}, {@link #small}); {@link
 * #of(FcnConfig)} builds any config's.
 *
 * <p>Thread-safety: inference forward only reads parameters, so one initialized model may serve
 * several DJL Predictors, one Predictor per thread (DJL's Predictor is not thread-safe). Training
 * (BatchNorm updates its running statistics in place) is single-threaded, with no inference running
 * at the same time.
 */
public final class Fcn extends TorchModule {

    /** DJL's bilinear interpolation mode (only ever used here to upsample, where it is plain bilinear). */
    private static final int BILINEAR = 1;

    /**
     * Where layer4 has at least this many channels (ResNet-50/101/152), it runs NCHW while autograd
     * records ({@link ResNet#setNchwFromStageWhileRecording}; {@code -Dresvision.fcnNchwLayer4=false}
     * leaves it to the backbone's rule). The heads run NCHW anyway (see {@code head}): the layout
     * change moves to layer3's output, half layer4's size (and the aux head reads that copy, which
     * the backbone returns as layer3), and layer4's dilated convolutions' backward runs NCHW.
     * FCN-ResNet50 training step (320 px, batch 4, 2 cores) against the old layout, alternating:
     * faster in 12 of 18 rounds (the first 5 before the shared copy), per-round ratios 0.81-1.18,
     * mean 0.975 (within the VM's spread); layer4's 3x3 backward passes 145-164 ms each against
     * 172-233 in the profiles. Its inference (520 px) is slower with layer4 NCHW (978-1049 against
     * 943-963 ms), so inference keeps the rule. ResNet-18/34 (512 channels) are not measured and
     * keep the rule.
     */
    static final int NCHW_LAYER4_MIN_CHANNELS = 2048;

    private final ResNet backbone;
    private final TorchSequential classifier;
    private final TorchSequential auxClassifier;
    private final int numClasses;

    /**
     * A model of these parts, uninitialised (call {@code initialize} or load weights).
     *
     * @param backbone the ResNet whose layer4 (and layer3, for the aux head) features the heads read;
     *     one with a 2048-channel layer4 is set to run it NCHW while training (the layout only, not
     *     the values; see {@code NCHW_LAYER4_MIN_CHANNELS})
     * @param classifier the head on layer4, ending in a convolution with one output channel per class
     *     ({@link FcnHead#create})
     * @param auxClassifier the head on layer3 with as many classes, or null for none
     * @throws IllegalArgumentException when a head does not end in a convolution, or the two heads' class
     *     counts differ
     */
    public Fcn(ResNet backbone, TorchSequential classifier, TorchSequential auxClassifier) {
        this.backbone = register("backbone", backbone);
        if (backbone.config().stageChannels(4) >= NCHW_LAYER4_MIN_CHANNELS
                && !"false".equalsIgnoreCase(System.getProperty("resvision.fcnNchwLayer4"))) {
            backbone.setNchwFromStageWhileRecording(4);
        }
        this.classifier = register("classifier", classifier);
        this.auxClassifier = auxClassifier == null ? null : register("aux_classifier", auxClassifier);
        this.numClasses = classes(classifier);
        if (auxClassifier != null && classes(auxClassifier) != numClasses) {
            throw new IllegalArgumentException("the aux head has " + classes(auxClassifier) + " classes, the classifier " + numClasses);
        }
    }

    private static int classes(TorchSequential head) {
        if (head.size() == 0 || !(head.get(head.size() - 1) instanceof Conv2dLayer last)) {
            throw new IllegalArgumentException("an FCN head must end in a convolution giving one channel per class");
        }
        return last.outChannels();
    }

    /**
     * The model a config describes: its ResNet (the head dropped) and FCN heads of its norm and dropout.
     *
     * @param config the backbone, class count, aux head and dropout
     * @return a new, uninitialised model
     */
    public static Fcn of(FcnConfig config) {
        ResNet net = new ResNet(config.backbone().withNumClasses(0));
        int c4 = config.backbone().stageChannels(4);
        int c3 = config.backbone().stageChannels(3);
        return new Fcn(net, FcnHead.create(c4, config.numClasses(), config.backbone().norm(), config.dropout()),
                config.aux() ? FcnHead.create(c3, config.numClasses(), config.backbone().norm(), config.dropout()) : null);
    }

    /**
     * torchvision's {@code fcn_resnet50(num_classes=..., aux_loss=True)}.
     *
     * @param numClasses classes including the background (21 for VOC's published weights)
     * @return a new, uninitialised model
     */
    public static Fcn resnet50(int numClasses) {
        return of(FcnConfig.fcnResnet50().withNumClasses(numClasses));
    }

    /**
     * torchvision's {@code fcn_resnet101(num_classes=..., aux_loss=True)}.
     *
     * @param numClasses classes including the background
     * @return a new, uninitialised model
     */
    public static Fcn resnet101(int numClasses) {
        return of(FcnConfig.fcnResnet101().withNumClasses(numClasses));
    }

    /**
     * The CPU preset ({@link FcnConfig#small}): ResNet-18 dilated to output stride 8, aux head.
     *
     * @param numClasses classes including the background
     * @return a new, uninitialised model
     */
    public static Fcn small(int numClasses) {
        return of(FcnConfig.small(numClasses));
    }

    /**
     * The classes the heads score.
     *
     * @return classes including the background
     */
    public int numClasses() {
        return numClasses;
    }

    /**
     * The dilated ResNet without its head ({@code backbone.*} parameters).
     *
     * @return the child block
     */
    public ResNet backbone() {
        return backbone;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        Map<String, NDArray> f = backbone.features(ps, x, training,
                auxClassifier == null ? Set.of("layer4") : Set.of("layer3", "layer4"));
        NDList out = new NDList();
        out.add(head(ps, classifier, f.remove("layer4"), h, w, training, "out"));
        if (auxClassifier != null) {
            out.add(head(ps, auxClassifier, f.remove("layer3"), h, w, training, "aux"));
        }
        return out;
    }

    private static NDArray head(ParameterStore ps, TorchSequential head, NDArray features, long h, long w, boolean training, String name) {
        // the heads run NCHW: their 3x3 convolution reads 1024-2048 channels of a map that the
        // dilated backbone keeps at stride 8, and oneDNN's NCHW kernels beat channels-last ones
        // there (FCN-R50 classifier conv, 4x2048x40x40 -> 512, fwd+bwd: 1.84 s vs 2.22 s);
        // a view when the backbone already ran NCHW
        NDArray nchw = MemoryFormat.contiguous(features);
        features.close();
        NDArray out = head.forward(ps, new NDList(nchw), training).singletonOrThrow();
        nchw.close();
        NDArray up = upsample(out, h, w);
        out.close();
        up.setName(name);
        return up;
    }

    /**
     * Bilinear upsampling of the class scores to the input's size (align_corners false, as
     * torchvision's FCN). DJL's interpolation runs libtorch's anti-aliased kernel, which for
     * upsampling gives plain bilinear's values (within 4.8e-7) and is the faster forward (FCN at 520
     * px: 9 vs 27 ms in one profile), but its backward is the slower one (training at 320 px, batch
     * 4: 64 against plain bilinear's 32 ms): under autograd libtorch's plain {@code upsample_bilinear2d}
     * ({@code -Dresvision.upsampleOp=false}: DJL's everywhere).
     */
    static NDArray upsample(NDArray x, long h, long w) {
        TorchScriptOp op = Autograd.isRecording() && TorchScriptOp.pytorch(x) ? UpsampleHolder.OP : null;
        if (op != null) {
            try (NDArray size = x.getManager().create(new long[] {h, w})) {
                return op.call(x, size).singletonOrThrow();
            }
        }
        return x.getNDArrayInternal().interpolation(new long[] {h, w}, BILINEAR, false);
    }

    /** libtorch's plain bilinear upsampling to the size in a 2-element int64 array. */
    private static final class UpsampleHolder {
        static final TorchScriptOp OP = TorchScriptOp.load("FcnUpsample", """
                  def forward(self: __torch__.FcnUpsample, x: Tensor, size: Tensor) -> Tensor:
                    h = int(torch.select(size, 0, 0))
                    w = int(torch.select(size, 0, 1))
                    return torch.upsample_bilinear2d(x, [h, w], False, None)
                """, "resvision.upsampleOp");
    }

    /** Whether the training path's upsampling op loaded (for tests). */
    static boolean upsampleOpLoaded() {
        return UpsampleHolder.OP != null;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        Shape out = new Shape(in.get(0), numClasses, in.get(2), in.get(3));
        return auxClassifier == null ? new Shape[] {out} : new Shape[] {out, out};
    }
}
