package org.resvision.data.coco;

/**
 * One detection in COCO's results format (the list {@code loadRes} reads).
 *
 * @param bbox {@code [x, y, w, h]}, or {@code null} for a segmentation-only result
 * @param segmentation a mask (normally compressed RLE), or {@code null}
 */
public record CocoResult(long imageId, long categoryId, double[] bbox, double score, Segmentation segmentation) implements java.io.Serializable {}
