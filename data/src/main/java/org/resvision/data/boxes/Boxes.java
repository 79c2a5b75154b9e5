package org.resvision.data.boxes;

/**
 * N boxes {@code [x1, y1, x2, y2]} in pixels (float32), the one box type that crosses ResVision's
 * modules (a sample's objects, a training target, an image's detections), as detectron2's {@code
 * Boxes}: {@link #size()}, {@link #area(int)}, {@link #clip}, {@link #iou(Boxes)}, {@link
 * #select(int[])}, {@link #scale}, {@link #concat(Boxes)}. The arithmetic is torchvision's {@code
 * box_ops} in float32 (widths are {@code x2 - x1}, no +1). The static methods are the same
 * arithmetic on flat {@code float[]} arrays (box {@code i} at {@code [4 i, 4 i + 4)}), for the
 * models' inner loops.
 *
 * <p>Immutable (the coordinates are copied in and out); safe to share between threads. The static
 * methods are stateless (on arrays no other thread writes).
 */
public final class Boxes {

    private static final Boxes EMPTY = new Boxes(new float[0]);

    /** Flat {@code x1, y1, x2, y2} quadruples, never exposed. */
    private final float[] xyxy;

    private Boxes(float[] xyxy) {
        this.xyxy = xyxy;
    }

    /**
     * Boxes from flat coordinates.
     *
     * @param xyxy {@code x1, y1, x2, y2} per box (copied)
     * @return the boxes
     * @throws IllegalArgumentException when the length is not a multiple of 4
     */
    public static Boxes of(float... xyxy) {
        if (xyxy.length % 4 != 0) {
            throw new IllegalArgumentException(xyxy.length + " coordinates are not whole boxes (4 per box)");
        }
        return xyxy.length == 0 ? EMPTY : new Boxes(xyxy.clone());
    }

    /**
     * Boxes from one row per box.
     *
     * @param rows {@code [x1, y1, x2, y2]} per box (copied)
     * @return the boxes
     * @throws IllegalArgumentException when a row does not have 4 values
     */
    public static Boxes ofRows(float[]... rows) {
        float[] flat = new float[rows.length * 4];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != 4) {
                throw new IllegalArgumentException("box " + i + " has " + rows[i].length + " values, not x1, y1, x2, y2");
            }
            System.arraycopy(rows[i], 0, flat, 4 * i, 4);
        }
        return flat.length == 0 ? EMPTY : new Boxes(flat);
    }

    /**
     * No boxes.
     *
     * @return the empty set of boxes
     */
    public static Boxes empty() {
        return EMPTY;
    }

    /**
     * The number of boxes.
     *
     * @return N
     */
    public int size() {
        return xyxy.length / 4;
    }

    /**
     * Whether there are none.
     *
     * @return {@code size() == 0}
     */
    public boolean isEmpty() {
        return xyxy.length == 0;
    }

    /**
     * One coordinate.
     *
     * @param i the box (0-based)
     * @param k 0..3: {@code x1, y1, x2, y2}
     * @return its value in pixels
     */
    public float get(int i, int k) {
        if (k < 0 || k > 3) {
            throw new IndexOutOfBoundsException("coordinate " + k + " of a box (0..3: x1, y1, x2, y2)");
        }
        return xyxy[4 * i + k];
    }

    /**
     * One box.
     *
     * @param i the box (0-based)
     * @return a new {@code [x1, y1, x2, y2]}
     */
    public float[] box(int i) {
        return java.util.Arrays.copyOfRange(xyxy, 4 * i, 4 * i + 4);
    }

    /**
     * The coordinates, flat.
     *
     * @return a new array of {@code x1, y1, x2, y2} per box
     */
    public float[] toArray() {
        return xyxy.clone();
    }

    /**
     * One box's area, {@code (x2 - x1) * (y2 - y1)} in float32.
     *
     * @param i the box (0-based)
     * @return its area, negative for an inverted box
     */
    public float area(int i) {
        return area(xyxy, i);
    }

    /**
     * {@code clip_boxes_to_image}: x to [0, width], y to [0, height].
     *
     * @param height the image's height in pixels
     * @param width the image's width in pixels
     * @return new boxes
     */
    public Boxes clip(int height, int width) {
        float[] b = xyxy.clone();
        clip(b, height, width);
        return new Boxes(b);
    }

    /**
     * {@code box_iou(this, other)}.
     *
     * @param other the columns
     * @return a new {@code [size()][other.size()]} matrix of IoUs (0 where boxes do not overlap)
     */
    public float[][] iou(Boxes other) {
        return iou(xyxy, other.xyxy);
    }

    /**
     * The boxes at {@code indices}, in that order.
     *
     * @param indices box indices, repeats allowed
     * @return new boxes
     */
    public Boxes select(int[] indices) {
        return new Boxes(select(xyxy, indices));
    }

    /**
     * These boxes, then {@code other}'s.
     *
     * @param other boxes after these
     * @return new boxes
     */
    public Boxes concat(Boxes other) {
        return new Boxes(concat(xyxy, other.xyxy));
    }

    /**
     * The boxes scaled, as a resize scales them: x by {@code sx}, y by {@code sy} (float32).
     *
     * @param sx the factor of x
     * @param sy the factor of y
     * @return new boxes
     */
    public Boxes scale(float sx, float sy) {
        float[] b = new float[xyxy.length];
        for (int i = 0; i < b.length; i += 4) {
            b[i] = xyxy[i] * sx;
            b[i + 1] = xyxy[i + 1] * sy;
            b[i + 2] = xyxy[i + 2] * sx;
            b[i + 3] = xyxy[i + 3] * sy;
        }
        return new Boxes(b);
    }

    /**
     * The boxes moved by {@code (dx, dy)}.
     *
     * @param dx added to x
     * @param dy added to y
     * @return new boxes
     */
    public Boxes translate(float dx, float dy) {
        float[] b = new float[xyxy.length];
        for (int i = 0; i < b.length; i += 4) {
            b[i] = xyxy[i] + dx;
            b[i + 1] = xyxy[i + 1] + dy;
            b[i + 2] = xyxy[i + 2] + dx;
            b[i + 3] = xyxy[i + 3] + dy;
        }
        return new Boxes(b);
    }

    /**
     * The boxes of the image mirrored left-right: {@code [W - x2, y1, W - x1, y2]}.
     *
     * @param width the image's width in pixels
     * @return new boxes
     */
    public Boxes flipHorizontal(float width) {
        float[] b = new float[xyxy.length];
        for (int i = 0; i < b.length; i += 4) {
            b[i] = width - xyxy[i + 2];
            b[i + 1] = xyxy[i + 1];
            b[i + 2] = width - xyxy[i];
            b[i + 3] = xyxy[i + 3];
        }
        return new Boxes(b);
    }

    /**
     * Checks that every box is finite with {@code x2 > x1} and {@code y2 > y1}.
     *
     * @return null when all are, else a message naming the first box that is not
     */
    public String invalid() {
        return invalid(xyxy);
    }

    /**
     * Equality of the coordinates.
     *
     * @param o another object
     * @return whether {@code o} is boxes with the same coordinates in the same order
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Boxes b && java.util.Arrays.equals(xyxy, b.xyxy);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(xyxy);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Boxes[");
        for (int i = 0; i < size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(java.util.Arrays.toString(box(i)));
        }
        return sb.append(']').toString();
    }

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
