package org.resvision.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.resvision.tools.BatchDetector;

/**
 * {@code annotate-videos}: one task per video, each writing what {@code resvision annotate-video}
 * writes for it ({@code OUT/<name>.mp4} and {@code OUT/<name>.jsonl|.json|.txt}, or their {@code
 * .partial} names for a video shorter than it declares), committed atomically (see {@link
 * Storage}); then a run summary, a row per video, as {@code OUT/_summary/summary.parquet} and {@code
 * OUT/_summary/summary.json}.
 *
 * <p>Exactly once: a task annotates into its own local scratch folder and commits the video first
 * and the annotations last, whose presence marks the video done; a retried or speculative attempt
 * recommits identical files under the same names, and a killed attempt leaves at most temporary
 * files, which the driver removes when the job ends. A re-run skips videos whose outputs are all
 * committed ({@code --overwrite} redoes them).
 */
final class AnnotateVideosJob implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A video's outcome; {@code status} done, partial, already (committed by an earlier run) or failed. */
    record Outcome(String video, String status, int frames, int processed, int undecodable, long detections, double seconds, String annotations,
            String videoOut, String reason, int attempt) implements Serializable {}

    final ModelSpec model;
    final String out;
    final int stride;
    final int batch;
    final boolean video;
    final boolean track;
    final String format;
    final boolean overwrite;
    final boolean failFast;
    /** Test hook (spark.resvision.test.failFirstAttempt): a video whose first attempt dies after committing its video file. */
    final String failFirstAttempt;
    final String jobToken;
    /** Driver-side phase times of the last run (annotating, writing the summary). */
    transient double jobSeconds;
    transient double summarySeconds;

    AnnotateVideosJob(ModelSpec model, String out, int stride, int batch, boolean video, boolean track, String format, boolean overwrite,
            boolean failFast, String failFirstAttempt) {
        this.model = model;
        this.out = out;
        this.stride = stride;
        this.batch = batch;
        this.video = video;
        this.track = track;
        this.format = format;
        this.overwrite = overwrite;
        this.failFast = failFast;
        this.failFirstAttempt = failFirstAttempt;
        this.jobToken = Long.toHexString(System.currentTimeMillis()) + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt() & 0xffffffL);
    }

    /**
     * Runs the job over {@code videos} (already listed) and returns the outcomes in input order.
     *
     * @throws IOException a video failed with --fail-fast, or the outputs could not be written
     */
    List<Outcome> run(SparkSession spark, List<String> videos, PrintStream log) throws IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        checkNamesUnique(videos);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SerializableConfiguration conf = new SerializableConfiguration(hadoop);
        List<Outcome> outcomes;
        Path outDir = new Path(out);
        long t0 = System.nanoTime();
        try {
            JavaRDD<String> rdd = sc.parallelize(videos, Math.max(1, videos.size())); // one task per video
            outcomes = rdd.map(v -> annotate(v, conf.value())).collect();
        } finally {
            int removed = Storage.removeTemporaries(outDir, jobToken, hadoop);
            if (removed > 0) {
                log.println("annotate-videos: removed " + removed + " temporary files of attempts that did not finish");
            }
        }
        long t1 = System.nanoTime();
        writeSummary(outcomes, hadoop);
        jobSeconds = (t1 - t0) / 1e9;
        summarySeconds = (System.nanoTime() - t1) / 1e9;
        return outcomes;
    }

    /** Two inputs with one name would write the same outputs: refused, naming both. */
    static void checkNamesUnique(List<String> videos) throws IOException {
        Map<String, String> byStem = new HashMap<>();
        for (String v : videos) {
            String before = byStem.put(Storage.stem(v), v);
            if (before != null) {
                throw new IOException(before + " and " + v + " would both write " + Storage.stem(v) + ".*; rename one or run them separately");
            }
        }
    }

    private Path annotationsPath(String stem, boolean partial) {
        String ext = BatchDetector.annotationExtension(format);
        return new Path(out, stem + (partial ? ".partial" : "") + ext);
    }

    private Path videoPath(String stem, boolean partial) {
        return new Path(out, stem + (partial ? ".partial" : "") + ".mp4");
    }

    /** The task: one video, annotated, committed, or reported. */
    Outcome annotate(String v, Configuration conf) throws Exception {
        TaskContext tc = TaskContext.get();
        int attempt = tc == null ? 0 : tc.attemptNumber();
        String token = jobToken + "-" + (tc == null ? 0 : tc.partitionId()) + "-" + attempt;
        String stem = Storage.stem(v);
        FileSystem fs = Storage.fs(new Path(out), conf);
        Path annOut = annotationsPath(stem, false);
        if (!overwrite && fs.exists(annOut) && (!video || fs.exists(videoPath(stem, false)))) {
            return new Outcome(v, "already", 0, 0, 0, 0, 0, annOut.toString(), video ? videoPath(stem, false).toString() : null, null, attempt);
        }
        java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("resvision-" + stem + "-");
        try {
            BatchDetector detector = model.detector(tc, conf);
            java.nio.file.Path local = null;
            BatchDetector.VideoOutcome o;
            try {
                local = Storage.local(v, scratch.resolve("in"), conf);
                o = detector.annotate(local, scratch.resolve("out"), stem, stride, batch, video, track, format, quiet());
            } catch (IOException e) {
                // the message names the file the decoder read: the input's own name for a local copy
                String reason = local == null || Storage.isLocal(v) ? oneLine(e) : oneLine(e).replace(local.toString(), v);
                if (failFast) {
                    throw new IOException(reason, e);
                }
                return new Outcome(v, "failed", 0, 0, 0, 0, 0, null, null, reason, attempt);
            }
            Path videoDst = video ? videoPath(stem, o.partial()) : null;
            Path annDst = annotationsPath(stem, o.partial());
            if (videoDst != null) {
                Storage.commit(o.videoFile(), videoDst, token, conf);
            }
            if (stem.equals(failFirstAttempt) && attempt == 0) {
                // what an executor killed mid-commit leaves: the video committed, a temporary file, no annotations
                fs.create(Storage.temporary(annDst, token)).close();
                throw new IllegalStateException("test hook: the first attempt at " + stem + " dies before committing its annotations");
            }
            Storage.commit(o.annotationsFile(), annDst, token, conf);
            if (!o.partial()) { // a whole run supersedes an earlier run's partial outputs
                fs.delete(annotationsPath(stem, true), false);
                if (video) {
                    fs.delete(videoPath(stem, true), false);
                }
            }
            return new Outcome(v, o.partial() ? "partial" : "done", o.frames(), o.processed(), o.badFrames(), o.detections(), o.seconds(),
                    annDst.toString(), videoDst == null ? null : videoDst.toString(), o.partial() ? "ends early: " + o.shortfall() : null, attempt);
        } finally {
            Storage.deleteTree(scratch);
        }
    }

    /** The annotator's progress lines go nowhere on executors: the summary reports each video. */
    private static PrintStream quiet() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }

    static String oneLine(Throwable e) {
        return BatchDetector.oneLine(e);
    }

    /** The summary's Parquet schema (the columns of {@link #SUMMARY}). */
    private static final org.apache.parquet.schema.MessageType PARQUET = org.apache.parquet.schema.MessageTypeParser.parseMessageType(
            "message summary { required binary video (STRING); required binary status (STRING); required int32 frames;"
                    + " required int32 processed_frames; required int32 undecodable_frames; required int64 detections; required double seconds;"
                    + " required double frames_per_second; optional binary annotations (STRING); optional binary video_out (STRING);"
                    + " optional binary reason (STRING); required int32 attempt; }");

    /**
     * {@code OUT/_summary/summary.parquet} (one Parquet file, written with Parquet's own writer: Spark's SQL
     * engine would take seconds to start for a few rows) and {@code OUT/_summary/summary.json}, both
     * committed atomically.
     */
    void writeSummary(List<Outcome> outcomes, Configuration hadoop) throws IOException {
        java.nio.file.Path local = java.nio.file.Files.createTempDirectory("resvision-summary-").resolve("summary.parquet");
        try {
            var factory = new org.apache.parquet.example.data.simple.SimpleGroupFactory(PARQUET);
            try (var w = org.apache.parquet.hadoop.example.ExampleParquetWriter
                    .builder(org.apache.parquet.hadoop.util.HadoopOutputFile.fromPath(new Path(local.toUri()), hadoop)).withType(PARQUET)
                    .withConf(hadoop).build()) {
                for (Outcome o : outcomes) {
                    var g = factory.newGroup().append("video", o.video()).append("status", o.status()).append("frames", o.frames())
                            .append("processed_frames", o.processed()).append("undecodable_frames", o.undecodable())
                            .append("detections", o.detections()).append("seconds", o.seconds())
                            .append("frames_per_second", o.seconds() > 0 ? o.frames() / o.seconds() : 0.0);
                    if (o.annotations() != null) {
                        g.append("annotations", o.annotations());
                    }
                    if (o.videoOut() != null) {
                        g.append("video_out", o.videoOut());
                    }
                    if (o.reason() != null) {
                        g.append("reason", o.reason());
                    }
                    w.write(g.append("attempt", o.attempt()));
                }
            }
            Storage.commit(local, new Path(out, "_summary/summary.parquet"), jobToken + "-driver", hadoop);
        } finally {
            Storage.deleteTree(local.getParent());
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode arr = json.createArrayNode();
        for (Outcome o : outcomes) {
            ObjectNode n = arr.addObject();
            n.put("video", o.video()).put("status", o.status()).put("frames", o.frames()).put("processed_frames", o.processed())
                    .put("undecodable_frames", o.undecodable()).put("detections", o.detections())
                    .put("seconds", Math.round(o.seconds() * 1000) / 1000.0)
                    .put("frames_per_second", o.seconds() > 0 ? Math.round(o.frames() / o.seconds() * 100) / 100.0 : 0.0)
                    .put("annotations", o.annotations()).put("video_out", o.videoOut()).put("reason", o.reason()).put("attempt", o.attempt());
        }
        Storage.writeText(new Path(out, "_summary/summary.json"), json.writeValueAsString(arr) + "\n", jobToken + "-driver", hadoop);
    }

    /** The line the job ends with. */
    static String summaryLine(List<Outcome> outcomes, double wallSeconds) {
        Map<String, Integer> count = new java.util.TreeMap<>();
        long frames = 0;
        long detections = 0;
        double busy = 0;
        for (Outcome o : outcomes) {
            count.merge(o.status(), 1, Integer::sum);
            frames += o.frames();
            detections += o.detections();
            busy += o.seconds();
        }
        return String.format(Locale.ROOT,
                "summary: %d videos: %d annotated, %d partial, %d already done, %d failed; %d frames, %d detections; wall time %.1f s, %.2f frames/s"
                        + " (%.2f frames/s per task)",
                outcomes.size(), count.getOrDefault("done", 0), count.getOrDefault("partial", 0), count.getOrDefault("already", 0),
                count.getOrDefault("failed", 0), frames, detections, wallSeconds, frames / Math.max(wallSeconds, 1e-9), frames / Math.max(busy, 1e-9));
    }
}
