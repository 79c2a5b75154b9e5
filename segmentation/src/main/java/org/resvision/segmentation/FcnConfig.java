package org.resvision.segmentation;

import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.nn.Norm;

/**
 * Everything an FCN is built from, torchvision's defaults: a ResNet backbone dilated to output
 * stride 8 ({@code replace_stride_with_dilation = [False, True, True]}), an FCN head on layer4
 * and, with {@code aux}, one on layer3.
 *
 * @param backbone the ResNet (its head is ignored)
 * @param numClasses classes including background (21 for VOC)
 * @param aux whether the auxiliary head on layer3 exists
 * @param dropout the heads' dropout probability (0.1)
 *
 * <p>Immutable; safe to share between threads.
 */
public record FcnConfig(ResNetConfig backbone, int numClasses, boolean aux, float dropout) {

    /**
     * torchvision's {@code fcn_resnet50(num_classes=21, aux_loss=True)}.
     *
     * @return ResNet-50 with BatchNorm, dilated to stride 8, 21 classes, aux head, dropout 0.1
     */
    public static FcnConfig fcnResnet50() {
        return new FcnConfig(ResNetConfig.of("resnet50").withDilation(false, true, true).withNumClasses(0), 21, true, 0.1f);
    }

    /**
     * torchvision's {@code fcn_resnet101(num_classes=21, aux_loss=True)}.
     *
     * @return ResNet-101 with BatchNorm, dilated to stride 8, 21 classes, aux head, dropout 0.1
     */
    public static FcnConfig fcnResnet101() {
        return new FcnConfig(ResNetConfig.of("resnet101").withDilation(false, true, true).withNumClasses(0), 21, true, 0.1f);
    }

    /**
     * A CPU-sized preset: ResNet-18 dilated to output stride 8 (ResVision allows dilated
     * BasicBlocks; the weights are ResNet-18's), heads on layer4 (512 channels) and layer3.
     *
     * @param numClasses classes including the background
     * @return the preset, aux head included, dropout 0.1
     */
    public static FcnConfig small(int numClasses) {
        return new FcnConfig(ResNetConfig.of("resnet18").withDilation(false, true, true).withNumClasses(0), numClasses, true, 0.1f);
    }

    /**
     * This config with another class count.
     *
     * @param classes classes including the background
     * @return a new config
     */
    public FcnConfig withNumClasses(int classes) {
        return new FcnConfig(backbone, classes, aux, dropout);
    }

    /**
     * This config with another norm in the backbone and the heads (for example FrozenBatchNorm).
     *
     * @param norm the norm layer kind and epsilon
     * @return a new config
     */
    public FcnConfig withNorm(Norm norm) {
        return new FcnConfig(backbone.withNorm(norm), numClasses, aux, dropout);
    }
}
