package org.resvision.data.coco;

/**
 * An entry of {@code annotations}.
 *
 * @param id the annotation id; {@link CocoReader} gives 0 to an annotation without one
 * @param imageId the {@code image_id} of the image it annotates
 * @param categoryId the COCO category id ({@code category_id}), not a training label
 * @param bbox {@code [x, y, w, h]} in pixels (COCO's file convention)
 * @param area the {@code area} field as written (evaluation uses it as is); NaN when the file has none
 * @param iscrowd true for a crowd region ({@code iscrowd} 1): ignored by training, matched specially by
 *     evaluation
 * @param segmentation polygons or RLE, or {@code null} when absent
 * @serial exclude
 */
public record CocoAnnotation(
        long id, long imageId, long categoryId, double[] bbox, double area, boolean iscrowd, Segmentation segmentation) implements java.io.Serializable {}
