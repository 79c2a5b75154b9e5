package org.resvision.eval.djl;

import ai.djl.modality.cv.output.BoundingBox;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.modality.cv.output.Mask;
import ai.djl.modality.cv.output.Rectangle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.coco.Segmentation;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.Rle;

/**
 * DJL's {@link DetectedObjects} (what a {@code Predictor} gives, for instance with ResVision's
 * {@code DetectionTranslator}) as COCO results, ready for {@code CocoEvaluator} or {@code
 * CocoWriter}.
 *
 * <p>Boxes: DJL's {@link Rectangle} is {@code x, y, width, height} normalised by the image's
 * width and height; a result's {@code bbox} is {@code [x * W, y * H, width * W, height * H]} in
 * pixels, each computed in double and rounded to float. DJL's rectangles come from float
 * tensors, and the rounding undoes the normalisation's own rounding, so detections that went
 * through {@code DetectionTranslator} come back as exactly the numbers {@code
 * CocoDetectionEvaluator.toCoco} gives for them.
 *
 * <p>Masks: a {@link Mask} also gets a compressed-RLE {@code segmentation} of the whole image
 * ({@code size [H, W]}). Its probability map is resized with bilinear interpolation (half-pixel
 * centres, PyTorch's {@code align_corners=False}, as torchvision pastes masks) onto the pixels it
 * covers, and pixels above the threshold (default {@value #DEFAULT_MASK_THRESHOLD}, strictly
 * greater, as torchvision's COCO evaluation) are in the mask. Which pixels it covers follows DJL's
 * two conventions, as DJL's own image drawing reads them: a full-image mask ({@link
 * Mask#isFullImageMask()}) covers the whole image whatever the map's resolution; otherwise the
 * map covers the box, {@code floor(x * W), floor(y * H)} to {@code (int) (width * W) x (int)
 * (height * H)} pixels, and what falls outside the image is cut off. A map already of the covered
 * size is used as it is (no interpolation).
 *
 * <p>Problems are {@link IllegalArgumentException}s of one line naming the detection: a class
 * name without a category (the line lists the known names), a NaN or infinite score or box, a
 * ragged probability map.
 *
 * <p>Stateless: every method is safe to call from several threads.
 */
public final class DetectedObjectsCoco {

    /** Probabilities strictly above this are in a mask. */
    public static final float DEFAULT_MASK_THRESHOLD = 0.5f;

    private DetectedObjectsCoco() {}

    /**
     * One COCO result per detected object, in order.
     *
     * @param imageId the COCO image id the results are for
     * @param objects detections with normalised rectangles (masks optional)
     * @param imageWidth the image's width in pixels (what the rectangles are normalised by)
     * @param imageHeight the image's height in pixels
     * @param categoryIds category id per class name (see {@link #categoryIds(CocoDataset)})
     * @return results with {@code bbox}, {@code score} and, for masks, {@code segmentation}
     * @throws IllegalArgumentException unknown class name, NaN score or box, bad image size
     */
    public static List<CocoResult> toResults(long imageId, DetectedObjects objects, int imageWidth, int imageHeight,
            Map<String, Long> categoryIds) {
        return toResults(imageId, objects, imageWidth, imageHeight, categoryIds, DEFAULT_MASK_THRESHOLD);
    }

    /**
     * As {@link #toResults(long, DetectedObjects, int, int, Map)} for a COCO image (its id and size).
     *
     * @param image the image the detections are for; its width and height must be known (positive)
     * @param objects detections with normalised rectangles (masks optional)
     * @param categoryIds category id per class name (see {@link #categoryIds(CocoDataset)})
     * @return one result per detected object, in order
     * @throws IllegalArgumentException unknown class name, NaN score or box, unknown image size
     */
    public static List<CocoResult> toResults(CocoImage image, DetectedObjects objects, Map<String, Long> categoryIds) {
        return toResults(image.id(), objects, image.width(), image.height(), categoryIds, DEFAULT_MASK_THRESHOLD);
    }

    /**
     * As {@link #toResults(long, DetectedObjects, int, int, Map)}, with masks thresholded at
     * {@code maskThreshold} (probabilities strictly above it are in).
     *
     * @param imageId the COCO image id the results are for
     * @param objects detections with normalised rectangles (masks optional)
     * @param imageWidth the image's width in pixels, positive
     * @param imageHeight the image's height in pixels, positive
     * @param categoryIds category id per class name
     * @param maskThreshold probabilities strictly above this are in a mask
     * @return one result per detected object, in order
     * @throws IllegalArgumentException unknown class name, NaN score or box, bad image size, ragged
     *     probability map, an image too large for a mask
     */
    public static List<CocoResult> toResults(long imageId, DetectedObjects objects, int imageWidth, int imageHeight,
            Map<String, Long> categoryIds, float maskThreshold) {
        if (imageWidth <= 0 || imageHeight <= 0) {
            throw new IllegalArgumentException("image " + imageId + ": size " + imageWidth + " x " + imageHeight
                    + " (width x height) must be positive");
        }
        List<String> names = objects.getClassNames();
        List<Double> scores = objects.getProbabilities();
        List<CocoResult> out = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            String where = "detection " + (i + 1) + " of image " + imageId;
            String name = names.get(i);
            Long category = categoryIds.get(name);
            if (category == null) {
                throw new IllegalArgumentException(where + ": class '" + name + "' is not a known category (known: "
                        + String.join(", ", categoryIds.keySet()) + ")");
            }
            double score = scores.get(i);
            if (!Double.isFinite(score)) {
                throw new IllegalArgumentException(where + " ('" + name + "'): score is " + score);
            }
            DetectedObjects.DetectedObject object = objects.item(i);
            BoundingBox box = object.getBoundingBox();
            Rectangle r = box.getBounds();
            double[] bbox = {
                pixels(r.getX(), imageWidth), pixels(r.getY(), imageHeight), pixels(r.getWidth(), imageWidth), pixels(r.getHeight(), imageHeight)
            };
            for (double v : bbox) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(where + " ('" + name + "'): box (x, y, width, height) = (" + r.getX() + ", "
                            + r.getY() + ", " + r.getWidth() + ", " + r.getHeight() + ") is not finite");
                }
            }
            Segmentation segmentation = null;
            if (box instanceof Mask mask) {
                Rle rle = maskRle(where, mask, imageWidth, imageHeight, maskThreshold);
                segmentation = new Segmentation.CompressedRle(rle.h(), rle.w(), MaskApi.toString(rle));
            }
            out.add(new CocoResult(imageId, category, bbox, score, segmentation));
        }
        return out;
    }

    /**
     * Category id by name, in the dataset's category order (the map to pass to {@code
     * toResults} when a model's class names are the dataset's category names).
     *
     * @param dataset the dataset whose categories name the classes
     * @return a new, modifiable map from category name to id, in category order
     * @throws IllegalArgumentException two categories of one name (a name would be ambiguous)
     */
    public static Map<String, Long> categoryIds(CocoDataset dataset) {
        Map<String, Long> ids = new LinkedHashMap<>();
        for (CocoCategory c : dataset.categories()) {
            Long before = ids.putIfAbsent(c.name(), c.id());
            if (before != null) {
                throw new IllegalArgumentException("categories " + before + " and " + c.id() + " are both named '" + c.name()
                        + "' (a class name must name one category)");
            }
        }
        return ids;
    }

    /**
     * The mask of {@code mask} in an {@code imageWidth x imageHeight} image, as the class
     * Javadoc describes (pixels with probability above {@code threshold}).
     *
     * @param mask the detection's mask: its normalised box and probability map
     * @param imageWidth the image's width in pixels, positive (not checked here)
     * @param imageHeight the image's height in pixels, positive (not checked here)
     * @param threshold probabilities strictly above this are in the mask
     * @return a new mask of {@code imageHeight x imageWidth}; empty for an empty probability map
     * @throws IllegalArgumentException a ragged probability map, a box that is not finite, or an
     *     image of more than {@link Rle#MAX_PIXELS} pixels
     */
    public static Rle maskRle(Mask mask, int imageWidth, int imageHeight, float threshold) {
        return maskRle("mask", mask, imageWidth, imageHeight, threshold);
    }

    private static Rle maskRle(String where, Mask mask, int imageWidth, int imageHeight, float threshold) {
        float[][] map = mask.getProbDist();
        int mapH = map == null ? 0 : map.length;
        int mapW = mapH == 0 ? 0 : map[0].length;
        for (int y = 0; y < mapH; y++) {
            if (map[y] == null || map[y].length != mapW) {
                throw new IllegalArgumentException(where + ": the mask's probability map is ragged (row " + y + " has "
                        + (map[y] == null ? "no" : map[y].length) + " values, row 0 " + mapW + ")");
            }
        }
        long x0 = 0;
        long y0 = 0;
        int w = imageWidth;
        int h = imageHeight;
        if (!mask.isFullImageMask()) {
            double[] b = {pixels(mask.getX(), imageWidth), pixels(mask.getY(), imageHeight), pixels(mask.getWidth(), imageWidth),
                pixels(mask.getHeight(), imageHeight)};
            for (double v : b) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(where + ": the mask's box is not finite");
                }
            }
            x0 = (long) Math.floor(b[0]);
            y0 = (long) Math.floor(b[1]);
            w = (int) Math.max(0, Math.min(Integer.MAX_VALUE, (long) b[2]));
            h = (int) Math.max(0, Math.min(Integer.MAX_VALUE, (long) b[3]));
        }
        if ((long) imageWidth * imageHeight > Rle.MAX_PIXELS) {
            throw new IllegalArgumentException(where + ": an image of " + imageWidth + " x " + imageHeight + " pixels is too large for a mask");
        }
        byte[] pixels = new byte[imageWidth * imageHeight]; // column-major, as COCO's RLE
        if (mapH > 0 && mapW > 0 && w > 0 && h > 0) {
            int fromX = (int) Math.max(0, x0);
            int toX = (int) Math.min(imageWidth, x0 + w);
            int fromY = (int) Math.max(0, y0);
            int toY = (int) Math.min(imageHeight, y0 + h);
            Axis ax = new Axis(mapW, w);
            Axis ay = new Axis(mapH, h);
            for (int x = fromX; x < toX; x++) {
                int i = (int) (x - x0);
                for (int y = fromY; y < toY; y++) {
                    int j = (int) (y - y0);
                    float[] r0 = map[ay.lo[j]];
                    float[] r1 = map[ay.hi[j]];
                    float v = ay.w0[j] * (ax.w0[i] * r0[ax.lo[i]] + ax.w1[i] * r0[ax.hi[i]])
                            + ay.w1[j] * (ax.w0[i] * r1[ax.lo[i]] + ax.w1[i] * r1[ax.hi[i]]);
                    if (v > threshold) {
                        pixels[x * imageHeight + y] = 1;
                    }
                }
            }
        }
        return MaskApi.encode(pixels, imageHeight, imageWidth);
    }

    /** Normalised coordinate to pixels: in double, rounded to float (see the class Javadoc). */
    private static double pixels(double normalised, int size) {
        return (float) (normalised * size);
    }

    /**
     * Bilinear sampling along one axis, {@code in} samples resized to {@code out}: source
     * {@code (i + 0.5) * in / out - 0.5} clamped at 0 (PyTorch's {@code align_corners=False}).
     */
    private static final class Axis {
        final int[] lo;
        final int[] hi;
        final float[] w0;
        final float[] w1;

        Axis(int in, int out) {
            lo = new int[out];
            hi = new int[out];
            w0 = new float[out];
            w1 = new float[out];
            float scale = (float) in / out;
            for (int i = 0; i < out; i++) {
                float src = in == out ? i : Math.max(0f, scale * (i + 0.5f) - 0.5f);
                int l = Math.min((int) src, in - 1);
                lo[i] = l;
                w1[i] = src - l;
                hi[i] = w1[i] == 0 ? l : Math.min(l + 1, in - 1); // a weight-0 neighbour never counts, NaN or not
                w0[i] = 1f - w1[i];
            }
        }
    }
}
