package org.resvision.tools;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code resvision synth}: the built-in synthetic dataset, written in real formats. */
@Command(name = "synth", header = "write the synthetic dataset (COCO and/or VOC layout, optional video)",
        description = "Draws N scenes of circles, rectangles, triangles and stars (overlapping, some tiny, some occluded or cut by"
                + " the border) on textured backgrounds and writes them as COCO (DIR/coco: images/,"
                + " annotations/instances_{train,val}.json with RLE masks) and/or the PASCAL VOC layout (DIR/voc: JPEGImages,"
                + " Annotations, SegmentationClass, ImageSets, labels.txt); every fifth image is in val. Deterministic by --seed.")
public final class SynthCommand extends CliCommand {

    /** {@code --format}'s values. */
    enum Format {
        /** DIR/coco */
        coco,
        /** DIR/voc */
        voc,
        /** both layouts */
        both
    }

    /** {@code --background}'s values. */
    enum Background {
        /** striped backgrounds with noise */
        textured,
        /** one colour, light noise */
        plain
    }

    @Option(names = "--format", paramLabel = "coco|voc|both", description = "the layouts to write (default: ${DEFAULT-VALUE})")
    Format format = Format.both;

    @Option(names = "--images", paramLabel = "N", description = "the number of scenes (required)")
    Integer images;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "the output folder")
    Path out;

    @Option(names = "--video", description = "also DIR/video/moving.avi (MJPEG) and moving.frames.json")
    boolean video;

    @Option(names = "--frames", paramLabel = "F", description = "the video's frames (default: ${DEFAULT-VALUE})")
    int frames = 60;

    @Option(names = "--video-size", paramLabel = "WxH", description = "the video's size (default: the scenes'; the same scene drawn"
            + " larger: sizes and positions scale with the frame)")
    String videoSize;

    @Option(names = "--seed", paramLabel = "S", description = "the seed (default: ${DEFAULT-VALUE})")
    int seed;

    @Option(names = "--size", paramLabel = "WxH", description = "the scenes' size (default 320x240)")
    String size;

    @Option(names = "--objects", paramLabel = "MIN,MAX", description = "objects per scene (default 2,7)")
    String objectCounts;

    @Option(names = "--object-size", paramLabel = "MIN,MAX", description = "object sizes as fractions of the short side (default 0.12,0.45)")
    String objectSizes;

    @Option(names = "--no-tiny", description = "no tiny objects (by default one in six is)")
    boolean noTiny;

    @Option(names = "--background", paramLabel = "textured|plain", description = "striped backgrounds with noise, or one colour with"
            + " light noise (default: ${DEFAULT-VALUE})")
    Background background = Background.textured;

    @Option(names = "--min-visible", paramLabel = "F", description = "drop every shape of which less than the fraction F (0-1) would be"
            + " in view, covered by others or cut by the border (default: ${DEFAULT-VALUE})")
    float minVisible;

    @Option(names = "--min-contrast", paramLabel = "D", description = "draw a shape's colour again while it is closer than D (0-150,"
            + " RGB distance) to the background's colour or to a shape drawn before it (default: ${DEFAULT-VALUE})")
    float minContrast;

    @Override
    protected int call() throws Exception {
        if (images == null || images <= 0) {
            throw new UsageException(images == null ? "missing --images N (a positive count)"
                    : "--images must be a positive count, got '" + images + "'");
        }
        if (frames <= 0) {
            throw new UsageException("--frames must be a positive count, got '" + frames + "'");
        }
        SyntheticScenes.Config d = SyntheticScenes.Config.defaults(seed);
        List<Integer> size = pair("--size", this.size, "x", Integer::parseInt, "WIDTHxHEIGHT, each 32 to 8192 (e.g. 320x240)",
                List.of(d.width(), d.height()), SynthCommand::validSize);
        List<Integer> objects = pair("--objects", objectCounts, ",", Integer::parseInt, "MIN,MAX counts with 0 <= MIN <= MAX <= 100 (e.g. 2,7)",
                List.of(d.minObjects(), d.maxObjects()), (lo, hi) -> lo >= 0 && lo <= hi && hi <= 100);
        List<Double> sizes = pair("--object-size", objectSizes, ",", Double::parseDouble,
                "MIN,MAX fractions of the short side with 0 < MIN <= MAX <= 2 (e.g. 0.12,0.45)", List.of(d.minSize(), d.maxSize()),
                (lo, hi) -> lo > 0 && lo <= hi && hi <= 2);
        List<Integer> vs = pair("--video-size", videoSize, "x", Integer::parseInt, "WIDTHxHEIGHT, each 32 to 8192 (e.g. 384x288)",
                size, SynthCommand::validSize);
        double minVisible = inRange("--min-visible", this.minVisible, 0f, 1f);
        double minContrast = inRange("--min-contrast", this.minContrast, 0f, (float) SyntheticScenes.Config.MAX_CONTRAST);
        SyntheticScenes scenes;
        try {
            scenes = new SyntheticScenes(new SyntheticScenes.Config(size.get(0), size.get(1), d.seed(), objects.get(0), objects.get(1),
                    sizes.get(0), sizes.get(1), !noTiny, background == Background.textured, minVisible,
                    minContrast));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        SyntheticDatasetWriter writer = new SyntheticDatasetWriter(scenes);
        long t0 = System.nanoTime();
        if (format != Format.voc) {
            int anns = writer.writeCoco(out.resolve("coco"), images);
            System.out.println("coco: " + images + " images, " + anns + " annotations in " + out.resolve("coco"));
        }
        if (format != Format.coco) {
            writer.writeVoc(out.resolve("voc"), images);
            System.out.println("voc:  " + images + " images in " + out.resolve("voc"));
        }
        if (video) {
            SyntheticDatasetWriter video = vs.equals(size) ? writer
                    : new SyntheticDatasetWriter(new SyntheticScenes(scenes.config().withSize(vs.get(0), vs.get(1))));
            video.writeVideo(out.resolve("video/moving.avi"), frames, 10);
            System.out.println("video: " + frames + " frames in " + out.resolve("video/moving.avi"));
        }
        System.out.printf(Locale.ROOT, "done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** An image or video size this command draws: each side 32 to 8192 pixels. */
    private static boolean validSize(int width, int height) {
        return width >= 32 && height >= 32 && width <= 8192 && height <= 8192;
    }

    /**
     * Option {@code name}'s value {@code v} as two values "A{sep}B" (e.g. 2,7) that satisfy {@code valid}, or
     * {@code absent} when it is not given; anything else is a usage error quoting {@code rule}.
     */
    private static <T> List<T> pair(String name, String v, String sep, Function<String, T> parse, String rule, List<T> absent,
            BiPredicate<T, T> valid) throws UsageException {
        if (v == null) {
            return absent;
        }
        String[] parts = v.toLowerCase(Locale.ROOT).split(sep, -1);
        try {
            if (parts.length == 2) {
                T a = parse.apply(parts[0].trim());
                T b = parse.apply(parts[1].trim());
                if (valid.test(a, b)) {
                    return List.of(a, b);
                }
            }
        } catch (RuntimeException e) {
            // not numbers: the same answer as numbers out of range
        }
        throw new UsageException(name + " must be " + rule + ", got '" + v + "'");
    }
}
