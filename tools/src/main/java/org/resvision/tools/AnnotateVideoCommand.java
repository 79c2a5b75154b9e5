package org.resvision.tools;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.resvision.data.video.VideoReader;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.FasterRcnn;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code resvision annotate-video}: every frame of a folder of videos through a detector. */
@Command(name = "annotate-video", header = "run a detector over every frame of a folder of videos",
        description = {
            "Each video becomes DIR/<name>.mp4 (H.264, the source's frame rate and size, boxes, labels and scores drawn, and"
                + " with --seg-weights the segmentation model's class map blended in; frames between processed ones show the"
                + " latest results) and its annotations: DIR/<name>.jsonl (default; a line per processed frame: frame,"
                + " timestamp, detections), .json (--format coco: an image per processed frame with video and frame_index) or"
                + " .txt (--format mot: MOT challenge lines). Videos are files with the extensions mp4, mkv, avi, mov, webm,"
                + " m4v, mpg, mpeg, ts.",
            "Outputs are written under temporary names and renamed when a video completes: a re-run skips finished videos"
                + " (--overwrite redoes them). Unreadable files and undecodable frames are reported, counted and skipped. A"
                + " video being written by another run into the same DIR (a lock on DIR/.<name>.lock) is skipped with a"
                + " message. A video that ends before the frame count or duration its container declares (a cut-off file)"
                + " gives DIR/<name>.partial.mp4 and .partial.jsonl (a last line {\"partial\": true, \"frames\": F,"
                + " \"seconds\": S, \"declared_frames\": DF, \"declared_seconds\": DS}; coco: the same in info) and a"
                + " warning; a re-run redoes it, and a whole run replaces the partial files."})
public final class AnnotateVideoCommand extends CliCommand {

    static final Set<String> VIDEO_EXTENSIONS = Set.of("mp4", "mkv", "avi", "mov", "webm", "m4v", "mpg", "mpeg", "ts");

    /** {@code --format}'s values (the Spark job's too). */
    public enum Format {
        /** a line per processed frame */
        jsonl,
        /** a COCO file, an image per processed frame */
        coco,
        /** MOT challenge text lines */
        mot
    }

    @Mixin ModelOptions modelOptions;

    @Option(names = "--seg-config", paramLabel = "C2.json", description = "the segmenter's config (required with a checkpoint file)")
    String segConfig;

    @Option(names = "--seg-weights", paramLabel = "W2", description = "a segmenter (a file or a published name such as fcn_resnet50)"
            + " whose class map is blended into the video (frames go through it at their own size)")
    String segWeights;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "the output folder")
    Path out;

    @Option(names = "--stride", paramLabel = "N", description = "run the detector on every N-th frame (default: ${DEFAULT-VALUE})")
    int stride = 1;

    @Option(names = "--batch", paramLabel = "B", description = "frames per forward pass (default: ${DEFAULT-VALUE})")
    int batch = 4;

    @Option(names = "--score-thresh", paramLabel = "T", description = "overrides the config's box_score_thresh")
    Float scoreThresh;

    @Option(names = "--format", paramLabel = "jsonl|coco|mot", description = "the annotations' format (default: ${DEFAULT-VALUE})")
    Format format = Format.jsonl;

    @Option(names = "--no-video", description = "write the annotations only")
    boolean noVideo;

    @Option(names = "--track", description = "add track ids (IoU tracker with constant-velocity prediction and ByteTrack-style"
            + " two-stage association)")
    boolean track;

    @Option(names = "--overwrite", description = "redo videos that are finished already")
    boolean overwrite;

    @Parameters(paramLabel = "INPUTS", arity = "0..*", description = "video files or folders (searched recursively for the"
            + " extensions above)")
    List<String> inputs = new ArrayList<>();

    @Override
    protected int call() throws Exception {
        if (inputs.isEmpty()) {
            throw new UsageException("no INPUTS given (video files or folders of them; --help shows the options)");
        }
        if (stride < 1 || batch < 1) {
            throw new UsageException(stride < 1 ? "--stride must be at least 1, got '" + stride + "'" : "--batch must be at least 1, got '" + batch + "'");
        }
        ModelChoice detector = modelOptions.choice();
        if (!detector.isDetection()) {
            throw new UsageException((modelOptions.config != null ? modelOptions.config : detector.weights().label())
                    + ": annotate-video needs a detection model");
        }
        DetectionConfig c = scoreThresh != null ? detector.detection().withBoxScoreThresh(scoreThresh) : detector.detection();
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new UsageException(out + ": --out must be a folder, and this is a file");
        }
        List<Path> videos = new ArrayList<>();
        for (String in : inputs) {
            Path p = Path.of(in);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(Files::isRegularFile).filter(AnnotateVideoCommand::isVideo).sorted().forEach(videos::add);
                }
            } else {
                videos.add(p);
            }
        }
        videos = new ArrayList<>(new java.util.LinkedHashSet<>(videos.stream().map(p -> p.toAbsolutePath().normalize()).toList()));
        VideoAnnotator.Settings settings = new VideoAnnotator.Settings(stride, batch, !noVideo, track, format.name());
        long t0 = System.nanoTime();
        int done = 0;
        int already = 0;
        int failed = 0;
        int busy = 0;
        int partial = 0;
        long frames = 0;
        long processed = 0;
        long detections = 0;
        long badFrames = 0;
        double annotating = 0;
        try (NDManager m = NDManager.newBaseManager(modelOptions.device.device())) {
            FasterRcnn model = DetectionCommands.load(c, detector.file(), m);
            org.resvision.segmentation.Fcn seg = null;
            org.resvision.segmentation.SegmentationTransform segTransform = null;
            if (segConfig != null || segWeights != null) {
                if (segWeights == null) {
                    throw new UsageException("--seg-config needs --seg-weights");
                }
                ModelChoice segmenter = ModelChoice.of(segConfig, segWeights);
                if (segmenter.isDetection()) {
                    throw new UsageException(segmenter.weights().label() + ": --seg-weights needs a segmentation model");
                }
                seg = SegmentationCommands.load(segmenter.segmentation(), segmenter.file(), m);
                segTransform = org.resvision.segmentation.SegmentationTransform.of(segmenter.segmentation());
            }
            VideoAnnotator annotator = new VideoAnnotator(model, c, seg, segTransform, settings, m, System.out);
            for (int i = 0; i < videos.size(); i++) {
                Path v = videos.get(i);
                String stem = v.getFileName().toString().replaceFirst("\\.[^.]*$", "");
                Path videoOut = settings.video() ? out.resolve(stem + ".mp4") : null;
                Path annOut = out.resolve(stem + VideoAnnotator.extension(format.name()));
                String label = String.format(Locale.ROOT, "[%d/%d] %s", i + 1, videos.size(), v);
                if (!overwrite && finished(videoOut, annOut)) {
                    removeStaleLock(out.resolve("." + stem + ".lock"));
                    System.out.println(label + ": already annotated (" + annOut + "), skipped; --overwrite redoes it");
                    already++;
                    continue;
                }
                try (VideoReader reader = VideoReader.open(v)) {
                    Files.createDirectories(out);
                    try (OutputLock lock = OutputLock.tryAcquire(out.resolve("." + stem + ".lock"))) {
                        if (lock == null) {
                            System.err.println("annotate-video: skipped " + v + ": " + annOut + " is being written by another process");
                            busy++;
                            continue;
                        }
                        if (!overwrite && finished(videoOut, annOut)) { // by the run that held the lock
                            System.out.println(label + ": already annotated (" + annOut + "), skipped; --overwrite redoes it");
                            already++;
                            continue;
                        }
                        removeLeftovers(out, videoOut, annOut);
                        System.out.printf(Locale.ROOT, "%s: %dx%d, %.2f fps%n", label, reader.width(), reader.height(), reader.frameRate());
                        VideoAnnotator.Result r = annotator.annotate(reader, videoOut, annOut, stem);
                        done++;
                        frames += r.frames();
                        processed += r.processed();
                        detections += r.detections();
                        badFrames += r.badFrames();
                        annotating += r.seconds();
                        Path written = r.videoFile() != null ? r.videoFile() : r.annotationsFile();
                        if (!r.partial()) { // a whole run supersedes the partial outputs of an earlier, cut-short input
                            Files.deleteIfExists(VideoAnnotator.partial(annOut));
                            if (videoOut != null) {
                                Files.deleteIfExists(VideoAnnotator.partial(videoOut));
                            }
                        } else {
                            partial++;
                            System.err.printf(Locale.ROOT, "annotate-video: warning: %s ends early: %s; wrote %s, which a re-run redoes%n", v,
                                    r.shortfall().describe(), written);
                        }
                        System.out.printf(Locale.ROOT, "%s: %s, %d frames (%d processed, %d undecodable), %d detections, %.1f s -> %s%n",
                                label, r.partial() ? "partial" : "done", r.frames(), r.processed(), r.badFrames(), r.detections(), r.seconds(), written);
                        int left = videos.size() - i - 1;
                        System.out.printf(Locale.ROOT, "overall: %d/%d videos, %d frames, %.2f frames/s%s%n", i + 1, videos.size(), frames,
                                frames / Math.max(annotating, 1e-9),
                                left > 0 ? String.format(Locale.ROOT, ", eta %.0f s at this pace", annotating / done * left) : "");
                    }
                } catch (IOException e) {
                    failed++;
                    System.err.println("annotate-video: skipped " + v + ": " + e.getMessage().replace('\n', ' '));
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT,
                "summary: %d videos annotated, %d already done, %d skipped (unreadable)%s%s; %d frames (%d processed, %d undecodable), "
                        + "%d detections; wall time %.1f s, %.2f frames/s while annotating%n",
                done, already, failed, partial > 0 ? ", " + partial + " partial (shorter than they declare)" : "",
                busy > 0 ? ", " + busy + " skipped (being written by another process)" : "", frames, processed, badFrames, detections, seconds, frames / Math.max(annotating, 1e-9));
        return failed > 0 && done == 0 && already == 0 ? 1 : 0;
    }

    /**
     * Deletes the lock file of a finished output that no process holds: a run killed after its
     * outputs took their final names but before it deleted its lock leaves one behind. Taking the
     * lock and letting it go deletes it; a lock still held (its run finishing now) is left alone.
     */
    private static void removeStaleLock(Path lockFile) {
        if (Files.exists(lockFile)) {
            try (OutputLock stale = OutputLock.tryAcquire(lockFile)) {
                // closed at once: the file goes with it
            } catch (IOException e) {
                // a lock file that cannot be opened or deleted stays; the outputs are whole either way
            }
        }
    }

    /** Both outputs there under their final names (partial outputs do not count: a re-run redoes them). */
    private static boolean finished(Path videoOut, Path annOut) {
        return Files.exists(annOut) && (videoOut == null || Files.exists(videoOut));
    }

    /** Under the output's lock: deletes the temporary files of runs of this output that died (kill -9, power loss). */
    private static void removeLeftovers(Path out, Path videoOut, Path annOut) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (VideoAnnotator.isTemporary(p, annOut) || (videoOut != null && VideoAnnotator.isTemporary(p, videoOut))) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    static boolean isVideo(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && !n.startsWith(".") && VIDEO_EXTENSIONS.contains(n.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}
