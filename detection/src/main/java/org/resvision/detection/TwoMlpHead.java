package org.resvision.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.resvision.nn.LinearLayer;
import org.resvision.nn.TorchModule;

/**
 * torchvision's {@code TwoMLPHead}: flatten, {@code fc6} + ReLU, {@code fc7} + ReLU. [R, C, 7, 7] -> [R, rep].
 * Thread-safety: as {@link FasterRcnn}.
 */
public final class TwoMlpHead extends TorchModule {

    private final LinearLayer fc6;
    private final LinearLayer fc7;

    /**
     * A head with PyTorch's default Linear initialisation.
     *
     * @param inChannels the flattened input size, {@code C * 7 * 7} (12544 for 256 channels)
     * @param representationSize the width of {@code fc6} and {@code fc7} (1024)
     */
    public TwoMlpHead(int inChannels, int representationSize) {
        fc6 = register("fc6", new LinearLayer(inChannels, representationSize));
        fc7 = register("fc7", new LinearLayer(representationSize, representationSize));
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        try (NDArray a = fc6.forwardFlattened(ps, x, training); // flatten + fc6, as one convolution on the CPU
                NDArray ra = Activation.relu(a);
                NDArray b = fc7.forward(ps, new NDList(ra), training).singletonOrThrow()) {
            return new NDList(Activation.relu(b));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), fc7.outFeatures())};
    }
}
