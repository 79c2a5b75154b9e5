package org.resvision.detection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;

/**
 * DJL's {@link Loss} for a {@link FasterRcnn} trained by a {@code Trainer}: the model's forward
 * with labels returns its losses ({@code loss_objectness, loss_rpn_box_reg, loss_classifier,
 * loss_box_reg}), and this loss is their sum, as torchvision's reference scripts sum the loss
 * dict. {@code new DefaultTrainingConfig(new FasterRcnnLoss())}, then {@code
 * EasyTrain.trainBatch(trainer, batch); trainer.step()} over {@code DetectionDataset} batches.
 *
 * <p>In validation the model returns detections, not losses (torchvision's eval mode does the
 * same): the value is then NaN, a loss that does not exist rather than a made-up one; validate
 * with {@code CocoMapEvaluator}.
 *
 * <p>Holds no state of its own ({@link #evaluate} reads only its arguments); the running totals it
 * inherits from DJL's {@code Loss} are updated without synchronization: one instance per Trainer.
 */
public final class FasterRcnnLoss extends Loss {

    /** A loss named {@code faster_rcnn_loss}. */
    public FasterRcnnLoss() {
        super("faster_rcnn_loss");
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        if (predictions.isEmpty() || !isLoss(predictions.get(0))) {
            return labels.head().getManager().create(Float.NaN).reshape(new Shape());
        }
        NDArray sum = predictions.get(0);
        for (int i = 1; i < predictions.size(); i++) {
            if (!isLoss(predictions.get(i))) {
                throw new IllegalArgumentException("prediction " + i + " (" + predictions.get(i).getName() + ") is not one of Faster R-CNN's losses");
            }
            sum = sum.add(predictions.get(i));
        }
        return sum;
    }

    private static boolean isLoss(NDArray a) {
        return a.getName() != null && a.getName().startsWith("loss_") && a.getShape().isScalar();
    }
}
