package org.resvision.backbone.fpn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.nn.Norm;
import org.resvision.nn.TorchModule;

/**
 * torchvision's {@code BackboneWithFPN} over a ResNet ({@code resnet_fpn_backbone} /
 * {@code _resnet_fpn_extractor}): {@code body} is the ResNet without its head, {@code fpn} takes
 * layer1..layer4 and returns {@code 0, 1, 2, 3, pool} with 256 channels (strides 4, 8, 16, 32,
 * 64).
 *
 * <p>Thread-safety: as for every {@link TorchModule}, one initialized backbone may serve several
 * DJL Predictors, one Predictor per thread, since inference only reads the parameters; training
 * is single-threaded, and so are {@code body().setTrainableLayers} and {@code
 * body().setChannelsLastMinPositions}, to be called before the backbone is shared.
 */
public final class BackboneWithFpn extends TorchModule {

    /** The FPN's channel count in torchvision. */
    public static final int DEFAULT_OUT_CHANNELS = 256;

    private static final Set<String> LAYERS = Set.of("layer1", "layer2", "layer3", "layer4");

    private final ResNet body;
    private final FeaturePyramidNetwork fpn;

    /**
     * @param resnet the body's config; its head is dropped
     * @param outChannels FPN channels (256)
     * @param trainableLayers torchvision's {@code trainable_layers} (0..5) for the body
     * @throws IllegalArgumentException if {@code trainableLayers} is outside 0..5
     */
    public BackboneWithFpn(ResNetConfig resnet, int outChannels, int trainableLayers) {
        this(resnet, outChannels, trainableLayers, null);
    }

    /**
     * @param resnet the body's config; its head is dropped
     * @param outChannels FPN channels (256)
     * @param trainableLayers torchvision's {@code trainable_layers} (0..5) for the body
     * @param fpnNorm the FPN's {@code norm_layer} ({@code null}: none, torchvision's default;
     *     {@code fasterrcnn_resnet50_fpn_v2} uses BatchNorm2d)
     * @throws IllegalArgumentException if {@code trainableLayers} is outside 0..5
     */
    public BackboneWithFpn(ResNetConfig resnet, int outChannels, int trainableLayers, Norm fpnNorm) {
        body = register("body", new ResNet(resnet.withNumClasses(0)));
        int[] in = new int[4];
        for (int i = 0; i < 4; i++) {
            in[i] = resnet.stageChannels(i + 1);
        }
        fpn = register("fpn", new FeaturePyramidNetwork(in, outChannels, fpnNorm));
        body.setTrainableLayers(trainableLayers);
    }

    /**
     * torchvision's {@code resnet_fpn_backbone(backbone_name, weights=None,
     * norm_layer=FrozenBatchNorm2d if pretrained else BatchNorm2d, trainable_layers)}.
     *
     * @param arch a {@link ResNetConfig#of(String)} preset ({@code resnet50}, ...)
     * @param norm the body's normalisation ({@link Norm#frozenBatchNorm()} over pretrained weights,
     *     as torchvision)
     * @param trainableLayers torchvision's {@code trainable_layers} (0..5) for the body
     * @return a new, uninitialized backbone with a 256-channel FPN without norm
     * @throws IllegalArgumentException for an unknown preset or {@code trainableLayers} outside 0..5
     */
    public static BackboneWithFpn resnetFpn(String arch, Norm norm, int trainableLayers) {
        return new BackboneWithFpn(ResNetConfig.of(arch).withNorm(norm), DEFAULT_OUT_CHANNELS, trainableLayers);
    }

    /**
     * The ResNet body (no head), registered as {@code body}.
     *
     * @return the body itself, not a copy
     */
    public ResNet body() {
        return body;
    }

    /**
     * The feature pyramid, registered as {@code fpn}.
     *
     * @return the FPN itself, not a copy
     */
    public FeaturePyramidNetwork fpn() {
        return fpn;
    }

    /**
     * Names of the outputs, finest first: {@code 0, 1, 2, 3, pool}.
     *
     * @return a new list, in the order of the forward pass's outputs
     */
    public List<String> outputNames() {
        return fpn.outputNames();
    }

    /**
     * Channels of every output level.
     *
     * @return the FPN's {@code outChannels} (256 by default)
     */
    public int outChannels() {
        return fpn.outChannels();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        Map<String, NDArray> c = body.features(ps, inputs.singletonOrThrow(), training, LAYERS);
        NDList levels = new NDList(c.values());
        NDList out = fpn.forward(ps, levels, training);
        levels.close();
        return out;
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return fpn.getOutputShapes(body.getOutputShapes(inputShapes));
    }
}
