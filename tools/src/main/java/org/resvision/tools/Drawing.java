package org.resvision.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.resvision.detection.Detections;

/**
 * Drawing of model outputs, for {@code predict --draw} and {@code annotate-video}: boxes with
 * class (or track) labels that do not cover one another, class masks blended over the frame, and
 * drawn image files (small images enlarged so that labels stay legible). Colours are stable per
 * class or track id.
 */
final class Drawing {

    private Drawing() {}

    /** Images whose short side is below this are drawn enlarged by a whole factor, so that labels stay legible. */
    static final int DRAW_MIN_SIDE = 360;

    /**
     * The image with its boxes, class names and scores drawn, written atomically as JPEG; an image
     * whose short side is under {@value #DRAW_MIN_SIDE} px is first enlarged by the smallest whole
     * factor that reaches it (nearest neighbour: the pixels stay as the model saw them).
     */
    static void drawImage(Path image, Detections d, List<String> names, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (Mat mat = opencv_imgcodecs.imread(image.toString(), opencv_imgcodecs.IMREAD_COLOR)) {
            if (mat == null || mat.empty()) {
                throw new IOException(image + ": cannot decode the image to draw on");
            }
            int scale = drawScale(mat.cols(), mat.rows());
            if (scale > 1) {
                try (org.bytedeco.opencv.opencv_core.Size big = new org.bytedeco.opencv.opencv_core.Size(mat.cols() * scale,
                        mat.rows() * scale)) {
                    opencv_imgproc.resize(mat, mat, big, 0, 0, opencv_imgproc.INTER_NEAREST);
                }
            }
            draw(mat, d, null, names, scale);
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp.jpg");
            if (!opencv_imgcodecs.imwrite(tmp.toString(), mat)) {
                throw new IOException(file + ": could not write the drawn image");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The whole factor that brings the short side of a {@code width x height} image to {@link #DRAW_MIN_SIDE} px or more. */
    static int drawScale(int width, int height) {
        int shortSide = Math.max(1, Math.min(width, height));
        return shortSide >= DRAW_MIN_SIDE ? 1 : (DRAW_MIN_SIDE + shortSide - 1) / shortSide;
    }

    private static final int[][] PALETTE = {{230, 25, 75}, {60, 180, 75}, {255, 225, 25}, {0, 130, 200}, {245, 130, 48},
        {145, 30, 180}, {70, 240, 240}, {240, 50, 230}, {210, 245, 60}, {250, 190, 212}, {0, 128, 128}, {220, 190, 255},
        {170, 110, 40}, {255, 250, 200}, {128, 0, 0}, {170, 255, 195}, {128, 128, 0}, {255, 215, 180}, {0, 0, 128}, {128, 128, 128}};

    /** A stable, distinct colour per class or track id (RGB). */
    static int[] color(int key) {
        return PALETTE[Math.floorMod(key, PALETTE.length)];
    }

    /** Half the frame, half the class colour where the class map is not background. */
    static void blend(Mat bgr, byte[] mask) {
        byte[] px = new byte[mask.length * 3];
        bgr.data().get(px);
        for (int i = 0; i < mask.length; i++) {
            int cls = mask[i] & 0xff;
            if (cls == 0) {
                continue;
            }
            int[] col = org.resvision.data.voc.VocPalette.rgb(cls);
            for (int c = 0; c < 3; c++) {
                int v = px[3 * i + c] & 0xff;
                px[3 * i + c] = (byte) ((v + col[2 - c]) / 2);
            }
        }
        bgr.data().put(px);
    }

    static void draw(Mat bgr, Detections d, int[] ids, List<String> names) {
        draw(bgr, d, ids, names, 1);
    }

    /**
     * Boxes and labels ({@code [#track ]class score}) in each class's (or track's) colour: every box
     * first, then each label in black or white on a filled band of that colour, at the first place
     * where it covers no earlier label (above the box, inside its top, below it, inside its bottom),
     * so that a shape boxed twice with two classes shows both.
     *
     * @param scale the factor from the detections' coordinates to {@code bgr}'s (an enlarged image)
     */
    static void draw(Mat bgr, Detections d, int[] ids, List<String> names, int scale) {
        float[] b = d.boxes().toArray();
        int[][] box = new int[d.size()][];
        int[][] colour = new int[d.size()][];
        for (int k = 0; k < d.size(); k++) {
            box[k] = new int[] {Math.round(b[4 * k] * scale), Math.round(b[4 * k + 1] * scale),
                Math.round(b[4 * k + 2] * scale), Math.round(b[4 * k + 3] * scale)};
            colour[k] = color(ids != null && ids[k] > 0 ? ids[k] : d.labels()[k]);
            int[] col = colour[k];
            try (Scalar s = new Scalar(col[2], col[1], col[0], 0);
                    Point p1 = new Point(box[k][0], box[k][1]);
                    Point p2 = new Point(box[k][2], box[k][3])) {
                opencv_imgproc.rectangle(bgr, p1, p2, s, 2, opencv_imgproc.LINE_8, 0);
            }
        }
        int[] baseline = new int[1];
        List<int[]> taken = new java.util.ArrayList<>();
        for (int k = 0; k < d.size(); k++) {
            int[] col = colour[k];
            String text = String.format(Locale.ROOT, "%s%s %.2f", ids != null && ids[k] > 0 ? "#" + ids[k] + " " : "",
                    names.get(d.labels()[k]), d.scores()[k]);
            boolean light = 0.299 * col[0] + 0.587 * col[1] + 0.114 * col[2] > 140;
            try (Scalar s = new Scalar(col[2], col[1], col[0], 0);
                    Scalar ink = light ? new Scalar(0, 0, 0, 0) : new Scalar(255, 255, 255, 0);
                    org.bytedeco.opencv.opencv_core.Size ts = opencv_imgproc.getTextSize(text, opencv_imgproc.FONT_HERSHEY_SIMPLEX,
                            0.4, 1, baseline)) {
                int[] band = labelBand(box[k], ts.width() + 4, ts.height() + baseline[0] + 3, bgr.cols(), bgr.rows(), taken);
                taken.add(band);
                try (Point b1 = new Point(band[0], band[1]);
                        Point b2 = new Point(band[2], band[3]);
                        Point t = new Point(band[0] + 2, band[1] + ts.height() + 1)) {
                    opencv_imgproc.rectangle(bgr, b1, b2, s, opencv_imgproc.FILLED, opencv_imgproc.LINE_8, 0);
                    opencv_imgproc.putText(bgr, text, t, opencv_imgproc.FONT_HERSHEY_SIMPLEX, 0.4, ink, 1, opencv_imgproc.LINE_AA, false);
                }
            }
        }
    }

    /**
     * Where a label band of {@code w x h} goes for box {@code (x1, y1, x2, y2)}: the first of above
     * the box, inside its top, below it and inside its bottom (left-aligned with the box, shifted
     * into the image) that lies in the image and overlaps no band in {@code taken}; the first that
     * lies in the image when every place is taken.
     *
     * @return the band's corners {@code (x1, y1, x2, y2)}
     */
    static int[] labelBand(int[] box, int w, int h, int cols, int rows, List<int[]> taken) {
        int left = Math.max(0, Math.min(box[0], cols - w));
        int[] tops = {box[1] - h, box[1], box[3], box[3] - h};
        int[] fallback = null;
        for (int top : tops) {
            if (top < 0 || top + h > rows) {
                continue;
            }
            int[] band = {left, top, left + w, top + h};
            if (fallback == null) {
                fallback = band;
            }
            boolean free = true;
            for (int[] t : taken) {
                free &= band[2] <= t[0] || t[2] <= band[0] || band[3] <= t[1] || t[3] <= band[1];
            }
            if (free) {
                return band;
            }
        }
        if (fallback != null) {
            return fallback;
        }
        int top = Math.max(0, Math.min(box[1], rows - h)); // an image lower than the band: at its top
        return new int[] {left, top, left + w, top + h};
    }
}
