package org.resvision.segmentation;

import ai.djl.training.initializer.Initializer;
import org.resvision.nn.Conv2dLayer;
import org.resvision.nn.DropoutLayer;
import org.resvision.nn.Initializers;
import org.resvision.nn.Norm;
import org.resvision.nn.ReluLayer;
import org.resvision.nn.TorchSequential;

/**
 * torchvision's {@code FCNHead}: Conv3x3(in, in/4, no bias) - norm - ReLU - Dropout - Conv1x1(in/4,
 * classes), as a Sequential, so its keys are {@code 0.weight, 1.*, 4.weight, 4.bias}.
 * [N, in, h, w] -> [N, classes, h, w]. Both convolutions are initialised as {@code nn.Conv2d}
 * initialises itself (torchvision's head does not re-initialise them): weights {@code
 * kaiming_uniform_(a=sqrt(5))}, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the classifier's bias
 * from the same range, not the backbone's kaiming-normal (fan_out), whose class scores would start
 * about 60 times larger (a training step's first loss 11.3 instead of torchvision's 4.6 on 21
 * classes).
 *
 * <p>At inference the 3x3 convolution of one image's NCHW map (as {@link Fcn} hands it) runs as a
 * Winograd convolution ({@link Conv2dLayer.Builder#winograd}): on FCN-ResNet50 at 520 px its 2048 ->
 * 512 took 188 instead of 424 ms.
 *
 * <p>Stateless factory; the heads it makes follow {@link Fcn}'s thread-safety rules.
 */
public final class FcnHead {

    /** {@code nn.Conv2d}'s own weight initialisation. */
    private static final Initializer TORCH_DEFAULT = Initializers.kaimingUniform(Math.sqrt(5));

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
                Conv2dLayer.builder(inChannels, inter, 3).padding(1).bias(false).winograd(true).weightInit(TORCH_DEFAULT).build(),
                norm.create(inter),
                new ReluLayer(true), // after BN: torchvision's nn.ReLU(), same values
                new DropoutLayer(dropout),
                Conv2dLayer.builder(inter, classes, 1).weightInit(TORCH_DEFAULT).build());
    }
}
