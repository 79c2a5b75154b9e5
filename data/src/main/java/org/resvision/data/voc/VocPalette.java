package org.resvision.data.voc;

import java.awt.image.IndexColorModel;

/**
 * PASCAL VOC's colour map: index {@code i}'s colour interleaves the bits of {@code i}; 255 is void.
 * Stateless; safe to use from several threads at once.
 */
public final class VocPalette {

    private VocPalette() {}

    /**
     * The 256-entry palette as an 8-bit {@link IndexColorModel}.
     *
     * @return a new colour model, entry {@code i} coloured {@link #rgb(int) rgb(i)} (entry 255 is void's
     *     (224, 224, 192))
     */
    public static IndexColorModel colorModel() {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < 256; i++) {
            int[] rgb = rgb(i);
            r[i] = (byte) rgb[0];
            g[i] = (byte) rgb[1];
            b[i] = (byte) rgb[2];
        }
        return new IndexColorModel(8, 256, r, g, b);
    }

    /**
     * The colour of index {@code i}.
     *
     * @param i the class index, 0..255 (only its low 8 bits are used)
     * @return a new array {@code {r, g, b}}, each 0..255; index 0 (background) is black
     */
    public static int[] rgb(int i) {
        int c = i;
        int r = 0;
        int g = 0;
        int b = 0;
        for (int j = 0; j < 8; j++) {
            r |= ((c >> 0) & 1) << (7 - j);
            g |= ((c >> 1) & 1) << (7 - j);
            b |= ((c >> 2) & 1) << (7 - j);
            c >>= 3;
        }
        return new int[] {r, g, b};
    }

    /**
     * Writes class indices (row-major, {@code w x h}) as a VOC palette PNG, atomically.
     *
     * @param file the PNG to write; missing parent folders are created, an existing file is replaced
     * @param labels at least {@code w * h} class indices, {@code labels[y * w + x]}, 255 for void
     * @param w width in pixels
     * @param h height in pixels
     * @throws java.io.IOException when the file cannot be written (then it is left as it was)
     */
    public static void writePng(java.nio.file.Path file, byte[] labels, int w, int h) throws java.io.IOException {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_BYTE_INDEXED, colorModel());
        img.getRaster().setDataElements(0, 0, w, h, labels);
        org.resvision.data.io.AtomicFiles.writePng(img, file);
    }
}
