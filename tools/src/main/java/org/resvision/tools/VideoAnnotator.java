package org.resvision.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.resvision.data.image.Images;
import org.resvision.data.video.VideoReader;
import org.resvision.data.video.VideoWriter;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.Detections;
import org.resvision.detection.FasterRcnn;
import org.resvision.detection.track.IouTracker;

/**
 * Annotates one video: a decoding thread, batched detection (every {@code stride}-th frame) with
 * optional tracking on the calling thread, and an encoding thread that draws and writes every
 * frame (frames between processed ones show the latest detections) and the annotations,
 * connected by bounded queues. Outputs are written under temporary names and renamed when the
 * video completes.
 */
final class VideoAnnotator {

    /** Job settings. */
    record Settings(int stride, int batch, boolean video, boolean track, String format) {}

    /**
     * What one video produced; {@code shortfall} is non-null when the input held less than it
     * declares (the outputs then have {@link #partial} names).
     */
    record Result(int frames, int processed, long detections, int badFrames, double seconds, Shortfall shortfall, Path videoFile,
            Path annotationsFile) {
        boolean partial() {
            return shortfall != null;
        }
    }

    /**
     * The frames read (decoded or not) and the time they cover, against the video stream's
     * declared frame count and duration (-1: not declared).
     */
    record Shortfall(int frames, double seconds, int declaredFrames, double declaredSeconds) {

        /** The shortfall, or null when the input is whole: 1% (declared counts can be a frame or two off) or 2 frames' time. */
        static Shortfall of(int frames, double seconds, int declaredFrames, double declaredSeconds, double fps) {
            boolean fewer = declaredFrames > 0 && frames < declaredFrames - declaredFrames / 100;
            boolean shorter = declaredSeconds > 0 && seconds < declaredSeconds - Math.max(2 / fps, declaredSeconds / 100);
            return fewer || shorter ? new Shortfall(frames, seconds, declaredFrames, declaredSeconds) : null;
        }

        /** "30 of the 60 frames it declares", or in seconds when no frame count is declared. */
        String describe() {
            return declaredFrames > 0 ? String.format(Locale.ROOT, "%d of the %d frames it declares", frames, declaredFrames)
                    : String.format(Locale.ROOT, "%.2f s of the %.2f s it declares", seconds, declaredSeconds);
        }
    }

    /** A frame on its way to the encoder, with the detections (and class map) to draw, and to record if processed. */
    private record Item(VideoReader.VideoFrame frame, Detections detections, int[] trackIds, byte[] mask, boolean processed) {}

    private static final Item END = new Item(null, null, null, null, false);

    private final FasterRcnn model;
    private final DetectionConfig config;
    private final Settings settings;
    private final NDManager manager;
    private final PrintStream log;
    private final org.resvision.segmentation.Fcn segmenter;
    private final org.resvision.segmentation.SegmentationTransform segTransform;

    /**
     * @param segmenter an FCN whose class map is drawn under the boxes, or null
     * @param segTransform the segmenter's transform (its config's {@code base_size}), or null without one
     */
    VideoAnnotator(FasterRcnn model, DetectionConfig config, org.resvision.segmentation.Fcn segmenter,
            org.resvision.segmentation.SegmentationTransform segTransform, Settings settings, NDManager manager,
            PrintStream log) {
        this.segmenter = segmenter;
        this.segTransform = segTransform;
        this.model = model;
        this.config = config;
        this.settings = settings;
        this.manager = manager;
        this.log = log;
    }

    /** The annotation file's extension for the format. */
    static String extension(String format) {
        return switch (format) {
            case "coco" -> ".json";
            case "mot" -> ".txt";
            default -> ".jsonl";
        };
    }

    /**
     * The name a video's outputs get when its input ended early: {@code x.mp4} becomes {@code
     * x.partial.mp4}, which no re-run mistakes for finished.
     */
    static Path partial(Path out) {
        String n = out.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return out.resolveSibling(n.substring(0, dot) + ".partial" + n.substring(dot));
    }

    /** A temporary name for {@code out} that no other run uses: {@code .x.mp4.<pid>-<random>.tmp.mp4}. */
    static Path temporary(Path out) {
        String n = out.getFileName().toString();
        String unique = ProcessHandle.current().pid() + "-" + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        return out.resolveSibling("." + n + "." + unique + ".tmp" + (n.endsWith(".mp4") ? ".mp4" : ""));
    }

    /** Whether {@code file} is one of {@link #temporary}'s names for {@code out} (or the fixed one of older versions). */
    static boolean isTemporary(Path file, Path out) {
        String n = out.getFileName().toString();
        return file.getFileName().toString().matches("\\." + java.util.regex.Pattern.quote(n) + "(\\.\\d+-[0-9a-f]+)?\\.tmp(\\.mp4)?");
    }

    /**
     * Annotates one video into {@code videoOut} (null: none) and {@code annotationsOut}, or their
     * {@link #partial} names when the input holds fewer frames than it declares; on failure
     * nothing is left behind.
     */
    Result annotate(VideoReader reader, Path videoOut, Path annotationsOut, String label) throws Exception {
        Path tmpVideo = videoOut == null ? null : temporary(videoOut);
        Path tmpAnn = temporary(annotationsOut);
        try {
            return annotate(reader, videoOut, annotationsOut, label, tmpVideo, tmpAnn);
        } catch (Exception | Error e) {
            Files.deleteIfExists(tmpAnn);
            if (tmpVideo != null) {
                Files.deleteIfExists(tmpVideo);
            }
            throw e;
        }
    }

    private Result annotate(VideoReader reader, Path videoOut, Path annotationsOut, String label, Path tmpVideo, Path tmpAnn)
            throws Exception {
        long t0 = System.nanoTime();
        BlockingQueue<Object> decoded = new ArrayBlockingQueue<>(Math.max(4, 2 * settings.batch() * settings.stride()));
        BlockingQueue<Item> toEncode = new ArrayBlockingQueue<>(Math.max(4, 2 * settings.batch() * settings.stride()));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread decoder = decoder(reader, decoded, failure);
        VideoWriter writer = tmpVideo == null ? null : VideoWriter.open(tmpVideo, reader.width(), reader.height(), reader.frameRate());
        AnnotationSink sink;
        try {
            sink = new AnnotationSink(tmpAnn, settings.format(), config.classNames(), label, reader.frameRate(), reader.width(), reader.height());
        } catch (IOException e) {
            if (writer != null) {
                writer.close();
            }
            throw e;
        }
        long[] detections = {0};
        int[] processedCount = {0};
        Thread encoder = encoder(toEncode, sink, writer, failure);
        decoder.start();
        encoder.start();
        IouTracker tracker = settings.track() ? new IouTracker(IouTracker.Settings.defaults()) : null;
        int frames = 0;
        int expected = reader.frameCountEstimate();
        double lastEnd = 0; // the end of the latest frame, in seconds
        long lastReport = System.nanoTime();
        Detections latest = null;
        int[] latestIds = null;
        byte[] latestMask = null;
        List<VideoReader.VideoFrame> pending = new ArrayList<>(); // in order, processed or not
        List<VideoReader.VideoFrame> batch = new ArrayList<>();
        ParameterStore ps = new ParameterStore(manager, false);
        boolean end = false;
        Shortfall shortfall = null;
        try {
            while (!end) {
                Object o = decoded.take();
                if (o == END) {
                    end = true;
                } else {
                    VideoReader.VideoFrame f = (VideoReader.VideoFrame) o;
                    frames++;
                    lastEnd = Math.max(lastEnd, f.seconds() + 1 / reader.frameRate());
                    pending.add(f);
                    if (f.index() % settings.stride() == 0) {
                        batch.add(f);
                    }
                }
                if (batch.size() == settings.batch() || (end && !pending.isEmpty())) {
                    List<Detections> dets = detect(batch, ps);
                    List<byte[]> masks = segment(batch, ps);
                    int b = 0;
                    for (VideoReader.VideoFrame f : pending) {
                        boolean processed = b < batch.size() && batch.get(b) == f;
                        if (processed) {
                            latestMask = masks == null ? null : masks.get(b);
                            latest = dets.get(b++);
                            latestIds = tracker == null ? null : tracker.update(latest);
                            detections[0] += latest.size();
                            processedCount[0]++;
                        }
                        if (failure.get() != null) {
                            f.close();
                        } else {
                            toEncode.put(new Item(f, latest, latestIds, latestMask, processed));
                        }
                    }
                    pending.clear();
                    batch.clear();
                }
                if (failure.get() != null) {
                    break;
                }
                if (System.nanoTime() - lastReport > 2_000_000_000L || end) {
                    lastReport = System.nanoTime();
                    log.println(progress(label, frames, expected, (lastReport - t0) / 1e9));
                }
            }
        } finally {
            shortfall = end && failure.get() == null ? shortfall(reader, frames, lastEnd) : null;
            toEncode.put(END);
            encoder.join();
            decoder.interrupt();
            decoder.join();
            for (Object o : decoded) {
                if (o instanceof VideoReader.VideoFrame f) {
                    f.close();
                }
            }
            for (VideoReader.VideoFrame f : pending) {
                f.close();
            }
            try {
                if (shortfall != null) {
                    sink.partial(shortfall); // after the encoder's last frame
                }
                sink.close();
            } finally {
                if (writer != null) {
                    writer.close();
                }
            }
        }
        if (failure.get() != null) {
            Throwable t = failure.get();
            throw new IOException(reader.file() + ": " + (t.getMessage() == null ? t.toString() : t.getMessage()), t);
        }
        boolean partial = shortfall != null;
        Path finalVideo = videoOut == null ? null : partial ? partial(videoOut) : videoOut;
        Path finalAnn = partial ? partial(annotationsOut) : annotationsOut;
        publish(tmpVideo, finalVideo, tmpAnn, finalAnn);
        return new Result(frames, processedCount[0], detections[0], reader.skipped(), (System.nanoTime() - t0) / 1e9, shortfall,
                finalVideo, finalAnn);
    }

    /** The thread that decodes {@code reader}'s frames into {@code decoded}, then {@link #END}; a failure goes to {@code failure}. */
    private static Thread decoder(VideoReader reader, BlockingQueue<Object> decoded, AtomicReference<Throwable> failure) {
        return new Thread(() -> {
            try {
                for (VideoReader.VideoFrame f = reader.next(); f != null; f = reader.next()) {
                    decoded.put(f);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            } finally {
                try {
                    decoded.put(END);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "resvision-decode");
    }

    /**
     * The thread that takes frames in order until {@link #END}: a processed frame's detections to the
     * sink, every frame drawn (mask, boxes, labels) to the writer (null: none), each frame closed; a
     * failure goes to {@code failure} and the queue is emptied, so the producer never blocks.
     */
    private Thread encoder(BlockingQueue<Item> toEncode, AnnotationSink sink, VideoWriter writer, AtomicReference<Throwable> failure) {
        return new Thread(() -> {
            try {
                while (true) {
                    Item it = toEncode.take();
                    if (it == END) {
                        break;
                    }
                    try (VideoReader.VideoFrame f = it.frame()) {
                        if (it.processed()) {
                            sink.frame(f.index(), f.seconds(), it.detections(), it.trackIds());
                        }
                        if (writer != null) {
                            if (it.mask() != null) {
                                Drawing.blend(f.bgr(), it.mask());
                            }
                            if (it.detections() != null) {
                                Drawing.draw(f.bgr(), it.detections(), it.trackIds(), config.classNames());
                            }
                            writer.write(f.bgr());
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failure.compareAndSet(null, e);
                toEncode.clear();
            }
        }, "resvision-encode");
    }

    /** The progress line: a bar and the ETA when the frame count is known ({@code expected > 0}). */
    static String progress(String label, int frames, int expected, double seconds) {
        return String.format(Locale.ROOT, "  %s%s: %d%s frames, %.1f frames/s%s", expected > 0 ? bar(frames, expected) + " " : "", label, frames,
                expected > 0 ? "/" + expected : "", frames / seconds,
                expected > 0 && frames < expected ? String.format(Locale.ROOT, ", eta %.0f s", (expected - frames) * seconds / frames) : "");
    }

    /** Moves the finished outputs to their names, the annotations last: their presence marks the video as done. */
    private static void publish(Path tmpVideo, Path finalVideo, Path tmpAnn, Path finalAnn) throws IOException {
        if (tmpVideo != null) {
            Files.move(tmpVideo, finalVideo, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmpAnn, finalAnn, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** What the input lacks once every frame was read: {@code decoded} frames up to {@code lastEnd} s, and the undecodable ones. */
    private static Shortfall shortfall(VideoReader reader, int decoded, double lastEnd) {
        int read = decoded + reader.skipped();
        return Shortfall.of(read, Math.max(lastEnd, read / reader.frameRate()), reader.declaredFrames(), reader.declaredSeconds(),
                reader.frameRate());
    }

    /** A 20-character progress bar ({@code [#####...............]}). */
    static String bar(long done, long total) {
        int filled = (int) Math.min(20, done * 20 / Math.max(1, total));
        return "[" + "#".repeat(filled) + ".".repeat(20 - filled) + "]";
    }

    private List<Detections> detect(List<VideoReader.VideoFrame> frames, ParameterStore ps) {
        if (frames.isEmpty()) {
            return List.of();
        }
        try (NDManager m = manager.newSubManager()) {
            List<NDArray> images = new ArrayList<>();
            for (VideoReader.VideoFrame f : frames) {
                images.add(Images.toArray(f.bgr(), m));
            }
            return model.predict(ps, images);
        }
    }

    /** The segmenter's class map of each frame (through its transform, back at the frame's size), or null without one. */
    private List<byte[]> segment(List<VideoReader.VideoFrame> frames, ParameterStore ps) {
        if (segmenter == null || frames.isEmpty()) {
            return null;
        }
        try (NDManager m = manager.newSubManager()) {
            ai.djl.ndarray.NDList images = new ai.djl.ndarray.NDList();
            for (VideoReader.VideoFrame f : frames) {
                images.add(segTransform.prepare(Images.toArray(f.bgr(), m)));
            }
            NDArray out = segmenter.forward(ps, new ai.djl.ndarray.NDList(ai.djl.ndarray.NDArrays.stack(images)), false).get(0);
            List<byte[]> maps = new ArrayList<>();
            for (int i = 0; i < frames.size(); i++) {
                int h = (int) frames.get(i).bgr().rows();
                int w = (int) frames.get(i).bgr().cols();
                maps.add(segTransform.classMap(out.get(i), h, w).toType(ai.djl.ndarray.types.DataType.UINT8, false).toByteArray());
            }
            return maps;
        }
    }

    /**
     * Writes the annotations of processed frames in one of three formats: {@code jsonl} (a line
     * per frame: frame, timestamp, detections with bbox [x, y, w, h], score, category and, when
     * tracking, track_id), {@code coco} (images per frame with {@code video} and {@code
     * frame_index}, annotations with scores) or {@code mot} (MOT challenge text: frame (1-based),
     * id, x, y, w, h, score, -1, -1, -1).
     */
    static final class AnnotationSink implements AutoCloseable {

        private final String format;
        private final List<String> names;
        private final String video;
        private final Path file;
        private final BufferedWriter out;
        private final ObjectMapper mapper = new ObjectMapper();
        private final com.fasterxml.jackson.databind.node.ObjectNode coco;
        private long annotationId = 1;

        AnnotationSink(Path file, String format, List<String> names, String video, double fps, int width, int height) throws IOException {
            this.format = format;
            this.names = names;
            this.video = video;
            this.file = file;
            this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE);
            if (format.equals("coco")) {
                coco = mapper.createObjectNode();
                coco.putObject("info").put("video", video).put("fps", fps).put("width", width).put("height", height);
                coco.putArray("images");
                coco.putArray("annotations");
                var cats = coco.putArray("categories");
                for (int c = 1; c < names.size(); c++) {
                    cats.addObject().put("id", c).put("name", names.get(c));
                }
            } else {
                coco = null;
            }
            this.width = width;
            this.height = height;
        }

        private final int width;
        private final int height;

        void frame(int index, double seconds, Detections d, int[] ids) throws IOException {
            float[] b = d.boxes().toArray();
            switch (format) {
                case "mot" -> {
                    for (int k = 0; k < d.size(); k++) {
                        out.write(String.format(Locale.ROOT, "%d,%d,%.2f,%.2f,%.2f,%.2f,%.4f,-1,-1,-1%n", index + 1, ids == null ? -1 : ids[k],
                                b[4 * k], b[4 * k + 1], b[4 * k + 2] - b[4 * k], b[4 * k + 3] - b[4 * k + 1], d.scores()[k]));
                    }
                }
                case "coco" -> {
                    long imageId = index + 1L;
                    ((com.fasterxml.jackson.databind.node.ArrayNode) coco.get("images")).addObject().put("id", imageId)
                            .put("file_name", video + "#" + index).put("width", width).put("height", height).put("video", video)
                            .put("frame_index", index).put("timestamp", Math.round(seconds * 1e6) / 1e6);
                    var anns = (com.fasterxml.jackson.databind.node.ArrayNode) coco.get("annotations");
                    for (int k = 0; k < d.size(); k++) {
                        var a = detection(d, ids, k);
                        a.put("id", annotationId++).put("image_id", imageId).put("category_id", d.labels()[k]).put("iscrowd", 0)
                                .put("area", Math.round((b[4 * k + 2] - b[4 * k]) * (b[4 * k + 3] - b[4 * k + 1]) * 100) / 100.0);
                        anns.add(a);
                    }
                }
                default -> {
                    var line = mapper.createObjectNode();
                    line.put("frame", index).put("timestamp", Math.round(seconds * 1e6) / 1e6);
                    var arr = line.putArray("detections");
                    for (int k = 0; k < d.size(); k++) {
                        arr.add(detection(d, ids, k));
                    }
                    out.write(mapper.writeValueAsString(line));
                    out.write('\n');
                }
            }
        }

        private com.fasterxml.jackson.databind.node.ObjectNode detection(Detections d, int[] ids, int k) {
            float[] b = d.boxes().toArray();
            var o = mapper.createObjectNode();
            o.putArray("bbox").add(Math.round(b[4 * k] * 100) / 100.0).add(Math.round(b[4 * k + 1] * 100) / 100.0)
                    .add(Math.round((b[4 * k + 2] - b[4 * k]) * 100) / 100.0).add(Math.round((b[4 * k + 3] - b[4 * k + 1]) * 100) / 100.0);
            o.put("score", Math.round(d.scores()[k] * 1e4) / 1e4);
            o.put("category", names.get(d.labels()[k]));
            if (ids != null) {
                o.put("track_id", ids[k]);
            }
            return o;
        }

        /**
         * Records that the input ended early: a last line {@code {"partial": true, "frames": F,
         * "seconds": S, "declared_frames": DF, "declared_seconds": DS}} in jsonl (-1: not declared),
         * the same fields in coco's {@code info}; mot has no place for it (the file name says it).
         */
        void partial(Shortfall s) throws IOException {
            var o = coco != null ? (com.fasterxml.jackson.databind.node.ObjectNode) coco.get("info") : mapper.createObjectNode();
            o.put("partial", true).put("frames", s.frames()).put("seconds", Math.round(s.seconds() * 1e3) / 1e3)
                    .put("declared_frames", s.declaredFrames()).put("declared_seconds", Math.round(s.declaredSeconds() * 1e3) / 1e3);
            if (format.equals("jsonl")) {
                out.write(mapper.writeValueAsString(o));
                out.write('\n');
            }
        }

        @Override
        public void close() throws IOException {
            if (coco != null) {
                out.write(mapper.writeValueAsString(coco));
            }
            out.close();
        }
    }
}
