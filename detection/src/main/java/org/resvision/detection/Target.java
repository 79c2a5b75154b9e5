package org.resvision.detection;

/**
 * One image's ground truth for training: boxes {@code x1, y1, x2, y2} (flat, in the coordinates of
 * the transformed image) and labels {@code 1..K} (0 is background).
 *
 * @param boxes flat {@code x1, y1, x2, y2} in pixels of the resized image, {@code 4 * size()} values
 *     (kept, not copied)
 * @param labels one per box, {@code 1..num_classes-1} (kept, not copied)
 */
public record Target(float[] boxes, int[] labels) {

    /**
     * Checks that there is one label per box.
     *
     * @param boxes flat {@code x1, y1, x2, y2} in pixels of the resized image
     * @param labels one per box
     * @throws IllegalArgumentException when {@code boxes.length != 4 * labels.length}
     */
    public Target {
        if (boxes.length != 4 * labels.length) {
            throw new IllegalArgumentException(boxes.length / 4 + " boxes but " + labels.length + " labels");
        }
    }

    /**
     * The number of objects.
     *
     * @return {@code labels.length}, 0 for an image without objects
     */
    public int size() {
        return labels.length;
    }
}
