package org.resvision.detection;

/**
 * Box arithmetic on flat {@code float[]} arrays of {@code [x1, y1, x2, y2]} quadruples, in
 * float32 as torchvision's {@code box_ops} computes it (widths are {@code x2 - x1}, no +1). Box
 * {@code i} is at {@code [4 i, 4 i + 4)}. Stateless; safe to call from several threads (on arrays no
 * other thread writes).
 */
public final class Boxes {

    private Boxes() {}

    /**
     * The number of boxes in a flat array.
     *
     * @param boxes flat {@code x1, y1, x2, y2} quadruples
     * @return {@code boxes.length / 4}
     */
    public static int count(float[] boxes) {
        return boxes.length / 4;
    }

    /**
     * The area of one box, {@code (x2 - x1) * (y2 - y1)} in float32.
     *
     * @param b flat boxes
     * @param i the box's index (0-based)
     * @return its area, negative for an inverted box
     */
    public static float area(float[] b, int i) {
        return (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
    }

    /**
     * {@code box_iou(a, b)}: [count(a)][count(b)], 0 where the union is empty.
     *
     * @param a flat boxes, the rows
     * @param b flat boxes, the columns
     * @return a new {@code [count(a)][count(b)]} matrix of IoUs (0 where boxes do not overlap)
     */
    public static float[][] iou(float[] a, float[] b) {
        int n = count(a);
        int m = count(b);
        float[][] out = new float[n][m];
        float[] areaB = new float[m];
        for (int j = 0; j < m; j++) {
            areaB[j] = area(b, j);
        }
        for (int i = 0; i < n; i++) {
            float areaA = area(a, i);
            float ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
            float[] row = out[i];
            for (int j = 0; j < m; j++) {
                float w = Math.min(ax2, b[4 * j + 2]) - Math.max(ax1, b[4 * j]);
                float h = Math.min(ay2, b[4 * j + 3]) - Math.max(ay1, b[4 * j + 1]);
                if (w <= 0 || h <= 0) {
                    continue;
                }
                float inter = w * h;
                row[j] = inter / (areaA + areaB[j] - inter);
            }
        }
        return out;
    }

    /**
     * {@code clip_boxes_to_image}, in place: x to [0, width], y to [0, height].
     *
     * @param b flat boxes, modified
     * @param height the image's height in pixels
     * @param width the image's width in pixels
     */
    public static void clip(float[] b, int height, int width) {
        for (int i = 0; i < b.length; i += 4) {
            b[i] = Math.min(Math.max(b[i], 0f), width);
            b[i + 1] = Math.min(Math.max(b[i + 1], 0f), height);
            b[i + 2] = Math.min(Math.max(b[i + 2], 0f), width);
            b[i + 3] = Math.min(Math.max(b[i + 3], 0f), height);
        }
    }

    /**
     * {@code remove_small_boxes}: whether box {@code i} has width and height {@code >= minSize}.
     *
     * @param b flat boxes
     * @param i the box's index (0-based)
     * @param minSize the smallest side in pixels
     * @return true when both sides are at least {@code minSize}
     */
    public static boolean bigEnough(float[] b, int i, float minSize) {
        return b[4 * i + 2] - b[4 * i] >= minSize && b[4 * i + 3] - b[4 * i + 1] >= minSize;
    }

    /**
     * The boxes at {@code indices}, in that order.
     *
     * @param b flat boxes
     * @param indices box indices, repeats allowed
     * @return a new flat array of {@code indices.length} boxes
     */
    public static float[] select(float[] b, int[] indices) {
        float[] out = new float[indices.length * 4];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(b, 4 * indices[k], out, 4 * k, 4);
        }
        return out;
    }

    /**
     * The concatenation of two box arrays.
     *
     * @param a flat boxes, first
     * @param b flat boxes, after them
     * @return a new flat array
     */
    public static float[] concat(float[] a, float[] b) {
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /**
     * Checks that every box is finite with {@code x2 > x1} and {@code y2 > y1}.
     *
     * @param b flat boxes
     * @return null when all are, else a message naming the first box that is not
     */
    public static String invalid(float[] b) {
        for (int i = 0; i < count(b); i++) {
            float x1 = b[4 * i], y1 = b[4 * i + 1], x2 = b[4 * i + 2], y2 = b[4 * i + 3];
            if (!(Float.isFinite(x1) && Float.isFinite(y1) && Float.isFinite(x2) && Float.isFinite(y2)) || x2 <= x1 || y2 <= y1) {
                return "box " + i + " [" + x1 + ", " + y1 + ", " + x2 + ", " + y2 + "] has no positive width and height";
            }
        }
        return null;
    }
}
