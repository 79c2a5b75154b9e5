package org.resvision.eval.coco;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.resvision.data.io.AtomicFiles;

/**
 * Precision-recall curves as PNG files, drawn with the JDK alone (headless).
 *
 * <p>Stateless: {@link #write} may run from several threads at once (each file is written
 * atomically, through a temporary sibling renamed over it).
 */
public final class PrCurvePlot {

    private static final Color[] COLORS = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44)};
    private static final int W = 640;
    private static final int H = 480;
    private static final int M = 60;

    private PrCurvePlot() {}

    /**
     * Writes {@code overall.png} (category-averaged curves at IoU .50, .75 and averaged over
     * .50:.95) and one {@code <id>_<name>.png} per category with GT (curves at .50 and .75).
     * Images are 640 x 480; a curve is precision at each recall threshold, area range 0 ("all"),
     * the last maxDets, averaged over the categories (and IoU thresholds) that have GT.
     *
     * @param r the evaluation; its IoU thresholds should hold 0.5 and 0.75 exactly (without one,
     *     the curve labelled with it shows the average over every threshold instead)
     * @param names category name per id, for titles and file names ({@code <name>} has every
     *     character other than {@code A-Z a-z 0-9 _ -} replaced by {@code _}; no name: {@code <id>.png})
     * @param dir the output directory, created when missing; existing files of the same names are
     *     replaced
     * @return the number of files written
     * @throws IOException when the directory or a file cannot be written
     */
    public static int write(CocoEvalResult r, java.util.Map<Long, String> names, Path dir) throws IOException {
        Files.createDirectories(dir);
        int t50 = indexOf(r.params().iouThresholds(), 0.5);
        int t75 = indexOf(r.params().iouThresholds(), 0.75);
        int K = r.categoryIds().length;
        double[][] overall = {curve(r, t50, -1), curve(r, t75, -1), curve(r, -1, -1)};
        save(draw("all categories", new String[] {"IoU=.50", "IoU=.75", "IoU=.50:.95"}, overall, r), dir.resolve("overall.png"));
        int files = 1;
        for (int k = 0; k < K; k++) {
            double[] c50 = curve(r, t50, k);
            if (c50 == null) {
                continue;
            }
            long id = r.categoryIds()[k];
            String name = names.getOrDefault(id, "");
            String safe = name.replaceAll("[^A-Za-z0-9_-]", "_");
            String title = String.format(Locale.ROOT, "%s (id %d): AP=%.3f AP50=%.3f", name, id, r.categoryAp(k), r.categoryAp50(k));
            save(draw(title, new String[] {"IoU=.50", "IoU=.75"}, new double[][] {c50, curve(r, t75, k)}, r),
                    dir.resolve(id + (safe.isEmpty() ? "" : "_" + safe) + ".png"));
            files++;
        }
        return files;
    }

    private static int indexOf(double[] values, double v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** Precision per recall threshold (area all, last maxDets), averaged over valid categories / IoUs; null if none. */
    static double[] curve(CocoEvalResult r, int t, int k) {
        double[] out = new double[r.precisionShape()[1]];
        boolean any = false;
        for (int ri = 0; ri < out.length; ri++) {
            double v = r.meanPrecision(t, ri, k, 0);
            out[ri] = v < 0 ? Double.NaN : v;
            any |= v >= 0;
        }
        return any ? out : null;
    }

    private static BufferedImage draw(String title, String[] labels, double[][] curves, CocoEvalResult r) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setColor(new Color(225, 225, 225));
        for (int i = 0; i <= 10; i++) {
            int x = M + i * (W - 2 * M) / 10;
            int y = H - M - i * (H - 2 * M) / 10;
            g.drawLine(x, M, x, H - M);
            g.drawLine(M, y, W - M, y);
        }
        g.setColor(Color.BLACK);
        g.drawRect(M, M, W - 2 * M, H - 2 * M);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 10; i += 2) {
            String s = String.format(Locale.ROOT, "%.1f", i / 10.0);
            g.drawString(s, M + i * (W - 2 * M) / 10 - 8, H - M + 16);
            g.drawString(s, M - 28, H - M - i * (H - 2 * M) / 10 + 4);
        }
        g.drawString("recall", W / 2 - 16, H - 18);
        g.drawString("precision", 6, M - 10);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, M, 30);
        double[] rec = r.params().recallThresholds();
        g.setStroke(new BasicStroke(2f));
        for (int c = 0; c < curves.length; c++) {
            if (curves[c] == null) {
                continue;
            }
            g.setColor(COLORS[c % COLORS.length]);
            for (int i = 1; i < rec.length; i++) {
                double p0 = curves[c][i - 1];
                double p1 = curves[c][i];
                if (Double.isNaN(p0) || Double.isNaN(p1)) {
                    continue;
                }
                g.drawLine(px(rec[i - 1]), py(p0), px(rec[i]), py(p1));
            }
            g.fillRect(W - M - 130, M + 12 + 18 * c, 14, 4);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(labels[c], W - M - 110, M + 18 + 18 * c);
        }
        g.dispose();
        return img;
    }

    private static int px(double recall) {
        return (int) Math.round(M + recall * (W - 2 * M));
    }

    private static int py(double precision) {
        return (int) Math.round(H - M - precision * (H - 2 * M));
    }

    private static void save(BufferedImage img, Path file) throws IOException {
        AtomicFiles.writePng(img, file);
    }
}
