package org.resvision.data.coco;

/**
 * An entry of {@code annotations}.
 *
 * @param bbox {@code [x, y, w, h]} in pixels (COCO's file convention)
 * @param area the {@code area} field as written (evaluation uses it as is)
 * @param segmentation polygons or RLE, or {@code null} when absent
 */
public record CocoAnnotation(
        long id, long imageId, long categoryId, double[] bbox, double area, boolean iscrowd, Segmentation segmentation) implements java.io.Serializable {}
