package org.resvision.data.transform;

import ai.djl.ndarray.NDArray;

/**
 * An image with its targets, transformed together.
 *
 * @param image [3, H, W] float RGB
 * @param boxes {@code [x1, y1, x2, y2]} in absolute pixels per object (may be empty, never null)
 * @param labels a training label per box
 * @param masks [N, H, W] uint8 instance masks, or null
 * @param segMap [H, W] class map (255 = ignore), or null
 */
public record Sample(NDArray image, float[][] boxes, int[] labels, NDArray masks, NDArray segMap) {

    public Sample {
        if (boxes.length != labels.length) {
            throw new IllegalArgumentException(boxes.length + " boxes but " + labels.length + " labels");
        }
    }

    public long height() {
        return image.getShape().get(1);
    }

    public long width() {
        return image.getShape().get(2);
    }

    public Sample withImage(NDArray newImage) {
        return new Sample(newImage, boxes, labels, masks, segMap);
    }
}
