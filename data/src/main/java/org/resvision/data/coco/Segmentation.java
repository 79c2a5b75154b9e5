package org.resvision.data.coco;

import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.Rle;
import java.util.ArrayList;
import java.util.List;

/** A COCO {@code segmentation}: polygons, uncompressed RLE ({@code counts} list) or compressed RLE. */
public sealed interface Segmentation extends java.io.Serializable {

    /**
     * The mask as pycocotools' {@code annToRLE} builds it for an image of {@code h x w}:
     * polygons are rasterised and merged (a first part of exactly 4 numbers makes every part a
     * box {@code [x, y, w, h]}, as {@code frPyObjects} does); RLEs keep their own size.
     *
     * @param h the image height in pixels (used by polygons only)
     * @param w the image width in pixels (used by polygons only)
     * @return a new mask, column-major as all {@link Rle}s; for {@link Polygons} without parts a 0x0 mask
     * @throws IllegalArgumentException when the counts are not a valid RLE (negative, or not summing to
     *     the RLE's own {@code h * w}), a compressed string is malformed or a polygon's outline is too long
     */
    Rle toRle(int h, int w);

    /**
     * One or more polygons {@code [x0, y0, x1, y1, ...]} in pixels.
     *
     * @param parts the polygons, each a flat list of coordinates (not copied)
     * @serial exclude
     */
    record Polygons(double[][] parts) implements Segmentation {
        @Override
        public Rle toRle(int h, int w) {
            boolean boxes = parts.length > 0 && parts[0].length == 4;
            List<Rle> rles = new ArrayList<>(parts.length);
            for (double[] p : parts) {
                rles.add(boxes ? MaskApi.frBbox(p, h, w) : MaskApi.frPoly(p, h, w));
            }
            return MaskApi.merge(rles, false);
        }
    }

    /**
     * {@code {"size": [h, w], "counts": [..]}}.
     *
     * @param h mask height in pixels
     * @param w mask width in pixels
     * @param counts run lengths, column-major, starting with a run of 0s (not copied; shared with the
     *     {@link Rle} that {@link #toRle} makes)
     * @serial exclude
     */
    record UncompressedRle(int h, int w, int[] counts) implements Segmentation {
        @Override
        public Rle toRle(int imageH, int imageW) {
            return new Rle(h, w, counts);
        }
    }

    /**
     * {@code {"size": [h, w], "counts": "..."}}.
     *
     * @param h mask height in pixels
     * @param w mask width in pixels
     * @param counts the runs in COCO's compressed string form (see {@link MaskApi#fromString})
     * @serial exclude
     */
    record CompressedRle(int h, int w, String counts) implements Segmentation {
        @Override
        public Rle toRle(int imageH, int imageW) {
            return MaskApi.fromString(counts, h, w);
        }
    }
}
