package org.resvision.spark;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.detection.CocoDetectionEvaluator;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.tools.Args;
import org.resvision.tools.BatchDetector;
import org.resvision.tools.UsageException;

/**
 * The Spark jobs' entry point: {@code spark-submit resvision-spark-submit.jar JOB [options]}, or
 * {@code ./resvision spark JOB --master "local[N]" [options]} on one machine. Jobs:
 * annotate-videos, predict-images, evaluate.
 */
public final class SparkMain {

    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp");

    static final String USAGE = String.join("\n",
            "usage: resvision spark <job> [--master M] [options]      (or: spark-submit resvision-spark-submit.jar <job> [options])",
            "jobs:",
            "  annotate-videos  a detector over every frame of many videos, a task per video",
            "  predict-images   detections for many images, as predict writes them",
            "  evaluate         COCO evaluation, matching spread over the executors",
            "Paths are local paths or Hadoop URIs (file://, hdfs://, s3a://). --master (local[N] runs without a",
            "cluster) and --conf KEY=VALUE are for runs without spark-submit. Run 'resvision spark <job> --help'.");

    static final String ANNOTATE_USAGE = String.join("\n",
            "usage: resvision spark annotate-videos [--config C.json] --weights W INPUTS... --out DIR",
            "           [--stride N] [--batch B] [--score-thresh T] [--device cpu|gpu] [--format jsonl|coco|mot]",
            "           [--no-video] [--track] [--overwrite] [--fail-fast] [--torch-threads N] [--master M] [--conf K=V]",
            "  INPUTS: video files, folders (searched recursively for annotate-video's extensions), globs",
            "  ('hdfs:///videos/2026-*/*.mp4') or @LIST (a file naming one input per line). One task per video;",
            "  each executor loads the model once. Each video gives what 'resvision annotate-video' writes",
            "  (DIR/<name>.mp4 and DIR/<name>.jsonl|.json|.txt, .partial names for a video shorter than it",
            "  declares), committed atomically: retries, speculative tasks and killed executors leave neither",
            "  duplicates nor partial files, and a re-run skips committed videos (--overwrite redoes them).",
            "  A bad video is a 'failed' row of the run summary, with its reason (--fail-fast fails the job).",
            "  Run summary: DIR/_summary/summary.parquet and .json (video, status, frames, processed_frames,",
            "  undecodable_frames, detections, seconds, frames_per_second, annotations, video_out, reason, attempt).",
            "  libtorch threads per task: --torch-threads, default spark.task.cpus.");

    static final String PREDICT_USAGE = String.join("\n",
            "usage: resvision spark predict-images [--config C.json] --weights W INPUTS... --out DIR",
            "           [--coco GT.json] [--images DIR] [--batch B] [--score-thresh T] [--device cpu|gpu] [--strict]",
            "           [--partitions N] [--torch-threads N] [--master M] [--conf K=V]",
            "  INPUTS: image files, folders (recursive; " + String.join(", ", new java.util.TreeSet<>(IMAGE_EXTENSIONS)) + "), globs, @LIST, or",
            "  coco:GT.json (the images the dataset lists, in its order, under --images DIR, default the folder",
            "  next to the annotations folder named images/ or after the split; also sets --coco GT.json).",
            "  Writes DIR/results.json, exactly what 'resvision predict' writes for the same images in the",
            "  same order (with --coco: image_id and the dataset's category ids), and DIR/results.parquet",
            "  (result_index, image_index, image_id, file_name, category_id, category_name, bbox, score).",
            "  Images go to partitions (default: the default parallelism) in whole batches of B (default 2).",
            "  Unreadable images: as predict (warned and skipped; more than 10%, or all, fail; --strict fails).");

    static final String EVALUATE_USAGE = String.join("\n",
            "usage: resvision spark evaluate --gt GT.json --results RESULTS [--iou-type bbox|segm] [--partitions N] [--json]",
            "           [--master M] [--conf K=V]",
            "  RESULTS: a COCO results JSON (read on the driver as coco-eval reads it) or predict-images'",
            "  results.parquet. The ground truth's images are cut into N shards (default: the default",
            "  parallelism); each is matched on an executor and the driver merges them: the numbers are",
            "  coco-eval's, bit for bit. Prints coco-eval's summary (--json: its JSON).");

    private SparkMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs a command line; every failure is one line on {@code err}; returns the exit code. */
    static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
            out.println(USAGE);
            return argv.length == 0 ? 2 : 0;
        }
        String job = argv[0];
        String[] rest = java.util.Arrays.copyOfRange(argv, 1, argv.length);
        String usage = switch (job) {
            case "annotate-videos" -> ANNOTATE_USAGE;
            case "predict-images" -> PREDICT_USAGE;
            case "evaluate" -> EVALUATE_USAGE;
            default -> null;
        };
        if (usage == null) {
            err.println("resvision spark: unknown job '" + job + "' (annotate-videos, predict-images, evaluate)");
            return 2;
        }
        if (List.of(rest).contains("--help") || List.of(rest).contains("-h")) {
            out.println(usage);
            return 0;
        }
        try {
            return switch (job) {
                case "annotate-videos" -> annotateVideos(rest, out, err);
                case "predict-images" -> predictImages(rest, out, err);
                default -> evaluate(rest, out, err);
            };
        } catch (UsageException e) {
            err.println("resvision spark " + job + ": " + e.getMessage().lines().findFirst().orElse("") + " (see --help)");
            return 2;
        } catch (Exception | Error e) {
            err.println("resvision spark " + job + ": error: " + describe(e));
            if (Boolean.getBoolean("resvision.debug")) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    /**
     * The user's problem in one line: for a failed Spark job, the task's own exception (its cause),
     * not Spark's stage report with a stack trace in it.
     */
    static String describe(Throwable e) {
        Throwable t = e;
        while (t instanceof org.apache.spark.SparkException && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof org.apache.spark.SparkException) {
            // a task failure as text: "... failed N times, most recent failure: Lost task ...: java.io.IOException: MESSAGE\n\tat ..."
            String m = t.getMessage() == null ? "" : t.getMessage().lines().findFirst().orElse("");
            int at = m.lastIndexOf("Exception: ");
            return at >= 0 ? m.substring(at + "Exception: ".length()) : m;
        }
        return BatchDetector.oneLine(t);
    }

    private static final Set<String> SPARK_OPTIONS = Set.of("master", "conf");

    /** The session: spark-submit's settings, or --master / --conf for runs without it. */
    static SparkSession session(Args args, String job) throws UsageException {
        SparkConf conf = new SparkConf(true).setAppName("resvision " + job);
        if (args.get("master", null) != null) {
            conf.setMaster(args.get("master", null));
        } else if (!conf.contains("spark.master")) {
            throw new UsageException("no Spark master: run through spark-submit, or give --master (local[N] for this machine)");
        }
        for (String kv : args.getAll("conf")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--conf takes KEY=VALUE, got '" + kv + "'");
            }
            conf.set(kv.substring(0, eq), kv.substring(eq + 1));
        }
        if (!conf.contains("spark.ui.enabled") && conf.get("spark.master").startsWith("local")) {
            conf.set("spark.ui.enabled", "false");
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    private static Set<String> with(Set<String> a, String... more) {
        Set<String> s = new java.util.HashSet<>(a);
        s.addAll(List.of(more));
        return s;
    }

    private static ModelSpec model(Args args) throws UsageException {
        String weights = args.get("weights", null);
        if (weights == null) {
            throw new UsageException("--weights is required (a checkpoint, or a published checkpoint's name)");
        }
        return new ModelSpec(args.get("config", null), weights, args.getFloat("score-thresh", -1, 0, 1), args.get("device", "cpu"),
                args.getInt("torch-threads", 0, 0));
    }

    static int annotateVideos(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, with(SPARK_OPTIONS, "config", "weights", "out", "stride", "batch", "score-thresh", "device", "format",
                "torch-threads"), Set.of("no-video", "track", "overwrite", "fail-fast"), ANNOTATE_USAGE);
        if (args.positional().isEmpty()) {
            throw new UsageException("no INPUTS given (videos, folders, globs or @LIST)");
        }
        String format = args.get("format", "jsonl");
        if (!Set.of("jsonl", "coco", "mot").contains(format)) {
            throw new UsageException("--format must be jsonl, coco or mot, got '" + format + "'");
        }
        int stride = args.getInt("stride", 1, 1);
        int batch = args.getInt("batch", 4, 1);
        String outDir = args.require("out");
        ModelSpec model = model(args);
        long t0 = System.nanoTime();
        try (SparkSession spark = session(args, "annotate-videos")) {
            double sessionSeconds = (System.nanoTime() - t0) / 1e9;
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            List<String> videos = Storage.list(args.positional(), n -> BatchDetector.isVideo(java.nio.file.Path.of(n)), hadoop);
            if (videos.isEmpty()) {
                throw new IOException(String.join(" ", args.positional()) + ": no videos found");
            }
            AnnotateVideosJob job = new AnnotateVideosJob(model, outDir, stride, batch, !args.flag("no-video"), args.flag("track"), format,
                    args.flag("overwrite"), args.flag("fail-fast"), spark.conf().get("spark.resvision.test.failFirstAttempt", ""));
            out.println("annotate-videos: " + videos.size() + " videos -> " + outDir + " (" + spark.sparkContext().master() + ")");
            long tj = System.nanoTime();
            List<AnnotateVideosJob.Outcome> outcomes = job.run(spark, videos, out);
            if (Boolean.getBoolean("resvision.timing")) {
                err.printf(Locale.ROOT, "timing: session %.1f s, listing %.1f s, job %.1f s (summary %.1f s)%n", sessionSeconds,
                        (tj - t0) / 1e9 - sessionSeconds, job.jobSeconds, job.summarySeconds);
            }
            for (AnnotateVideosJob.Outcome o : outcomes) {
                switch (o.status()) {
                    case "failed" -> err.println("annotate-videos: skipped " + o.video() + ": " + o.reason());
                    case "partial" -> err.println("annotate-videos: warning: " + o.video() + " " + o.reason() + "; wrote " + o.annotations()
                            + ", which a re-run redoes");
                    case "already" -> out.println(o.video() + ": already annotated (" + o.annotations() + "), skipped; --overwrite redoes it");
                    default -> out.printf(Locale.ROOT, "%s: %d frames (%d processed), %d detections, %.1f s -> %s%n", o.video(), o.frames(),
                            o.processed(), o.detections(), o.seconds(), o.annotations());
                }
            }
            out.println(AnnotateVideosJob.summaryLine(outcomes, (System.nanoTime() - t0) / 1e9));
            out.println("run summary: " + new Path(outDir, "_summary/summary.json") + ", " + new Path(outDir, "_summary/summary.parquet"));
            boolean anyOk = outcomes.stream().anyMatch(o -> !o.status().equals("failed"));
            return anyOk ? 0 : 1;
        }
    }

    static int predictImages(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, with(SPARK_OPTIONS, "config", "weights", "out", "coco", "images", "batch", "score-thresh", "device",
                "partitions", "torch-threads"), Set.of("strict"), PREDICT_USAGE);
        if (args.positional().isEmpty()) {
            throw new UsageException("no INPUTS given (images, folders, globs, @LIST or coco:GT.json)");
        }
        int batch = args.getInt("batch", 2, 1);
        String outDir = args.require("out");
        ModelSpec model = model(args);
        try (SparkSession spark = session(args, "predict-images")) {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            String coco = args.get("coco", null);
            Map<String, CocoDataset> datasets = new java.util.HashMap<>(); // each dataset file read once
            List<String> images = new ArrayList<>();
            List<String> plain = new ArrayList<>();
            for (String in : args.positional()) {
                if (in.startsWith("coco:")) {
                    String gtFile = in.substring(5);
                    coco = coco == null ? gtFile : coco;
                    CocoDataset ds = readDataset(gtFile, hadoop, datasets);
                    String dir = args.get("images", null) != null ? args.get("images", null) : defaultImages(gtFile, hadoop);
                    for (CocoImage im : ds.images()) {
                        images.add(new Path(dir, im.fileName()).toString());
                    }
                } else {
                    plain.add(in);
                }
            }
            if (!plain.isEmpty()) {
                images.addAll(Storage.list(plain, n -> IMAGE_EXTENSIONS.contains(Storage.extension(n)), hadoop));
            }
            if (images.isEmpty()) {
                throw new IOException(String.join(" ", args.positional()) + ": no images found");
            }
            // what predict names each image by: the local path as given, else the URI
            List<String> fileNames = images.stream().map(u -> Storage.isLocal(u) ? Storage.localPath(u).toString() : u).toList();
            // the detector's classes, for names and the dataset's ids: read on the driver (config or published preset)
            List<String> names = model.classNames(hadoop);
            Long[] ids = null;
            long[] categoryIds = null;
            if (coco != null) {
                CocoDataset gt = readDataset(coco, hadoop, datasets);
                Map<String, Long> byName = new java.util.HashMap<>();
                for (CocoImage im : gt.images()) {
                    byName.put(java.nio.file.Path.of(im.fileName()).getFileName().toString(), im.id());
                }
                ids = new Long[images.size()];
                for (int i = 0; i < images.size(); i++) {
                    ids[i] = byName.get(new Path(images.get(i)).getName());
                    if (ids[i] == null) {
                        err.println("predict-images: " + fileNames.get(i) + ": not in " + coco + "; written without image_id");
                    }
                }
                categoryIds = CocoDetectionEvaluator.categoryIds(names, gt);
            }
            int partitions = args.getInt("partitions", spark.sparkContext().defaultParallelism(), 1);
            PredictImagesJob job = new PredictImagesJob(model, batch);
            long n = job.run(spark, images, fileNames, ids, categoryIds, names, partitions, args.flag("strict"), new Path(outDir), err);
            out.printf(Locale.ROOT, "%d detections on %d images -> %s, %s%n", n, images.size(), new Path(outDir, "results.json"),
                    new Path(outDir, "results.parquet"));
            return 0;
        }
    }

    static int evaluate(String[] argv, PrintStream out, PrintStream err) throws Exception {
        Args args = new Args(argv, with(SPARK_OPTIONS, "gt", "results", "iou-type", "partitions"), Set.of("json"), EVALUATE_USAGE);
        String gtFile = args.require("gt");
        String results = args.require("results");
        CocoEvalParams params;
        try {
            params = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(args.get("iou-type", "bbox")));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--iou-type must be bbox or segm");
        }
        try (SparkSession spark = session(args, "evaluate")) {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            boolean segm = params.iouType() == CocoEvalParams.IouType.SEGM;
            CocoDataset gt = readDataset(gtFile, hadoop);
            int partitions = args.getInt("partitions", spark.sparkContext().defaultParallelism(), 1);
            EvaluateJob job = new EvaluateJob(gtFile, params);
            CocoEvalResult r;
            if (results.endsWith(".parquet") || results.endsWith(".parquet/")) {
                if (segm) {
                    throw new UsageException(results + ": predict-images' Parquet holds boxes; evaluate it with --iou-type bbox");
                }
                r = job.runParquet(spark, gt, results, partitions);
            } else {
                java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("resvision-results-");
                try {
                    r = job.runJson(spark, gt, CocoReader.readResults(Storage.local(results, scratch, hadoop), segm), partitions);
                } finally {
                    Storage.deleteTree(scratch);
                }
            }
            for (CocoEvalResult.Warning w : r.warnings()) {
                err.println("resvision spark evaluate: warning: " + (w.inGroundTruth() ? gtFile : results) + ": " + w.message());
            }
            Map<Long, String> names = new LinkedHashMap<>();
            for (CocoCategory c : gt.categories()) {
                names.put(c.id(), c.name());
            }
            out.println(args.flag("json") ? new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(r.toJsonNode(names, false))
                    : r.summaryText());
            return 0;
        }
    }

    /** {@link #readDataset(String, Configuration)}, once per file for {@code read}. */
    private static CocoDataset readDataset(String uri, Configuration conf, Map<String, CocoDataset> read) throws IOException {
        CocoDataset d = read.get(uri);
        if (d == null) {
            d = readDataset(uri, conf);
            read.put(uri, d);
        }
        return d;
    }

    /** A COCO dataset from a local path or Hadoop URI. */
    static CocoDataset readDataset(String uri, Configuration conf) throws IOException {
        java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("resvision-gt-");
        try {
            return CocoReader.readDataset(Storage.local(uri, scratch, conf));
        } finally {
            Storage.deleteTree(scratch);
        }
    }

    /** The images of a dataset file: a sibling {@code images/} of its folder, else a folder named after the split (COCO's layout). */
    static String defaultImages(String gtFile, Configuration conf) throws IOException {
        Path ann = new Path(gtFile);
        Path parent = ann.getParent() == null ? null : ann.getParent().getParent();
        if (parent == null) {
            throw new IOException(gtFile + ": cannot find its images; pass --images DIR");
        }
        Path images = new Path(parent, "images");
        if (Storage.fs(images, conf).exists(images)) {
            return images.toString();
        }
        String split = ann.getName().replaceFirst("^instances_", "").replaceFirst("\\.json$", "");
        Path bySplit = new Path(parent, split);
        if (Storage.fs(bySplit, conf).exists(bySplit)) {
            return bySplit.toString();
        }
        throw new IOException(gtFile + ": cannot find its images (tried " + images + " and " + bySplit + "); pass --images DIR");
    }
}
