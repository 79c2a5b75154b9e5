package org.resvision.backbone.resnet;

import org.resvision.nn.Conv2dLayer;
import org.resvision.nn.Norm;

/**
 * ResNet-50/101/152's block (v1.5: the stride sits on the 3x3 conv): 1x1 reduce to {@code width
 * = planes * widthPerGroup / 64 * groups}, 3x3 grouped/dilated conv, 1x1 expand to {@code 4 *
 * planes}.
 */
public final class Bottleneck extends ResidualBlock {

    /** Output channels per unit of {@code planes}: a bottleneck outputs {@code 4 * planes} channels. */
    public static final int EXPANSION = 4;

    /**
     * @param inChannels input channels
     * @param planes the block's base width; output channels are {@code 4 * planes}
     * @param stride stride of the 3x3 conv and of the projection
     * @param groups groups of the 3x3 conv (32 for ResNeXt-50 32x4d)
     * @param widthPerGroup 64 for ResNet, 4 for ResNeXt-50 32x4d, 128 for Wide-ResNet-50-2
     * @param dilation dilation (= padding) of the 3x3 conv
     * @param norm the normalisation layer kind
     */
    public Bottleneck(
            int inChannels,
            int planes,
            int stride,
            int groups,
            int widthPerGroup,
            int dilation,
            Norm norm) {
        super(
                convs(inChannels, planes, stride, groups, widthPerGroup, dilation),
                norm,
                projection(inChannels, planes * EXPANSION, stride, norm));
    }

    private static Conv2dLayer[] convs(
            int in, int planes, int stride, int groups, int widthPerGroup, int dilation) {
        int width = (int) (planes * (widthPerGroup / 64.0)) * groups;
        return new Conv2dLayer[] {
            Conv2dLayer.builder(in, width, 1).bias(false).build(),
            Conv2dLayer.builder(width, width, 3)
                    .stride(stride)
                    .padding(dilation)
                    .dilation(dilation)
                    .groups(groups)
                    .bias(false)
                    .build(),
            Conv2dLayer.builder(width, planes * EXPANSION, 1).bias(false).build()
        };
    }
}
