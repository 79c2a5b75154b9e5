package org.resvision.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.resvision.data.image.Images;
import org.resvision.data.video.VideoReader;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.Detections;
import org.resvision.detection.FasterRcnn;

/**
 * A detector loaded the way {@code resvision predict} and {@code annotate-video} load it, for
 * batch jobs that drive those commands' steps themselves (the Spark jobs): the same model
 * choice, the same batching, the same results records and the same video annotation, so their
 * outputs are the commands' outputs.
 *
 * <p>Thread-safety: {@link #detect} and {@link #annotate} may be called from several threads at
 * once (inference only reads the model; each call works in its own sub-manager); {@link #close}
 * must come after every call has returned.
 */
public final class BatchDetector implements AutoCloseable {

    /**
     * What {@link #annotate} did with one video.
     *
     * @param videoFile the annotated video written (null with {@code video} off)
     * @param annotationsFile the annotations written
     * @param partial whether the input held fewer frames than it declares (then the files have {@code .partial} names)
     * @param shortfall how much shorter, in words ("30 of the 60 frames it declares"), or null
     */
    public record VideoOutcome(int frames, int processed, long detections, int badFrames, double seconds, boolean partial, String shortfall,
            Path videoFile, Path annotationsFile) {}

    private final DetectionConfig config;
    private final NDManager manager;
    private final FasterRcnn model;

    private BatchDetector(DetectionConfig config, NDManager manager, FasterRcnn model) {
        this.config = config;
        this.manager = manager;
        this.model = model;
    }

    /**
     * Loads a detector as the commands do: {@code config} a detection config file (or null with a
     * published checkpoint's name as {@code weights}), {@code weights} a checkpoint file or a
     * published name; {@code scoreThresh} replaces the config's {@code box_score_thresh} when
     * it is not negative; {@code device} is cpu, gpu or gpu:N.
     *
     * @throws IOException one line naming the file and the problem (also for a segmentation model)
     */
    public static BatchDetector open(String config, String weights, float scoreThresh, String device) throws IOException {
        Runtimes.configure();
        ModelChoice choice;
        try {
            choice = ModelChoice.of(config, weights);
        } catch (UsageException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!choice.isDetection()) {
            throw new IOException((config != null ? config : choice.weights().label()) + ": a detection model is needed, and this is a segmentation model");
        }
        DetectionConfig c = choice.detection();
        return of(scoreThresh >= 0 ? c.withBoxScoreThresh(scoreThresh) : c, choice.file(), device);
    }

    /** A detector of a resolved config and weights file (the commands' path). */
    static BatchDetector of(DetectionConfig c, Path weights, String device) throws IOException {
        NDManager m;
        try {
            m = NDManager.newBaseManager(BackboneModels.device(device));
        } catch (UsageException e) {
            throw new IOException(e.getMessage(), e);
        }
        try {
            return new BatchDetector(c, m, DetectionCommands.load(c, weights, m));
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * The class names (by label, 0 the background) of the detector {@code config} and {@code
     * weights} name, without loading or fetching weights: from the config file, else from the
     * published checkpoint's preset.
     *
     * @throws IOException one line: an unreadable config, a segmentation model, an unknown name
     */
    public static List<String> classNames(String config, String weights) throws IOException {
        // no Runtimes.configure(): nothing here starts the engine, and a Spark driver that is also
        // the executor (local mode) leaves libtorch's thread count to the tasks
        try {
            if (config != null) {
                Path file = Path.of(config);
                if (!DetectionCommands.isDetection(file)) {
                    throw new IOException(config + ": a detection model is needed, and this is a segmentation config");
                }
                return DetectionCommands.config(file).classNames();
            }
            var entry = WeightsSpec.find(weights);
            if (entry == null) {
                throw new IOException(weights + ": a config is required unless the weights name a published checkpoint");
            }
            if (!"detection".equals(entry.task())) {
                throw new IOException(weights + ": a detection model is needed, and this is a " + entry.task() + " checkpoint");
            }
            return org.resvision.detection.Pretrained.config(entry).classNames();
        } catch (UsageException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The model's settings (thresholds, sizes, class names); read-only. */
    public DetectionConfig config() {
        return config;
    }

    /** Class names by label (0 is the background). */
    public List<String> classNames() {
        return config.classNames();
    }

    /**
     * Told of each image read or not (as {@link org.resvision.data.loader.BadItems} is); throwing
     * stops the run (a strict run, too many unreadable images).
     */
    public interface Reads {
        /** Image {@code index} was read. */
        void ok(int index) throws IOException;

        /** Image {@code index} could not be read: rethrow to stop, return to skip it. */
        void failed(int index, IOException e) throws IOException;
    }

    /**
     * Detections for images, in consecutive batches of {@code batch} images starting at the first
     * (as {@code predict} makes them: the batch an image shares decides its padding, so equal
     * batches give equal numbers). An unreadable image is reported to {@code reads} (which may
     * rethrow) and gets null; the batch it was in is made of the readable ones.
     */
    public List<Detections> detect(List<Path> images, int batch, Reads reads) throws IOException {
        Detections[] out = new Detections[images.size()];
        ParameterStore ps = new ParameterStore(manager, false);
        for (int start = 0; start < images.size(); start += batch) {
            try (NDManager bm = manager.newSubManager()) {
                List<Integer> chunk = new ArrayList<>();
                List<NDArray> rgb = new ArrayList<>();
                for (int i = start; i < Math.min(images.size(), start + batch); i++) {
                    try {
                        rgb.add(Images.read(images.get(i), bm));
                    } catch (IOException e) {
                        reads.failed(i, e);
                        continue;
                    }
                    reads.ok(i);
                    chunk.add(i);
                }
                if (chunk.isEmpty()) {
                    continue;
                }
                List<Detections> dets = model.predict(ps, rgb);
                for (int j = 0; j < chunk.size(); j++) {
                    out[chunk.get(j)] = dets.get(j);
                }
            }
        }
        return Arrays.asList(out);
    }

    /**
     * One detection as a COCO results record, as {@code predict} writes it: {@code image_id}
     * (when known), {@code file_name}, {@code category_id} (when not negative),
     * {@code category_name}, {@code bbox} (x, y, w, h) and {@code score}, rounded to 1/1000.
     */
    public static ObjectNode addResult(ArrayNode results, Long imageId, String fileName, long categoryId, String categoryName, float[] boxes,
            int k, float score) {
        ObjectNode r = results.addObject();
        if (imageId != null) {
            r.put("image_id", imageId);
        }
        r.put("file_name", fileName);
        if (categoryId >= 0) {
            r.put("category_id", categoryId);
        }
        r.put("category_name", categoryName);
        r.putArray("bbox").add(round(boxes[4 * k])).add(round(boxes[4 * k + 1])).add(round(boxes[4 * k + 2] - boxes[4 * k]))
                .add(round(boxes[4 * k + 3] - boxes[4 * k + 1]));
        r.put("score", round(score));
        return r;
    }

    /** A coordinate or score as results files hold it: rounded to 1/1000. */
    public static double round(float v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    /**
     * Annotates one video as {@code annotate-video} does into {@code dir/<stem>.mp4} (unless
     * {@code video} is off) and {@code dir/<stem>.jsonl|.json|.txt} ({@code format} jsonl, coco
     * or mot), written under temporary names and renamed when complete; progress lines go to
     * {@code log}.
     *
     * @throws IOException one line naming the video and the problem (unreadable file, failed decoder)
     */
    public VideoOutcome annotate(Path video, Path dir, String stem, int stride, int batch, boolean writeVideo, boolean track, String format,
            PrintStream log) throws Exception {
        if (!java.util.Set.of("jsonl", "coco", "mot").contains(format)) {
            throw new IllegalArgumentException("format must be jsonl, coco or mot, got '" + format + "'");
        }
        VideoAnnotator.Settings settings = new VideoAnnotator.Settings(stride, batch, writeVideo, track, format);
        try (NDManager m = manager.newSubManager(); VideoReader reader = VideoReader.open(video)) {
            VideoAnnotator annotator = new VideoAnnotator(model, config, null, null, settings, m, log);
            java.nio.file.Files.createDirectories(dir);
            VideoAnnotator.Result r = annotator.annotate(reader, writeVideo ? dir.resolve(stem + ".mp4") : null,
                    dir.resolve(stem + VideoAnnotator.extension(format)), stem);
            return new VideoOutcome(r.frames(), r.processed(), r.detections(), r.badFrames(), r.seconds(), r.partial(),
                    r.partial() ? r.shortfall().describe() : null, r.videoFile(), r.annotationsFile());
        }
    }

    /** The annotation file's extension for a format: .jsonl, .json (coco) or .txt (mot). */
    public static String annotationExtension(String format) {
        return VideoAnnotator.extension(format);
    }

    /** Whether a file name has one of annotate-video's video extensions. */
    public static boolean isVideo(Path file) {
        return AnnotateVideoCommand.isVideo(file);
    }

    /** The annotated video's name when the input ended early ({@code x.mp4} -> {@code x.partial.mp4}). */
    public static Path partialName(Path out) {
        return VideoAnnotator.partial(out);
    }

    /**
     * An exception and its causes on one line in the user's words, as the commands report them
     * (no Java class names).
     */
    public static String oneLine(Throwable t) {
        return Runtimes.oneLine(t);
    }

    @Override
    public void close() {
        manager.close();
    }
}
