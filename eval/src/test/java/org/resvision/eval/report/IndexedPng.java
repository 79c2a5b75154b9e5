package org.resvision.eval.report;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * A screenshot as a small 8-bit palette PNG (for the README's eval/docs/report.png): the palette
 * holds the most frequent colours, then greedily the colour farthest from the palette weighted by
 * the square root of its frequency (so that rare but distinct chart colours survive); every pixel
 * takes its nearest palette colour; deflate at its strongest.
 */
final class IndexedPng {

    private IndexedPng() {}

    static void write(BufferedImage img, Path file) throws IOException {
        int w = img.getWidth();
        int h = img.getHeight();
        Map<Integer, Integer> freq = new HashMap<>();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                freq.merge(img.getRGB(x, y) & 0xffffff, 1, Integer::sum);
            }
        }
        List<Map.Entry<Integer, Integer>> byFreq = new ArrayList<>(freq.entrySet());
        byFreq.sort((p, q) -> !p.getValue().equals(q.getValue()) ? q.getValue() - p.getValue() : p.getKey() - q.getKey());
        int m = byFreq.size();
        int n = Math.min(256, m);
        int[] colour = new int[m];
        double[] weight = new double[m];
        double[] dist = new double[m];
        for (int i = 0; i < m; i++) {
            colour[i] = byFreq.get(i).getKey();
            weight[i] = Math.sqrt(byFreq.get(i).getValue());
            dist[i] = Double.MAX_VALUE;
        }
        int[] palette = new int[n];
        for (int k = 0; k < n; k++) {
            int pick = k;
            if (k >= 64) {
                double best = -1;
                for (int i = 0; i < m; i++) {
                    if (dist[i] * weight[i] > best) {
                        best = dist[i] * weight[i];
                        pick = i;
                    }
                }
            }
            palette[k] = colour[pick];
            for (int i = 0; i < m; i++) {
                dist[i] = Math.min(dist[i], distance(colour[i], palette[k]));
            }
        }
        byte[] r = new byte[n];
        byte[] g = new byte[n];
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            r[i] = (byte) (palette[i] >> 16);
            g[i] = (byte) (palette[i] >> 8);
            b[i] = (byte) palette[i];
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, n, r, g, b));
        WritableRaster raster = out.getRaster();
        Map<Integer, Integer> nearest = new HashMap<>();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setSample(x, y, 0, nearest.computeIfAbsent(img.getRGB(x, y) & 0xffffff, c -> nearest(c, palette)));
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0f);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.deleteIfExists(file);
        try (ImageOutputStream os = ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(os);
            writer.write(null, new IIOImage(out, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    private static int nearest(int c, int[] palette) {
        int best = 0;
        double bestD = Double.MAX_VALUE;
        for (int i = 0; i < palette.length; i++) {
            double d = distance(c, palette[i]);
            if (d < bestD) {
                bestD = d;
                best = i;
            }
        }
        return best;
    }

    /** A weighted RGB distance (green counts most, blue least). */
    private static double distance(int a, int b) {
        int dr = ((a >> 16) & 255) - ((b >> 16) & 255);
        int dg = ((a >> 8) & 255) - ((b >> 8) & 255);
        int db = (a & 255) - (b & 255);
        return 3.0 * dr * dr + 4.0 * dg * dg + 2.0 * db * db;
    }
}
