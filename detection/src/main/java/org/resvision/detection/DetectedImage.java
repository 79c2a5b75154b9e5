package org.resvision.detection;

/**
 * One image's output of the detection inference loop ({@link DetectionEvaluation#run}), what its
 * evaluators process.
 *
 * @param index the image's position in the source (for a COCO source, in the dataset's image list)
 * @param detections the detections in the pixels of the image the model saw (resized, unpadded)
 * @param height that image's height in pixels
 * @param width that image's width in pixels
 */
public record DetectedImage(int index, Detections detections, int height, int width) {

    /**
     * The detections in another image size's pixels (usually the original image's).
     *
     * @param originalHeight the target height in pixels
     * @param originalWidth the target width in pixels
     * @return new detections, boxes scaled per axis ({@link Detections#rescale})
     */
    public Detections rescaled(int originalHeight, int originalWidth) {
        return detections.rescale(height, width, originalHeight, originalWidth);
    }
}
