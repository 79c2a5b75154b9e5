package org.resvision.detection;

/**
 * One image's detections, best first: boxes {@code x1, y1, x2, y2} (flat), scores, and labels
 * {@code 1..K} (indices into the config's class names, 0 being background).
 *
 * @param boxes flat {@code x1, y1, x2, y2} in pixels ({@code 4 * size()} values)
 * @param scores one per detection, the class probability, descending
 * @param labels one per detection, the class index
 */
public record Detections(float[] boxes, float[] scores, int[] labels) {

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
        float[] b = boxes.clone();
        for (int i = 0; i < b.length; i += 4) {
            b[i] *= rw;
            b[i + 1] *= rh;
            b[i + 2] *= rw;
            b[i + 3] *= rh;
        }
        return new Detections(b, scores, labels);
    }
}
