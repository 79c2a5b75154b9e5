package org.resvision.data.synth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_videoio;
import org.bytedeco.opencv.opencv_core.Size;
import org.bytedeco.opencv.opencv_videoio.VideoWriter;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoWriter;
import org.resvision.data.coco.Segmentation;
import org.resvision.data.mask.MaskApi;

/**
 * Writes {@link SyntheticScenes} to disk in real formats: COCO ({@code images/} + {@code
 * annotations/instances_{train,val}.json}, masks as compressed RLE), the PASCAL VOC layout
 * ({@code JPEGImages/}, {@code Annotations/*.xml} with 1-based boxes, {@code
 * SegmentationClass/*.png} palette PNGs with 255 on outlines, {@code ImageSets/{Main,Segmentation}}
 * and {@code labels.txt}), and a short MJPEG video of moving objects with per-frame boxes.
 * Every fifth image is in {@code val}, the rest in {@code train}.
 *
 * <p>Holds no mutable state: calls writing to different folders may run on several threads at once;
 * two calls writing the same files race (they use the same temporary file names).
 */
public final class SyntheticDatasetWriter {

    private final SyntheticScenes scenes;

    /**
     * A writer of these scenes.
     *
     * @param scenes the generator; image {@code i} is its scene {@code i}
     */
    public SyntheticDatasetWriter(SyntheticScenes scenes) {
        this.scenes = scenes;
    }

    static String imageId(int index) {
        return String.format(Locale.ROOT, "%06d", index + 1);
    }

    static boolean isVal(int index) {
        return index % 5 == 4;
    }

    /**
     * Writes {@code images} scenes in COCO format under {@code dir}; returns the annotation count.
     * Image {@code i} is {@code images/<i+1, 6 digits>.jpg} (JPEG quality 95, colour at full
     * resolution: 4:4:4) with id {@code i + 1}; categories are {@link SyntheticScenes#CLASSES} with ids
     * 1..4; areas are visible pixel counts and masks compressed RLE. Existing files of the same names
     * are replaced.
     *
     * @param dir the dataset folder, created if missing
     * @param images how many scenes to write (scenes 0 to {@code images - 1})
     * @return the number of annotations written, train and val together
     * @throws IOException when a file cannot be written
     */
    public int writeCoco(Path dir, int images) throws IOException {
        Files.createDirectories(dir.resolve("images"));
        List<CocoCategory> cats = new ArrayList<>();
        for (int c = 0; c < SyntheticScenes.CLASSES.size(); c++) {
            cats.add(new CocoCategory(c + 1, SyntheticScenes.CLASSES.get(c), "shape"));
        }
        List<List<CocoImage>> imgs = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<CocoAnnotation>> anns = List.of(new ArrayList<>(), new ArrayList<>());
        long annId = 1;
        for (int i = 0; i < images; i++) {
            int split = isVal(i) ? 1 : 0;
            String name = imageId(i) + ".jpg";
            try (SyntheticScenes.Scene s = scenes.render(i)) {
                writeImage(dir.resolve("images").resolve(name), s);
                imgs.get(split).add(new CocoImage(i + 1, name, scenes.config().width(), scenes.config().height()));
                for (SyntheticScenes.SceneObject o : s.objects()) {
                    Segmentation seg = new Segmentation.CompressedRle(o.mask().h(), o.mask().w(), MaskApi.toString(o.mask()));
                    anns.get(split).add(new CocoAnnotation(annId++, i + 1, o.classIndex() + 1, o.bbox(), o.area(), false, seg));
                }
            }
        }
        CocoWriter.writeDataset(dir.resolve("annotations/instances_train.json"), new CocoDataset(imgs.get(0), anns.get(0), cats));
        CocoWriter.writeDataset(dir.resolve("annotations/instances_val.json"), new CocoDataset(imgs.get(1), anns.get(1), cats));
        return (int) (annId - 1);
    }

    /**
     * Writes {@code images} scenes in the PASCAL VOC layout under {@code dir}.
     * Objects under 64 visible pixels are marked difficult; splits {@code train}, {@code val} and
     * {@code trainval} are written to both {@code ImageSets/Main} and {@code ImageSets/Segmentation}.
     * Existing files of the same names are replaced.
     *
     * @param dir the dataset folder, created if missing
     * @param images how many scenes to write (scenes 0 to {@code images - 1}, ids {@code 000001}, ...)
     * @throws IOException when a file cannot be written
     */
    public void writeVoc(Path dir, int images) throws IOException {
        for (String sub : List.of("JPEGImages", "Annotations", "SegmentationClass", "ImageSets/Main", "ImageSets/Segmentation")) {
            Files.createDirectories(dir.resolve(sub));
        }
        StringBuilder train = new StringBuilder();
        StringBuilder val = new StringBuilder();
        for (int i = 0; i < images; i++) {
            String id = imageId(i);
            (isVal(i) ? val : train).append(id).append('\n');
            try (SyntheticScenes.Scene s = scenes.render(i)) {
                writeImage(dir.resolve("JPEGImages/" + id + ".jpg"), s);
                atomicString(dir.resolve("Annotations/" + id + ".xml"), vocXml(id, s));
                org.resvision.data.voc.VocPalette.writePng(dir.resolve("SegmentationClass/" + id + ".png"), s.classMap(),
                        scenes.config().width(), scenes.config().height());
            }
        }
        for (String sub : List.of("Main", "Segmentation")) {
            atomicString(dir.resolve("ImageSets/" + sub + "/train.txt"), train.toString());
            atomicString(dir.resolve("ImageSets/" + sub + "/val.txt"), val.toString());
            atomicString(dir.resolve("ImageSets/" + sub + "/trainval.txt"), train.toString() + val);
        }
        atomicString(dir.resolve("labels.txt"), String.join("\n", SyntheticScenes.CLASSES) + "\n");
    }

    private String vocXml(String id, SyntheticScenes.Scene s) {
        StringBuilder x = new StringBuilder("<annotation>\n  <folder>synthetic</folder>\n");
        x.append("  <filename>").append(id).append(".jpg</filename>\n");
        x.append("  <size><width>").append(scenes.config().width()).append("</width><height>")
                .append(scenes.config().height()).append("</height><depth>3</depth></size>\n");
        x.append("  <segmented>1</segmented>\n");
        for (SyntheticScenes.SceneObject o : s.objects()) {
            double[] b = o.bbox();
            // VOC: 1-based, inclusive pixel coordinates
            x.append("  <object><name>").append(SyntheticScenes.CLASSES.get(o.classIndex())).append("</name>")
                    .append("<pose>Unspecified</pose><truncated>").append(o.truncated() ? 1 : 0).append("</truncated>")
                    .append("<difficult>").append(o.area() < 64 ? 1 : 0).append("</difficult><bndbox>")
                    .append("<xmin>").append((int) b[0] + 1).append("</xmin><ymin>").append((int) b[1] + 1)
                    .append("</ymin><xmax>").append((int) (b[0] + b[2])).append("</xmax><ymax>").append((int) (b[1] + b[3]))
                    .append("</ymax></bndbox></object>\n");
        }
        return x.append("</annotation>\n").toString();
    }

    /**
     * Writes a {@code frames}-long MJPEG AVI of one scene's objects moving (bouncing off the
     * borders; the first of scenes 0-19 with three objects, or with {@code maxObjects} when fewer are
     * allowed, else scene 19), and {@code <name>.frames.json}: per frame, the visible objects' boxes.
     * Boxes are {@code [x, y, w, h]} in pixels with the object's label (class index + 1) and visible area.
     * On failure a temporary {@code .<name>.tmp.avi} may be left next to {@code file}.
     *
     * @param file the video, normally {@code *.avi} ({@code <name>} is the file name without {@code .avi});
     *     missing parent folders are created, an existing file is replaced
     * @param frames number of frames
     * @param fps frame rate written into the file and the JSON
     * @throws IOException when OpenCV cannot write the video or a file cannot be written
     */
    public void writeVideo(Path file, int frames, double fps) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        int w = scenes.config().width();
        int h = scenes.config().height();
        // the first of the first 20 scenes that holds three shapes (or the most the config allows):
        // something to track
        int want = Math.min(3, scenes.config().maxObjects());
        int start = 0;
        List<SyntheticScenes.Shape> shapes = scenes.shapes(start); // a new, mutable list
        while (start < 19 && shapes.size() < want) {
            shapes = scenes.shapes(++start);
        }
        java.util.Random rnd = new java.util.Random(scenes.config().seed() + 99);
        double[][] vel = new double[shapes.size()][];
        for (int i = 0; i < vel.length; i++) {
            vel[i] = new double[] {rnd.nextDouble() * 6 - 3, rnd.nextDouble() * 6 - 3};
        }
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp.avi");
        StringBuilder json = new StringBuilder("{\"width\": " + w + ", \"height\": " + h + ", \"fps\": " + fps
                + ", \"classes\": [\"" + String.join("\", \"", SyntheticScenes.CLASSES) + "\"], \"frames\": [\n");
        int fourcc = VideoWriter.fourcc((byte) 'M', (byte) 'J', (byte) 'P', (byte) 'G');
        // OpenCV's own MJPEG writer, asked for by name (probing other back-ends prints errors)
        try (VideoWriter vw = new VideoWriter(tmp.toString(), opencv_videoio.CAP_OPENCV_MJPEG, fourcc, fps, new Size(w, h), true)) {
            if (!vw.isOpened()) {
                throw new IOException(file + ": OpenCV cannot write an MJPEG AVI here");
            }
            for (int f = 0; f < frames; f++) {
                try (SyntheticScenes.Scene s = scenes.render(start, shapes)) {
                    vw.write(s.image());
                    json.append(f == 0 ? "" : ",\n").append("  {\"frame\": ").append(f).append(", \"objects\": [");
                    for (int o = 0; o < s.objects().size(); o++) {
                        SyntheticScenes.SceneObject ob = s.objects().get(o);
                        double[] b = ob.bbox();
                        json.append(o == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                                "{\"class\": %d, \"bbox\": [%.0f, %.0f, %.0f, %.0f], \"area\": %d}",
                                ob.classIndex() + 1, b[0], b[1], b[2], b[3], ob.area()));
                    }
                    json.append("]}");
                }
                for (int i = 0; i < shapes.size(); i++) {
                    SyntheticScenes.Shape sh = shapes.get(i);
                    double cx = sh.cx() + vel[i][0];
                    double cy = sh.cy() + vel[i][1];
                    if (cx < 0 || cx > w) {
                        vel[i][0] = -vel[i][0];
                    }
                    if (cy < 0 || cy > h) {
                        vel[i][1] = -vel[i][1];
                    }
                    shapes.set(i, new SyntheticScenes.Shape(sh.classIndex(), cx, cy, sh.size(), sh.angle() + 0.02, sh.bgr()));
                }
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        atomicString(file.resolveSibling(file.getFileName().toString().replaceFirst("\\.avi$", "") + ".frames.json"),
                json.append("\n]}\n").toString());
    }

    static void writeImage(Path file, SyntheticScenes.Scene s) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp.jpg");
        // full-resolution colour (4:4:4): with JPEG's default 4:2:0, an edge between two colours of
        // about the same brightness is smeared over four pixels, which at 96x72 rounds a square's corners
        try (IntPointer params = new IntPointer(opencv_imgcodecs.IMWRITE_JPEG_QUALITY, 95,
                opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR, opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR_444)) {
            if (!opencv_imgcodecs.imwrite(tmp.toString(), s.image(), params)) {
                throw new IOException(file + ": OpenCV could not write the image");
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void atomicString(Path file, String text) throws IOException {
        org.resvision.data.io.AtomicFiles.write(file, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }

}
