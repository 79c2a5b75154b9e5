package org.resvision.segmentation;

import org.resvision.nn.Conv2dLayer;
import org.resvision.nn.DropoutLayer;
import org.resvision.nn.Norm;
import org.resvision.nn.ReluLayer;
import org.resvision.nn.TorchSequential;

/**
 * torchvision's {@code FCNHead}: Conv3x3(in, in/4, no bias) - norm - ReLU - Dropout - Conv1x1(in/4,
 * classes), as a Sequential, so its keys are {@code 0.weight, 1.*, 4.weight, 4.bias}.
 * [N, in, h, w] -> [N, classes, h, w].
 *
 * <p>Stateless factory; the heads it makes follow {@link Fcn}'s thread-safety rules.
 */
public final class FcnHead {

    private FcnHead() {}

    /**
     * A new, uninitialised head.
     *
     * @param inChannels the input channels (2048 on ResNet-50's layer4, 1024 on its layer3)
     * @param classes output channels, one per class
     * @param norm the norm after the 3x3 conv
     * @param dropout the dropout probability (0.1), active only in training
     * @return the head, a 5-layer Sequential
     */
    public static TorchSequential create(int inChannels, int classes, Norm norm, float dropout) {
        int inter = inChannels / 4;
        return new TorchSequential(
                Conv2dLayer.builder(inChannels, inter, 3).padding(1).bias(false).build(),
                norm.create(inter),
                new ReluLayer(true), // after BN: torchvision's nn.ReLU(), same values
                new DropoutLayer(dropout),
                Conv2dLayer.builder(inter, classes, 1).build());
    }
}
