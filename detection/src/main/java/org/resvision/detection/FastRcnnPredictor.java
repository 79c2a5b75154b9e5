package org.resvision.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.resvision.nn.LinearLayer;
import org.resvision.nn.TorchModule;

/**
 * torchvision's {@code FastRCNNPredictor}: {@code cls_score} [R, classes] and {@code bbox_pred} [R,
 * 4 classes] (class-specific deltas) from the box head's representation. Thread-safety: as
 * {@link FasterRcnn}.
 */
public final class FastRcnnPredictor extends TorchModule {

    private final LinearLayer clsScore;
    private final LinearLayer bboxPred;
    private final int classes;

    /**
     * Two Linear layers with PyTorch's default initialisation.
     *
     * @param inChannels the representation size
     * @param numClasses classes including the background
     */
    public FastRcnnPredictor(int inChannels, int numClasses) {
        this.classes = numClasses;
        clsScore = register("cls_score", new LinearLayer(inChannels, numClasses));
        bboxPred = register("bbox_pred", new LinearLayer(inChannels, 4 * numClasses));
    }

    /**
     * The class count.
     *
     * @return classes including the background
     */
    public int numClasses() {
        return classes;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        return new NDList(clsScore.forward(ps, inputs, training).singletonOrThrow(), bboxPred.forward(ps, new NDList(x), training).singletonOrThrow());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long r = inputShapes[0].get(0);
        return new Shape[] {new Shape(r, classes), new Shape(r, 4L * classes)};
    }
}
