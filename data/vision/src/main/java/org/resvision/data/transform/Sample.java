package org.resvision.data.transform;

import ai.djl.ndarray.NDArray;
import org.resvision.data.boxes.Boxes;

/**
 * An image with its targets, transformed together. Arrays are shared, not copied, and the NDArrays
 * belong to whoever created them (a loader's batch manager, usually).
 *
 * @param image [3, H, W] float RGB
 * @param boxes one per object, in absolute pixels (may be empty, never null)
 * @param labels a training label per box
 * @param masks [N, H, W] uint8 instance masks, or null
 * @param segMap [H, W] class map (255 = ignore), or null
 */
public record Sample(NDArray image, Boxes boxes, int[] labels, NDArray masks, NDArray segMap) {

    /**
     * Checks that boxes and labels pair up.
     *
     * @param image [3, H, W] float RGB
     * @param boxes one per object
     * @param labels a training label per box
     * @param masks [N, H, W] instance masks, or null
     * @param segMap [H, W] class map, or null
     * @throws IllegalArgumentException when {@code boxes} and {@code labels} differ in length
     * @throws NullPointerException when {@code boxes} or {@code labels} is null
     */
    public Sample {
        if (boxes.size() != labels.length) {
            throw new IllegalArgumentException(boxes.size() + " boxes but " + labels.length + " labels");
        }
    }

    /**
     * An image alone: no boxes, labels, masks or class map (what inference transforms take).
     *
     * @param image [3, H, W] float RGB
     * @return the sample
     */
    public static Sample of(NDArray image) {
        return new Sample(image, Boxes.empty(), new int[0], null, null);
    }

    /**
     * The image's height.
     *
     * @return H of {@code image} [3, H, W], in pixels
     */
    public long height() {
        return image.getShape().get(1);
    }

    /**
     * The image's width.
     *
     * @return W of {@code image} [3, H, W], in pixels
     */
    public long width() {
        return image.getShape().get(2);
    }

    /**
     * This sample with another image and the same targets, for transforms that change pixel values only.
     *
     * @param newImage [3, H, W], the same size (not checked: boxes and maps are kept as they are)
     * @return a new sample sharing this one's targets; this one's image is neither closed nor changed
     */
    public Sample withImage(NDArray newImage) {
        return new Sample(newImage, boxes, labels, masks, segMap);
    }
}
