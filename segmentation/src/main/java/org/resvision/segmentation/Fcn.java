package org.resvision.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.Map;
import java.util.Set;
import org.resvision.backbone.nn.MemoryFormat;
import org.resvision.backbone.nn.TorchModule;
import org.resvision.backbone.nn.TorchSequential;
import org.resvision.backbone.resnet.ResNet;

/**
 * torchvision's FCN ({@code _SimpleSegmentationModel}): {@code backbone} (a ResNet without its
 * head), {@code classifier} on layer4 and the optional {@code aux_classifier} on layer3, both
 * upsampled bilinearly ({@code align_corners=False}) to the input size. Input [N, 3, H, W]
 * (ImageNet-normalised); output {@code out} [N, classes, H, W] and, with aux, {@code aux}.
 * Parameter names are torchvision's state-dict keys.
 *
 * <p>Thread-safety: inference forward only reads parameters, so one initialized model may serve
 * several DJL Predictors, one Predictor per thread (DJL's Predictor is not thread-safe). Training
 * (BatchNorm updates its running statistics in place) is single-threaded, with no inference running
 * at the same time.
 */
public final class Fcn extends TorchModule {

    /** DJL's bilinear interpolation mode (only ever used here to upsample, where it is plain bilinear). */
    private static final int BILINEAR = 1;

    private final FcnConfig config;
    private final ResNet backbone;
    private final TorchSequential classifier;
    private final TorchSequential auxClassifier;

    /**
     * Builds the network, uninitialised (call {@code initialize} or load weights).
     *
     * @param config the backbone, class count, aux head and dropout
     */
    public Fcn(FcnConfig config) {
        this.config = config;
        ResNet net = new ResNet(config.backbone().withNumClasses(0));
        backbone = register("backbone", net);
        int c4 = config.backbone().stageChannels(4);
        int c3 = config.backbone().stageChannels(3);
        classifier = register("classifier", FcnHead.create(c4, config.numClasses(), config.backbone().norm(), config.dropout()));
        auxClassifier = config.aux()
                ? register("aux_classifier", FcnHead.create(c3, config.numClasses(), config.backbone().norm(), config.dropout()))
                : null;
    }

    /**
     * The config the model was built from.
     *
     * @return the config given to the constructor
     */
    public FcnConfig config() {
        return config;
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
        NDArray up = out.getNDArrayInternal().interpolation(new long[] {h, w}, BILINEAR, false);
        out.close();
        up.setName(name);
        return up;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        Shape out = new Shape(in.get(0), config.numClasses(), in.get(2), in.get(3));
        return auxClassifier == null ? new Shape[] {out} : new Shape[] {out, out};
    }
}
