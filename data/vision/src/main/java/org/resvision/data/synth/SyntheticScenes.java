package org.resvision.data.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.Rle;

/**
 * Draws deterministic scenes of simple objects (circles, rectangles, triangles, stars) in
 * several colours on textured backgrounds: overlapping, some tiny, some occluded, some cut by
 * the border. Every object's visible mask is exact (drawn without anti-aliasing, later objects
 * painting over earlier ones), and boxes, areas, RLEs and class maps are derived from it.
 *
 * <p>Immutable; safe to share between threads (each call renders into its own arrays).
 */
public final class SyntheticScenes {

    /** The classes, in label order (label = index + 1; 0 is background). */
    public static final List<String> CLASSES = List.of("circle", "rectangle", "triangle", "star");

    /** Objects whose visible part is smaller than this many pixels are not annotated. */
    public static final int MIN_VISIBLE_AREA = 12;

    /**
     * What to draw: image size, seed, objects per scene and their sizes.
     *
     * @param width image width in pixels, at least 32
     * @param height image height in pixels, at least 32
     * @param seed the dataset's seed; scene {@code i} depends only on (seed, i)
     * @param minObjects fewest objects drawn per scene, 0 or more
     * @param maxObjects most objects drawn per scene, at least {@code minObjects}
     * @param minSize smallest object size (diameter) as a fraction of the short side (0.12)
     * @param maxSize largest object size as a fraction of the short side (0.45); with {@code tiny},
     *     one object in six is tiny (4-8 px) whatever the range
     * @param tiny whether one object in six is drawn tiny (4-8 px) instead of in the size range (default true)
     * @param textured whether the background is striped with a gradient and noise (default true), or one
     *     colour with light noise
     * @param minVisible the least fraction of each shape's own area left in view (not covered by later
     *     shapes, not cut off by the border), 0 to 1 (default 0: every shape is kept); a scene drops the
     *     least visible shape below it, then checks again, so kept shapes still overlap but none is a
     *     fragment a person could not name
     * @param minContrast the least distance, in RGB units (0-255 a channel, Euclidean), of each shape's
     *     colour from the background's colour and from the colours of the shapes drawn before it (default
     *     0: colours drawn freely); a colour too close is drawn again (up to 1,000 times, then kept), so
     *     that no shape melts into what lies under it
     */
    public record Config(int width, int height, long seed, int minObjects, int maxObjects, double minSize, double maxSize,
            boolean tiny, boolean textured, double minVisible, double minContrast) {
        /** The largest {@code minContrast}: colours of 40-255 a channel keep this far from any colour. */
        public static final double MAX_CONTRAST = 150;
        /** Default smallest object size, as a fraction of the short side. */
        public static final double MIN_SIZE = 0.12;
        /** Default largest object size, as a fraction of the short side. */
        public static final double MAX_SIZE = 0.45;

        /**
         * Checks the ranges.
         *
         * @param width image width in pixels, at least 32
         * @param height image height in pixels, at least 32
         * @param seed the dataset's seed
         * @param minObjects fewest objects per scene, 0 or more
         * @param maxObjects most objects per scene, at least {@code minObjects}
         * @param minSize smallest object size as a fraction of the short side, above 0
         * @param maxSize largest object size as a fraction of the short side, {@code minSize} to 2
         * @param tiny whether one object in six is tiny (4-8 px)
         * @param textured whether the background is striped and graded, or plain
         * @param minVisible the least visible fraction of each shape kept, 0 to 1
         * @param minContrast the least RGB distance of a shape's colour from those under it, 0 to
         *     {@link #MAX_CONTRAST}
         * @throws IllegalArgumentException when a side is below 32, the object counts are not
         *     {@code 0 <= min <= max}, the sizes are not {@code 0 < min <= max <= 2},
         *     {@code minVisible} is not in [0, 1] or {@code minContrast} not in [0, MAX_CONTRAST]
         */
        public Config {
            if (width < 32 || height < 32) {
                throw new IllegalArgumentException("scenes must be at least 32x32, got " + width + "x" + height);
            }
            if (minObjects < 0 || maxObjects < minObjects) {
                throw new IllegalArgumentException("objects per scene must satisfy 0 <= min <= max");
            }
            if (!(minSize > 0) || maxSize < minSize || maxSize > 2) {
                throw new IllegalArgumentException("object sizes must satisfy 0 < min <= max <= 2 (fractions of the short side), got "
                        + minSize + ", " + maxSize);
            }
            if (!(minVisible >= 0 && minVisible <= 1)) {
                throw new IllegalArgumentException("the least visible fraction must be in [0, 1], got " + minVisible);
            }
            if (!(minContrast >= 0 && minContrast <= MAX_CONTRAST)) {
                throw new IllegalArgumentException("the least contrast must be in [0, " + (int) MAX_CONTRAST + "], got " + minContrast);
            }
        }

        /**
         * Colours drawn freely, as by default.
         *
         * @param width image width in pixels, at least 32
         * @param height image height in pixels, at least 32
         * @param seed the dataset's seed
         * @param minObjects fewest objects drawn per scene, 0 or more
         * @param maxObjects most objects drawn per scene, at least {@code minObjects}
         * @param minSize smallest object size as a fraction of the short side, above 0
         * @param maxSize largest object size as a fraction of the short side, {@code minSize} to 2
         * @param tiny whether one object in six is tiny (4-8 px)
         * @param textured whether the background is striped and graded, or plain
         * @param minVisible the least visible fraction of each shape kept, 0 to 1
         * @throws IllegalArgumentException as the canonical constructor
         */
        public Config(int width, int height, long seed, int minObjects, int maxObjects, double minSize, double maxSize,
                boolean tiny, boolean textured, double minVisible) {
            this(width, height, seed, minObjects, maxObjects, minSize, maxSize, tiny, textured, minVisible, 0);
        }

        /**
         * Every shape kept however much of it is hidden, as by default.
         *
         * @param width image width in pixels, at least 32
         * @param height image height in pixels, at least 32
         * @param seed the dataset's seed
         * @param minObjects fewest objects drawn per scene, 0 or more
         * @param maxObjects most objects drawn per scene, at least {@code minObjects}
         * @param minSize smallest object size as a fraction of the short side, above 0
         * @param maxSize largest object size as a fraction of the short side, {@code minSize} to 2
         * @param tiny whether one object in six is tiny (4-8 px)
         * @param textured whether the background is striped and graded, or plain
         * @throws IllegalArgumentException as the canonical constructor
         */
        public Config(int width, int height, long seed, int minObjects, int maxObjects, double minSize, double maxSize,
                boolean tiny, boolean textured) {
            this(width, height, seed, minObjects, maxObjects, minSize, maxSize, tiny, textured, 0, 0);
        }

        /**
         * Tiny objects and textured backgrounds, as by default.
         *
         * @param width image width in pixels, at least 32
         * @param height image height in pixels, at least 32
         * @param seed the dataset's seed
         * @param minObjects fewest objects drawn per scene, 0 or more
         * @param maxObjects most objects drawn per scene, at least {@code minObjects}
         * @param minSize smallest object size as a fraction of the short side, above 0
         * @param maxSize largest object size as a fraction of the short side, {@code minSize} to 2
         * @throws IllegalArgumentException as the canonical constructor
         */
        public Config(int width, int height, long seed, int minObjects, int maxObjects, double minSize, double maxSize) {
            this(width, height, seed, minObjects, maxObjects, minSize, maxSize, true, true, 0, 0);
        }

        /**
         * The default object sizes (0.12-0.45 of the short side).
         *
         * @param width image width in pixels, at least 32
         * @param height image height in pixels, at least 32
         * @param seed the dataset's seed
         * @param minObjects fewest objects drawn per scene, 0 or more
         * @param maxObjects most objects drawn per scene, at least {@code minObjects}
         * @throws IllegalArgumentException as the canonical constructor
         */
        public Config(int width, int height, long seed, int minObjects, int maxObjects) {
            this(width, height, seed, minObjects, maxObjects, MIN_SIZE, MAX_SIZE);
        }

        /**
         * The same scenes drawn at another size: object sizes are fractions of the short side and
         * positions scale with the image, so scene {@code i} is scene {@code i} enlarged or reduced.
         *
         * @param newWidth image width in pixels, at least 32
         * @param newHeight image height in pixels, at least 32
         * @return a configuration that differs from this one only in its size
         * @throws IllegalArgumentException as the canonical constructor
         */
        public Config withSize(int newWidth, int newHeight) {
            return new Config(newWidth, newHeight, seed, minObjects, maxObjects, minSize, maxSize, tiny, textured, minVisible,
                    minContrast);
        }

        /**
         * 320x240 scenes of 2 to 7 objects, default sizes.
         *
         * @param seed the dataset's seed
         * @return the configuration
         */
        public static Config defaults(long seed) {
            return new Config(320, 240, seed, 2, 7);
        }
    }

    /**
     * A drawn object's shape: where it is and how it looks (what moves in a video).
     *
     * @param classIndex index into {@link #CLASSES}, 0-based (the label is {@code classIndex + 1})
     * @param cx centre x in pixels; may lie outside the image
     * @param cy centre y in pixels; may lie outside the image
     * @param size diameter in pixels: a circle's, a square's side, a triangle's or star's circumscribed circle's
     * @param angle rotation in radians (ignored for circles)
     * @param bgr the fill colour, {@code {b, g, r}}, each 0..255
     */
    public record Shape(int classIndex, double cx, double cy, double size, double angle, int[] bgr) {}

    /**
     * A visible object.
     *
     * @param classIndex index into {@link #CLASSES}, 0-based (the label is {@code classIndex + 1})
     * @param bbox tight box of the visible pixels, {@code [x, y, w, h]}
     * @param mask the visible pixels
     * @param truncated touches the image border
     */
    public record SceneObject(int classIndex, double[] bbox, Rle mask, boolean truncated) {
        /**
         * The visible area.
         *
         * @return the mask's pixel count; at least {@link #MIN_VISIBLE_AREA} in a rendered scene
         */
        public long area() {
            return mask.area();
        }
    }

    /**
     * A rendered scene; {@code image} is 8-bit BGR and owned by the caller (close it).
     *
     * @param image {@code height x width}, {@code CV_8UC3}
     * @param objects the annotated objects, back to front (objects with fewer than {@link #MIN_VISIBLE_AREA}
     *     visible pixels are left out, though they still cover and appear in the class map)
     * @param classMap {@code width * height} bytes, row-major: label (class index + 1), 0 for background,
     *     255 on both sides of every boundary between classes (VOC's void outline)
     */
    public record Scene(Mat image, List<SceneObject> objects, byte[] classMap) implements AutoCloseable {
        /** Frees {@code image}'s native memory. */
        @Override
        public void close() {
            image.close();
        }
    }

    private final Config config;

    /**
     * A scene generator.
     *
     * @param config sizes, seed and object counts
     */
    public SyntheticScenes(Config config) {
        this.config = config;
    }

    /**
     * The configuration.
     *
     * @return the configuration given to the constructor
     */
    public Config config() {
        return config;
    }

    /**
     * The shapes of scene {@code index}, drawn back to front.
     *
     * @param index the scene's index, 0-based; the shapes depend only on (seed, index)
     * @return a new list of {@code minObjects..maxObjects} shapes, each tiny (4-8 px) with probability 1/6;
     *     with {@code minVisible} above 0, fewer: those too hidden are dropped (least visible first)
     */
    public List<Shape> shapes(int index) {
        Random rnd = new Random(config.seed() * 1_000_003L + index);
        int n = config.minObjects() + rnd.nextInt(config.maxObjects() - config.minObjects() + 1);
        List<Shape> shapes = new ArrayList<>();
        int s = Math.min(config.width(), config.height());
        int[] background = config.minContrast() > 0 ? backgroundColor(index) : null;
        for (int i = 0; i < n; i++) {
            int cls = rnd.nextInt(CLASSES.size());
            boolean tiny = rnd.nextInt(6) == 0 && config.tiny();
            double size = tiny ? 4 + rnd.nextInt(5) : s * (config.minSize() + (config.maxSize() - config.minSize()) * rnd.nextDouble());
            // some centres near or past the border: truncated objects
            double cx = -0.1 * config.width() + rnd.nextDouble() * 1.2 * config.width();
            double cy = -0.1 * config.height() + rnd.nextDouble() * 1.2 * config.height();
            int[] color = {40 + rnd.nextInt(216), 40 + rnd.nextInt(216), 40 + rnd.nextInt(216)};
            for (int tries = 0; background != null && tries < 1000 && !contrasts(color, background, shapes); tries++) {
                color = new int[] {40 + rnd.nextInt(216), 40 + rnd.nextInt(216), 40 + rnd.nextInt(216)};
            }
            shapes.add(new Shape(cls, cx, cy, size, rnd.nextDouble() * Math.PI, color));
        }
        if (config.minVisible() > 0) {
            dropHidden(shapes);
        }
        return shapes;
    }

    /** Whether {@code color} keeps {@code minContrast} from the background's and every shape's colour. */
    private boolean contrasts(int[] color, int[] background, List<Shape> under) {
        double min = config.minContrast();
        if (distance(color, background) < min) {
            return false;
        }
        for (Shape sh : under) {
            if (distance(color, sh.bgr()) < min) {
                return false;
            }
        }
        return true;
    }

    private static double distance(int[] a, int[] b) {
        double d0 = a[0] - b[0];
        double d1 = a[1] - b[1];
        double d2 = a[2] - b[2];
        return Math.sqrt(d0 * d0 + d1 * d1 + d2 * d2);
    }

    /** Scene {@code index}'s background colour, {b, g, r} before texture and noise. */
    private int[] backgroundColor(int index) {
        return baseColor(backgroundRandom(index));
    }

    /** A background's colour: the first draws of its stream. */
    private static int[] baseColor(Random rnd) {
        return new int[] {rnd.nextInt(200), rnd.nextInt(200), rnd.nextInt(200)};
    }

    private Random backgroundRandom(int index) {
        return new Random(config.seed() * 7_919L + index * 31L + 17);
    }

    /** Removes the least visible shape while any shows less than {@code minVisible} of its own area. */
    private void dropHidden(List<Shape> shapes) {
        int w = config.width();
        int h = config.height();
        try (Mat mask = new Mat(h, w, opencv_core.CV_16UC1)) {
            while (!shapes.isEmpty()) {
                // visible pixels per shape: paint indices back to front, later ones over earlier ones
                // (16 bits: any shape count a scene can hold; 65535 marks the background)
                mask.put(new Scalar(65535));
                for (int i = 0; i < shapes.size(); i++) {
                    draw(mask, shapes.get(i), new Scalar(i));
                }
                short[] owner = new short[w * h];
                try (org.bytedeco.javacpp.ShortPointer px = new org.bytedeco.javacpp.ShortPointer(mask.data())) {
                    px.get(owner);
                }
                long[] visible = new long[shapes.size()];
                for (short o : owner) {
                    if ((o & 0xffff) != 65535) {
                        visible[o & 0xffff]++;
                    }
                }
                int worst = -1;
                double worstFraction = config.minVisible();
                for (int i = 0; i < shapes.size(); i++) {
                    double fraction = visible[i] / area(shapes.get(i));
                    if (fraction < worstFraction) {
                        worst = i;
                        worstFraction = fraction;
                    }
                }
                if (worst < 0) {
                    return;
                }
                shapes.remove(worst);
            }
        }
    }

    /** A shape's own area in pixels, as if nothing covered it and the image had no border. */
    static double area(Shape s) {
        if (s.classIndex() == 0) {
            double r = Math.round(s.size() / 2);
            return Math.PI * r * r;
        }
        int[] pts = points(s);
        double twice = 0;
        for (int i = 0, k = pts.length / 2; i < k; i++) {
            int j = (i + 1) % k;
            twice += (double) pts[2 * i] * pts[2 * j + 1] - (double) pts[2 * j] * pts[2 * i + 1];
        }
        return Math.max(1, Math.abs(twice) / 2);
    }

    /**
     * Renders scene {@code index}.
     *
     * @param index the scene's index, 0-based
     * @return the scene, the same for the same (seed, index); the caller closes it
     */
    public Scene render(int index) {
        return render(index, shapes(index));
    }

    /**
     * Renders the given shapes on scene {@code index}'s background.
     *
     * @param index the scene whose background is used
     * @param shapes the shapes, back to front
     * @return the scene; the caller closes it
     */
    public Scene render(int index, List<Shape> shapes) {
        int w = config.width();
        int h = config.height();
        Mat img = background(index);
        byte[][] masks = new byte[shapes.size()][];
        try (Mat mask = new Mat(h, w, opencv_core.CV_8UC1)) {
            for (int i = 0; i < shapes.size(); i++) {
                Shape sh = shapes.get(i);
                draw(img, sh, new Scalar(sh.bgr()[0], sh.bgr()[1], sh.bgr()[2], 0));
                mask.put(new Scalar(0));
                draw(mask, sh, new Scalar(1));
                masks[i] = new byte[w * h];
                mask.data().get(masks[i]);
            }
        }
        // visible parts: back to front, each object loses what later ones cover
        byte[] covered = new byte[w * h];
        byte[] classMap = new byte[w * h];
        List<SceneObject> objects = new ArrayList<>();
        for (int i = shapes.size() - 1; i >= 0; i--) {
            byte[] m = masks[i];
            byte[] colMajor = new byte[w * h];
            int minX = w;
            int minY = h;
            int maxX = -1;
            int maxY = -1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = y * w + x;
                    if (m[p] != 0 && covered[p] == 0) {
                        colMajor[x * h + y] = 1;
                        covered[p] = 1;
                        classMap[p] = (byte) (shapes.get(i).classIndex() + 1);
                        minX = Math.min(minX, x);
                        maxX = Math.max(maxX, x);
                        minY = Math.min(minY, y);
                        maxY = Math.max(maxY, y);
                    }
                }
            }
            Rle rle = MaskApi.encode(colMajor, h, w);
            if (rle.area() < MIN_VISIBLE_AREA) {
                continue;
            }
            boolean truncated = minX == 0 || minY == 0 || maxX == w - 1 || maxY == h - 1;
            objects.add(0, new SceneObject(shapes.get(i).classIndex(),
                    new double[] {minX, minY, maxX - minX + 1, maxY - minY + 1}, rle, truncated));
        }
        return new Scene(img, objects, vocBorders(classMap, w, h));
    }

    /** VOC marks object outlines as void (255): pixels whose 3x3 neighbourhood holds another class. */
    static byte[] vocBorders(byte[] classMap, int w, int h) {
        byte[] out = classMap.clone();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                byte c = classMap[y * w + x];
                boolean edge = false;
                for (int dy = -1; dy <= 1 && !edge; dy++) {
                    for (int dx = -1; dx <= 1 && !edge; dx++) {
                        int yy = y + dy;
                        int xx = x + dx;
                        if (yy >= 0 && yy < h && xx >= 0 && xx < w && classMap[yy * w + xx] != c) {
                            edge = true;
                        }
                    }
                }
                if (edge) {
                    out[y * w + x] = (byte) 255;
                }
            }
        }
        return out;
    }

    private Mat background(int index) {
        Random rnd = backgroundRandom(index);
        int w = config.width();
        int h = config.height();
        Mat img = new Mat(h, w, opencv_core.CV_8UC3);
        byte[] px = new byte[w * h * 3];
        int[] base = baseColor(rnd);
        int stripe = 6 + rnd.nextInt(20);
        double gx = rnd.nextDouble() * 60;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int tex = !config.textured() ? 0 : ((x + y) / stripe) % 2 == 0 ? 12 : -12;
                for (int c = 0; c < 3; c++) {
                    int v = base[c] + tex + (config.textured() ? (int) (gx * x / w) + rnd.nextInt(25) - 12 : rnd.nextInt(9) - 4);
                    px[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        img.data().put(px);
        return img;
    }

    private static void draw(Mat target, Shape s, Scalar color) {
        int cls = s.classIndex();
        if (cls == 0) {
            opencv_imgproc.circle(target, new Point((int) Math.round(s.cx()), (int) Math.round(s.cy())),
                    (int) Math.round(s.size() / 2), color, opencv_imgproc.FILLED, opencv_imgproc.LINE_8, 0);
            return;
        }
        int[] pts = points(s);
        int k = pts.length / 2;
        try (Mat poly = new Mat(k, 1, opencv_core.CV_32SC2);
                MatVector polys = new MatVector(poly)) {
            poly.data().put(toBytes(pts));
            opencv_imgproc.fillPoly(target, polys, color, opencv_imgproc.LINE_8, 0, new Point(0, 0));
        }
    }

    /** A polygon's corners {@code x0, y0, x1, y1, ...} in pixels (rectangle, triangle, star). */
    private static int[] points(Shape s) {
        int cls = s.classIndex();
        int k = cls == 1 ? 4 : cls == 2 ? 3 : 10;
        int[] pts = new int[k * 2];
        for (int i = 0; i < k; i++) {
            double r = s.size() / 2 * (cls == 3 && i % 2 == 1 ? 0.45 : 1.0) * (cls == 1 ? Math.sqrt(2) : 1.0);
            double a = s.angle() + 2 * Math.PI * i / k + (cls == 1 ? Math.PI / 4 : 0);
            pts[2 * i] = (int) Math.round(s.cx() + r * Math.cos(a));
            pts[2 * i + 1] = (int) Math.round(s.cy() + r * Math.sin(a));
        }
        return pts;
    }

    private static byte[] toBytes(int[] v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 4).order(java.nio.ByteOrder.nativeOrder());
        for (int x : v) {
            b.putInt(x);
        }
        return b.array();
    }
}
