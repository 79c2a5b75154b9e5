package org.resvision.detection;

import org.resvision.data.boxes.Boxes;

/**
 * One image's detections, best first: boxes, scores, and labels {@code 1..K} (indices into the
 * config's class names, 0 being background).
 *
 * @param boxes in pixels, one per detection
 * @param scores one per detection, the class probability, descending
 * @param labels one per detection, the class index
 */
public record Detections(Boxes boxes, float[] scores, int[] labels) {

    /**
     * Checks that boxes, scores and labels pair up.
     *
     * @param boxes one per detection
     * @param scores one per detection
     * @param labels one per detection
     * @throws IllegalArgumentException when the counts differ
     */
    public Detections {
        if (boxes.size() != scores.length || labels.length != scores.length) {
            throw new IllegalArgumentException(boxes.size() + " boxes, " + scores.length + " scores and " + labels.length + " labels");
        }
    }

    /**
     * No detections.
     *
     * @return an empty result
     */
    public static Detections none() {
        return new Detections(Boxes.empty(), new float[0], new int[0]);
    }

    /**
     * The number of detections.
     *
     * @return {@code scores.length} (0 when nothing was detected)
     */
    public int size() {
        return scores.length;
    }

    /**
     * The same detections with boxes scaled from a {@code resized} image back to {@code original} (float32
     * ratios, as torchvision).
     *
     * @param resizedH height in pixels of the image the boxes are in
     * @param resizedW its width
     * @param originalH height in pixels of the image to map to
     * @param originalW its width
     * @return new detections with new boxes; {@code scores} and {@code labels} are shared with this one
     */
    public Detections rescale(int resizedH, int resizedW, int originalH, int originalW) {
        float rh = (float) originalH / (float) resizedH;
        float rw = (float) originalW / (float) resizedW;
        return new Detections(boxes.scale(rw, rh), scores, labels);
    }
}
