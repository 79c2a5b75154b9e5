package org.resvision.data.voc;

/** A class-index map: {@code labels[y * width + x]} unsigned, 255 = void / ignore. */
public record SegmentationMap(int width, int height, byte[] labels) {

    /** The label at (x, y), 0..255. */
    public int label(int x, int y) {
        return labels[y * width + x] & 0xff;
    }
}
