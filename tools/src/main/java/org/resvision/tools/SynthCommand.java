package org.resvision.tools;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;

/** {@code resvision synth}: the built-in synthetic dataset, written in real formats. */
public final class SynthCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision synth --format coco|voc|both --images N --out DIR [--video] [--frames F]",
            "                       [--video-size WxH] [--seed S] [--size WxH] [--objects MIN,MAX]",
            "                       [--object-size MIN,MAX] [--no-tiny] [--background textured|plain]",
            "                       [--min-visible F]",
            "  Draws N scenes of circles, rectangles, triangles and stars (overlapping, some tiny, some",
            "  occluded or cut by the border) on textured backgrounds and writes them as COCO",
            "  (DIR/coco: images/, annotations/instances_{train,val}.json with RLE masks) and/or the PASCAL VOC",
            "  layout (DIR/voc: JPEGImages, Annotations, SegmentationClass, ImageSets, labels.txt); every fifth",
            "  image is in val. --video adds DIR/video/moving.avi (MJPEG, F frames, default 60) and",
            "  moving.frames.json, at the scenes' size or --video-size (the same scene drawn larger: sizes",
            "  and positions scale with the frame). Deterministic by --seed (default 0); default size",
            "  320x240, 2-7 objects of 0.12-0.45 x the short side (one in six tiny; --no-tiny: none), striped",
            "  backgrounds with noise (--background plain: one colour, light noise). --min-visible F drops",
            "  every shape of which less than the fraction F (0-1, default 0) would be in view, covered by",
            "  others or cut by the border.");

    @Override
    public String name() {
        return "synth";
    }

    @Override
    public String summary() {
        return "write the synthetic dataset (COCO and/or VOC layout, optional video)";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("format", "images", "out", "frames", "seed", "size", "objects", "object-size", "background",
                "min-visible", "video-size"),
                Set.of("video", "no-tiny"), USAGE);
        String format = args.get("format", "both");
        if (!Set.of("coco", "voc", "both").contains(format)) {
            throw new UsageException("--format must be coco, voc or both, got '" + format + "'");
        }
        int images = args.getInt("images", 0);
        if (images <= 0) {
            throw new UsageException(args.get("images", null) == null ? "missing --images N (a positive count)"
                    : "--images must be a positive count, got '" + images + "'");
        }
        int frames = args.getInt("frames", 60);
        if (frames <= 0) {
            throw new UsageException("--frames must be a positive count, got '" + frames + "'");
        }
        Path out = Path.of(args.require("out"));
        SyntheticScenes.Config d = SyntheticScenes.Config.defaults(args.getInt("seed", 0));
        List<Integer> size = pair(args, "size", "x", Integer::parseInt, "WIDTHxHEIGHT, each 32 to 8192 (e.g. 320x240)",
                List.of(d.width(), d.height()), SynthCommand::validSize);
        List<Integer> objects = pair(args, "objects", ",", Integer::parseInt, "MIN,MAX counts with 0 <= MIN <= MAX <= 100 (e.g. 2,7)",
                List.of(d.minObjects(), d.maxObjects()), (lo, hi) -> lo >= 0 && lo <= hi && hi <= 100);
        List<Double> sizes = pair(args, "object-size", ",", Double::parseDouble,
                "MIN,MAX fractions of the short side with 0 < MIN <= MAX <= 2 (e.g. 0.12,0.45)", List.of(d.minSize(), d.maxSize()),
                (lo, hi) -> lo > 0 && lo <= hi && hi <= 2);
        List<Integer> vs = pair(args, "video-size", "x", Integer::parseInt, "WIDTHxHEIGHT, each 32 to 8192 (e.g. 384x288)",
                size, SynthCommand::validSize);
        String background = args.get("background", "textured");
        if (!Set.of("textured", "plain").contains(background)) {
            throw new UsageException("--background must be textured or plain, got '" + background + "'");
        }
        double minVisible = args.getFloat("min-visible", 0f, 0f, 1f);
        SyntheticScenes scenes;
        try {
            scenes = new SyntheticScenes(new SyntheticScenes.Config(size.get(0), size.get(1), d.seed(), objects.get(0), objects.get(1),
                    sizes.get(0), sizes.get(1), !args.flag("no-tiny"), background.equals("textured"), minVisible));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        SyntheticDatasetWriter writer = new SyntheticDatasetWriter(scenes);
        long t0 = System.nanoTime();
        if (!format.equals("voc")) {
            int anns = writer.writeCoco(out.resolve("coco"), images);
            System.out.println("coco: " + images + " images, " + anns + " annotations in " + out.resolve("coco"));
        }
        if (!format.equals("coco")) {
            writer.writeVoc(out.resolve("voc"), images);
            System.out.println("voc:  " + images + " images in " + out.resolve("voc"));
        }
        if (args.flag("video")) {
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
     * Option {@code --name} as two values "A{sep}B" (e.g. 2,7) that satisfy {@code valid}, or
     * {@code absent} when it is not given; anything else is a usage error quoting {@code rule}.
     */
    private static <T> List<T> pair(Args args, String name, String sep, Function<String, T> parse, String rule, List<T> absent,
            BiPredicate<T, T> valid) throws UsageException {
        String v = args.get(name, null);
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
        throw new UsageException("--" + name + " must be " + rule + ", got '" + v + "'");
    }
}
