package org.resvision.data.voc;

/**
 * A class-index map: {@code labels[y * width + x]} unsigned, 255 = void / ignore.
 *
 * @param width map width in pixels
 * @param height map height in pixels
 * @param labels {@code width * height} class indices, row-major, read as unsigned (not copied)
 */
public record SegmentationMap(int width, int height, byte[] labels) {

    /**
     * The label at (x, y), 0..255.
     *
     * @param x column, 0-based, below {@code width} (not checked: a larger {@code x} reads the next row)
     * @param y row, 0-based, below {@code height}
     * @return the class index, or 255 for void
     * @throws ArrayIndexOutOfBoundsException when (x, y) falls outside the array
     */
    public int label(int x, int y) {
        return labels[y * width + x] & 0xff;
    }
}
