package org.resvision.backbone.resnet;

import org.resvision.nn.Conv2dLayer;
import org.resvision.nn.Norm;

/** ResNet-18/34's block: two 3x3 convs (stride on the first), expansion 1. */
public final class BasicBlock extends ResidualBlock {

    /** Output channels per unit of {@code planes}: a basic block outputs {@code planes} channels. */
    public static final int EXPANSION = 1;

    /**
     * @param inChannels input channels
     * @param planes output channels
     * @param stride stride of the first 3x3 conv and of the projection
     * @param dilation dilation (= padding) of both 3x3 convs (1 in torchvision, which refuses more)
     * @param norm the normalisation layer kind
     */
    public BasicBlock(int inChannels, int planes, int stride, int dilation, Norm norm) {
        super(
                new Conv2dLayer[] {
                    Conv2dLayer.builder(inChannels, planes, 3).stride(stride).padding(dilation).dilation(dilation).bias(false).build(),
                    Conv2dLayer.builder(planes, planes, 3).padding(dilation).dilation(dilation).bias(false).build()
                },
                norm,
                projection(inChannels, planes * EXPANSION, stride, norm));
    }
}
