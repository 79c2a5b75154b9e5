package org.resvision.data.coco;

/**
 * One detection in COCO's results format (the list {@code loadRes} reads).
 *
 * @param imageId the {@code image_id} the detection belongs to
 * @param categoryId the COCO category id ({@code category_id}), not a training label
 * @param bbox {@code [x, y, w, h]}, or {@code null} for a segmentation-only result
 * @param score the detection's confidence, a finite number; higher ranks first in evaluation
 * @param segmentation a mask (normally compressed RLE), or {@code null}
 * @serial exclude
 */
public record CocoResult(long imageId, long categoryId, double[] bbox, double score, Segmentation segmentation) implements java.io.Serializable {}
