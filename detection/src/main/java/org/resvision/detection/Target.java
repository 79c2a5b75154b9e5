package org.resvision.detection;

import org.resvision.data.boxes.Boxes;

/**
 * One image's ground truth for training: boxes (in the coordinates of the transformed image) and
 * labels {@code 1..K} (0 is background).
 *
 * @param boxes in pixels of the resized image
 * @param labels one per box, {@code 1..num_classes-1} (kept, not copied)
 */
public record Target(Boxes boxes, int[] labels) {

    /**
     * Checks that there is one label per box.
     *
     * @param boxes in pixels of the resized image
     * @param labels one per box
     * @throws IllegalArgumentException when the counts differ
     */
    public Target {
        if (boxes.size() != labels.length) {
            throw new IllegalArgumentException(boxes.size() + " boxes but " + labels.length + " labels");
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
