package org.resvision.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_videoio;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_videoio.VideoCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.Rle;
import org.resvision.data.voc.VocAnnotation;
import org.resvision.data.voc.VocObject;
import org.resvision.data.voc.VocReader;

class SyntheticDatasetTest {

    @TempDir Path dir;

    static final SyntheticScenes SCENES = new SyntheticScenes(new SyntheticScenes.Config(96, 64, 5, 3, 6));

    @Test
    void scenesAreDeterministicAndVaried() {
        try (SyntheticScenes.Scene a = SCENES.render(3); SyntheticScenes.Scene b = SCENES.render(3);
                SyntheticScenes.Scene c = SCENES.render(4)) {
            assertEquals(a.objects().size(), b.objects().size());
            for (int i = 0; i < a.objects().size(); i++) {
                assertEquals(a.objects().get(i).mask(), b.objects().get(i).mask());
            }
            assertArrayEquals(a.classMap(), b.classMap());
            assertNotEquals(java.util.Arrays.hashCode(a.classMap()), java.util.Arrays.hashCode(c.classMap()));
        }
    }

    @Test
    void objectSizesFollowTheConfiguredRange() {
        SyntheticScenes big = new SyntheticScenes(new SyntheticScenes.Config(96, 80, 5, 2, 3, 0.5, 0.6));
        int drawn = 0;
        int tiny = 0;
        for (int i = 0; i < 30; i++) {
            for (SyntheticScenes.Shape sh : big.shapes(i)) {
                if (sh.size() <= 8) {
                    tiny++; // one in six stays tiny whatever the range
                } else {
                    assertTrue(sh.size() >= 0.5 * 80 && sh.size() <= 0.6 * 80, "size " + sh.size() + " outside 40..48");
                    drawn++;
                }
            }
        }
        assertTrue(drawn > 40 && tiny < drawn / 2, drawn + " sized, " + tiny + " tiny");
        for (SyntheticScenes.Shape sh : SCENES.shapes(0)) { // the default range, 0.12-0.45 of the short side (64)
            assertTrue(sh.size() <= 8 || (sh.size() >= 0.12 * 64 && sh.size() <= 0.45 * 64), "default size " + sh.size());
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new SyntheticScenes.Config(96, 80, 5, 2, 3, 0.6, 0.5));
        assertTrue(e.getMessage().contains("object sizes"), e.getMessage());
    }

    @Test
    void visibleMasksNeverOverlapAndBoxesAreTight() {
        int objects = 0;
        int truncated = 0;
        int tiny = 0;
        for (int i = 0; i < 20; i++) {
            try (SyntheticScenes.Scene s = SCENES.render(i)) {
                byte[] seen = new byte[96 * 64];
                for (SyntheticScenes.SceneObject o : s.objects()) {
                    objects++;
                    truncated += o.truncated() ? 1 : 0;
                    tiny += o.area() < 64 ? 1 : 0;
                    byte[] m = MaskApi.decode(o.mask());
                    int minX = 96;
                    int maxX = -1;
                    int minY = 64;
                    int maxY = -1;
                    for (int p = 0; p < m.length; p++) {
                        if (m[p] != 0) {
                            assertEquals(0, seen[p], "two objects claim one pixel");
                            seen[p] = 1;
                            int x = p / 64;
                            int y = p % 64;
                            minX = Math.min(minX, x);
                            maxX = Math.max(maxX, x);
                            minY = Math.min(minY, y);
                            maxY = Math.max(maxY, y);
                        }
                    }
                    assertArrayEquals(new double[] {minX, minY, maxX - minX + 1, maxY - minY + 1}, o.bbox());
                    assertTrue(o.area() >= SyntheticScenes.MIN_VISIBLE_AREA);
                }
            }
        }
        assertTrue(objects >= 30 && objects <= 120, objects + " objects in 20 scenes of 3-6 shapes");
        assertTrue(truncated > 0 && tiny > 0, truncated + " truncated, " + tiny + " tiny objects");
    }

    @Test
    void cocoRoundTripKeepsEveryMaskAndBox() throws Exception {
        SyntheticDatasetWriter w = new SyntheticDatasetWriter(SCENES);
        int written = w.writeCoco(dir, 10);
        CocoDataset train = CocoReader.readDataset(dir.resolve("annotations/instances_train.json"));
        CocoDataset val = CocoReader.readDataset(dir.resolve("annotations/instances_val.json"));
        assertEquals(8, train.images().size());
        assertEquals(2, val.images().size());
        assertEquals(written, train.annotations().size() + val.annotations().size());
        assertEquals(List.of("circle", "rectangle", "triangle", "star"), train.categories().stream().map(c -> c.name()).toList());
        for (CocoAnnotation a : train.annotations()) {
            Rle r = a.segmentation().toRle(64, 96);
            assertEquals(a.area(), r.area(), 0.0);
            assertTrue(Files.exists(dir.resolve("images").resolve(train.image(a.imageId()).fileName())));
        }
        try (SyntheticScenes.Scene s = SCENES.render(0)) {
            List<CocoAnnotation> first = train.annotations().stream().filter(a -> a.imageId() == 1).toList();
            assertEquals(s.objects().size(), first.size());
            for (int i = 0; i < first.size(); i++) {
                assertEquals(s.objects().get(i).mask(), first.get(i).segmentation().toRle(64, 96));
                assertArrayEquals(s.objects().get(i).bbox(), first.get(i).bbox());
                assertEquals(s.objects().get(i).classIndex() + 1, first.get(i).categoryId());
            }
        }
    }

    @Test
    void imagesKeepFullResolutionColour() throws Exception {
        new SyntheticDatasetWriter(SCENES).writeCoco(dir, 2);
        byte[] jpeg = Files.readAllBytes(dir.resolve("images/000001.jpg"));
        // the baseline frame header (SOF0): per colour component an id, then its sampling factors
        // (0x11: one sample per pixel both ways; JPEG's usual 4:2:0 gives luma 0x22)
        int sof = -1;
        for (int i = 2; i + 1 < jpeg.length && sof < 0; i++) {
            if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xc0) {
                sof = i;
            }
        }
        assertTrue(sof > 0, "no baseline frame header");
        int components = jpeg[sof + 9] & 0xff;
        assertEquals(3, components);
        for (int c = 0; c < components; c++) {
            assertEquals(0x11, jpeg[sof + 11 + 3 * c] & 0xff, "component " + c + "'s sampling factors");
        }
        // so an edge between two colours of the same brightness stays sharp: a magenta square on a green one
        // (luma 81 and 85); with 4:2:0 the red channel went 49, 63, 88, 108, 135, 147 across such an edge
        SyntheticScenes plain = new SyntheticScenes(new SyntheticScenes.Config(96, 72, 0, 0, 0, 0.3, 0.6, false, false));
        SyntheticScenes.Shape green = new SyntheticScenes.Shape(1, 48, 36, 300, 0, new int[] {21, 116, 49});
        SyntheticScenes.Shape magenta = new SyntheticScenes.Shape(1, 48, 36, 30, 0, new int[] {93, 45, 147});
        try (SyntheticScenes.Scene s = plain.render(0, List.of(green, magenta))) {
            Path file = dir.resolve("square.jpg");
            SyntheticDatasetWriter.writeImage(file, s);
            int left = (int) s.objects().get(1).bbox()[0];
            try (Mat back = opencv_imgcodecs.imread(file.toString())) {
                byte[] px = new byte[96 * 72 * 3];
                back.data().get(px);
                int outside = px[(36 * 96 + left - 1) * 3 + 2] & 0xff; // red channel, the column left of the square
                int first = px[(36 * 96 + left) * 3 + 2] & 0xff; // the square's first column
                assertEquals(49, outside, 12, "red beside the edge");
                assertEquals(147, first, 12, "red at the edge");
            }
        }
    }

    @Test
    void vocRoundTripBoxesClassesAndPalettePngs() throws Exception {
        new SyntheticDatasetWriter(SCENES).writeVoc(dir, 6);
        assertEquals(List.of("000001", "000002", "000003", "000004", "000006"), VocReader.split(dir, "train"));
        assertEquals(List.of("000005"), VocReader.split(dir, "val"));
        try (SyntheticScenes.Scene s = SCENES.render(2)) {
            VocAnnotation a = VocReader.annotation(dir, "000003");
            assertEquals(s.objects().size(), a.objects().size());
            for (int i = 0; i < a.objects().size(); i++) {
                VocObject o = a.objects().get(i);
                double[] b = s.objects().get(i).bbox();
                assertArrayEquals(new double[] {b[0] + 1, b[1] + 1, b[0] + b[2], b[1] + b[3]}, o.box(), "1-based inclusive");
                assertEquals(SyntheticScenes.CLASSES.get(s.objects().get(i).classIndex()), o.name());
            }
            byte[] idx = VocReader.segmentation(dir, "000003", SyntheticScenes.CLASSES.size() + 1).labels();
            assertArrayEquals(s.classMap(), idx, "palette indices are the class map");
            boolean hasVoid = false;
            for (byte v : idx) {
                hasVoid |= (v & 0xff) == 255;
            }
            assertTrue(hasVoid, "object outlines are void (255)");
        }
        assertEquals("circle\nrectangle\ntriangle\nstar\n", Files.readString(dir.resolve("labels.txt")));
    }

    @Test
    void videoHasEveryFrameAtItsSizeAndPerFrameBoxes() throws Exception {
        Path video = dir.resolve("clip.avi");
        new SyntheticDatasetWriter(SCENES).writeVideo(video, 12, 10);
        try (VideoCapture cap = new VideoCapture(video.toString()); Mat frame = new Mat()) {
            assertTrue(cap.isOpened());
            int n = 0;
            while (cap.read(frame)) {
                assertEquals(96, frame.cols());
                assertEquals(64, frame.rows());
                n++;
            }
            assertEquals(12, n);
            assertEquals(10.0, cap.get(opencv_videoio.CAP_PROP_FPS), 0.01);
        }
        String json = Files.readString(dir.resolve("clip.frames.json"));
        assertTrue(json.contains("\"frame\": 11"), json);
    }

    @Test
    void noTinyObjectsAndPlainBackgrounds() {
        SyntheticScenes.Config base = new SyntheticScenes.Config(128, 96, 3, 2, 5, 0.25, 0.55);
        SyntheticScenes withTiny = new SyntheticScenes(base);
        SyntheticScenes without = new SyntheticScenes(new SyntheticScenes.Config(128, 96, 3, 2, 5, 0.25, 0.55, false, true));
        int tiny = 0;
        for (int i = 0; i < 60; i++) {
            List<SyntheticScenes.Shape> a = withTiny.shapes(i);
            List<SyntheticScenes.Shape> b = without.shapes(i);
            assertEquals(a.size(), b.size());
            for (int k = 0; k < a.size(); k++) {
                assertTrue(b.get(k).size() >= 0.25 * 96 && b.get(k).size() <= 0.55 * 96, "scene " + i + ": " + b.get(k).size());
                tiny += a.get(k).size() < 9 ? 1 : 0;
            }
        }
        assertTrue(tiny >= 5, tiny + " tiny objects in 60 default scenes");
        // a scene without objects is its background: striped and graded, or one colour with noise of +-4
        assertTrue(backgroundSpread(true) > 20, "textured");
        assertTrue(backgroundSpread(false) <= 8, "plain");
    }

    @Test
    void minVisibleDropsShapesTooHiddenAndKeepsOverlaps() {
        SyntheticScenes all = new SyntheticScenes(new SyntheticScenes.Config(128, 96, 3, 2, 5, 0.25, 0.55, false, false, 0));
        SyntheticScenes half = new SyntheticScenes(new SyntheticScenes.Config(128, 96, 3, 2, 5, 0.25, 0.55, false, false, 0.5));
        int shapes = 0;
        int dropped = 0;
        int overlapping = 0;
        for (int i = 0; i < 100; i++) {
            List<SyntheticScenes.Shape> before = all.shapes(i);
            List<SyntheticScenes.Shape> after = half.shapes(i);
            // only drops: the kept shapes are the same shapes in the same order
            assertTrue(isSubsequence(after, before), "scene " + i);
            shapes += before.size();
            dropped += before.size() - after.size();
            try (SyntheticScenes.Scene b = half.render(i)) {
                assertEquals(after.size(), b.objects().size(), "scene " + i + ": every kept shape is annotated");
                for (int k = 0; k < after.size(); k++) {
                    SyntheticScenes.SceneObject o = b.objects().get(k);
                    assertEquals(after.get(k).classIndex(), o.classIndex());
                    assertTrue(o.area() >= 0.5 * SyntheticScenes.area(after.get(k)),
                            "scene " + i + " object " + k + ": " + o.area() + " of " + SyntheticScenes.area(after.get(k)));
                    for (int m = k + 1; m < after.size(); m++) {
                        overlapping += intersect(o.bbox(), b.objects().get(m).bbox()) ? 1 : 0;
                    }
                }
            }
        }
        // measured: 471 shapes, 190 dropped (covered or cut by the border), 80 overlapping pairs kept
        assertTrue(dropped > shapes / 5 && dropped < shapes / 2, dropped + " of " + shapes + " shapes dropped");
        assertTrue(overlapping > 30, overlapping + " overlapping pairs kept");
        // a fully visible shape's pixels are its analytic area, within the rasterisation's edge
        SyntheticScenes.Shape square = new SyntheticScenes.Shape(1, 64, 48, 40, 0, new int[] {255, 255, 255});
        try (SyntheticScenes.Scene one = half.render(0, List.of(square))) {
            assertEquals(1600, SyntheticScenes.area(square), 90);
            assertEquals(SyntheticScenes.area(square), one.objects().get(0).area(), 0.1 * 1600);
        }
        assertThrows(IllegalArgumentException.class, () -> new SyntheticScenes.Config(128, 96, 3, 2, 5, 0.25, 0.55, false, false, 1.5));
    }

    @Test
    void minContrastKeepsEveryShapesColourAwayFromWhatLiesUnderIt() {
        SyntheticScenes free = new SyntheticScenes(new SyntheticScenes.Config(96, 72, 0, 2, 4, 0.3, 0.6, false, false, 0.5));
        SyntheticScenes zero = new SyntheticScenes(new SyntheticScenes.Config(96, 72, 0, 2, 4, 0.3, 0.6, false, false, 0.5, 0));
        SyntheticScenes apart = new SyntheticScenes(new SyntheticScenes.Config(96, 72, 0, 2, 4, 0.3, 0.6, false, false, 0.5, 80));
        int close = 0;
        int redrawn = 0;
        for (int i = 0; i < 200; i++) {
            List<SyntheticScenes.Shape> f = free.shapes(i);
            List<SyntheticScenes.Shape> z = zero.shapes(i);
            assertEquals(f.size(), z.size(), "scene " + i + ": minContrast 0 draws the same scenes");
            for (int k = 0; k < f.size(); k++) {
                assertTrue(same(f.get(k), z.get(k)), "scene " + i + " shape " + k);
            }
            int[] bg = plainBackground(free, i);
            close += closeColours(f, bg, 80);
            List<SyntheticScenes.Shape> a = apart.shapes(i);
            assertEquals(0, closeColours(a, plainBackground(apart, i), 80 - 7), "scene " + i); // the background's noise is +-4 a channel
            redrawn += !f.isEmpty() && f.size() == a.size() && !same(f.get(0), a.get(0)) ? 1 : 0;
        }
        // measured: 68 shapes of 200 free scenes within 80 of the background or an earlier shape; 21 scenes
        // whose first shape changed
        assertTrue(close > 30, close + " close colours without the option");
        assertTrue(redrawn > 10, redrawn + " scenes whose first shape was drawn again");
        assertThrows(IllegalArgumentException.class,
                () -> new SyntheticScenes.Config(96, 72, 0, 2, 4, 0.3, 0.6, false, false, 0.5, SyntheticScenes.Config.MAX_CONTRAST + 1));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticScenes.Config(96, 72, 0, 2, 4, 0.3, 0.6, false, false, 0.5, -1));
    }

    /** The shapes (in drawing order) closer than {@code min} to the background's or an earlier shape's colour. */
    private static int closeColours(List<SyntheticScenes.Shape> shapes, int[] background, double min) {
        int n = 0;
        for (int k = 0; k < shapes.size(); k++) {
            boolean near = distance(shapes.get(k).bgr(), background) < min;
            for (int j = 0; j < k; j++) {
                near |= distance(shapes.get(k).bgr(), shapes.get(j).bgr()) < min;
            }
            n += near ? 1 : 0;
        }
        return n;
    }

    private static double distance(int[] a, int[] b) {
        return Math.sqrt(Math.pow(a[0] - b[0], 2) + Math.pow(a[1] - b[1], 2) + Math.pow(a[2] - b[2], 2));
    }

    /** A plain scene's background colour, {b, g, r}: the mean of its empty render's pixels. */
    private static int[] plainBackground(SyntheticScenes scenes, int index) {
        try (SyntheticScenes.Scene empty = scenes.render(index, List.of())) {
            byte[] px = new byte[96 * 72 * 3];
            empty.image().data().get(px);
            long[] sum = new long[3];
            for (int p = 0; p < px.length; p++) {
                sum[p % 3] += px[p] & 0xff;
            }
            int n = px.length / 3;
            return new int[] {(int) Math.round((double) sum[0] / n), (int) Math.round((double) sum[1] / n), (int) Math.round((double) sum[2] / n)};
        }
    }

    /** Whether {@code sub}'s shapes appear in {@code all} in the same order (records with a colour array: by value). */
    private static boolean isSubsequence(List<SyntheticScenes.Shape> sub, List<SyntheticScenes.Shape> all) {
        int j = 0;
        for (SyntheticScenes.Shape s : all) {
            if (j < sub.size() && same(s, sub.get(j))) {
                j++;
            }
        }
        return j == sub.size();
    }

    private static boolean same(SyntheticScenes.Shape a, SyntheticScenes.Shape b) {
        return a.classIndex() == b.classIndex() && a.cx() == b.cx() && a.cy() == b.cy() && a.size() == b.size()
                && a.angle() == b.angle() && java.util.Arrays.equals(a.bgr(), b.bgr());
    }

    private static boolean intersect(double[] a, double[] b) {
        return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
    }

    /** Largest minus smallest value of the first channel of an empty scene. */
    private static int backgroundSpread(boolean textured) {
        try (SyntheticScenes.Scene scene = new SyntheticScenes(new SyntheticScenes.Config(128, 96, 5, 0, 0, 0.25, 0.55, true, textured))
                .render(0)) {
            byte[] px = new byte[128 * 96 * 3];
            scene.image().data().get(px);
            int lo = 255;
            int hi = 0;
            for (int p = 0; p < px.length; p += 3) {
                lo = Math.min(lo, px[p] & 0xff);
                hi = Math.max(hi, px[p] & 0xff);
            }
            return hi - lo;
        }
    }
}
