package org.resvision.detection;

/**
 * One image's ground truth for training: boxes {@code x1, y1, x2, y2} (flat, in the coordinates of
 * the transformed image) and labels {@code 1..K} (0 is background).
 */
public record Target(float[] boxes, int[] labels) {

    public Target {
        if (boxes.length != 4 * labels.length) {
            throw new IllegalArgumentException(boxes.length / 4 + " boxes but " + labels.length + " labels");
        }
    }

    public int size() {
        return labels.length;
    }
}
