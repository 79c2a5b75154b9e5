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
import org.resvision.tools.AnnotateVideoCommand;
import org.resvision.tools.BatchDetector;
import org.resvision.tools.CliCommand;
import org.resvision.tools.DeviceOption;
import org.resvision.tools.UsageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
        CliCommand command = switch (job) {
            case "annotate-videos" -> new AnnotateVideos(out, err);
            case "predict-images" -> new PredictImages(out, err);
            case "evaluate" -> new Evaluate(out, err);
            default -> null;
        };
        if (command == null) {
            err.println("resvision spark: unknown job '" + job + "' (annotate-videos, predict-images, evaluate)");
            return 2;
        }
        if (List.of(rest).contains("--help") || List.of(rest).contains("-h")) {
            out.println(command.usage());
            return 0;
        }
        try {
            return command.run(rest);
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

    /** {@code --master} and {@code --conf}: Spark's settings for runs without spark-submit. */
    static final class SparkOptions {
        @Option(names = "--master", paramLabel = "M", description = "Spark's master (local[N] runs on this machine without a cluster);"
                + " spark-submit's when absent")
        String master;

        @Option(names = "--conf", paramLabel = "K=V", description = "a Spark setting; repeat it for more")
        List<String> conf = new ArrayList<>();

        /** The session: spark-submit's settings, or --master / --conf for runs without it. */
        SparkSession session(String job) throws UsageException {
            SparkConf sc = new SparkConf(true).setAppName("resvision " + job);
            if (master != null) {
                sc.setMaster(master);
            } else if (!sc.contains("spark.master")) {
                throw new UsageException("no Spark master: run through spark-submit, or give --master (local[N] for this machine)");
            }
            for (String kv : conf) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("--conf takes KEY=VALUE, got '" + kv + "'");
                }
                sc.set(kv.substring(0, eq), kv.substring(eq + 1));
            }
            if (!sc.contains("spark.ui.enabled") && sc.get("spark.master").startsWith("local")) {
                sc.set("spark.ui.enabled", "false");
            }
            return SparkSession.builder().config(sc).getOrCreate();
        }
    }

    /** The detector the model jobs run: {@code --config}, {@code --weights}, {@code --score-thresh}, {@code --device}, {@code --torch-threads}. */
    static final class DetectorOptions {
        @Option(names = "--config", paramLabel = "C.json", description = "the detector's config (required with a checkpoint file)")
        String config;

        @Option(names = "--weights", paramLabel = "W", description = "a checkpoint, or a published checkpoint's name")
        String weights;

        @Option(names = "--score-thresh", paramLabel = "T", description = "in [0, 1]; overrides the config's box_score_thresh")
        float scoreThresh = -1;

        @Mixin DeviceOption device;

        @Option(names = "--torch-threads", paramLabel = "N", description = "libtorch threads per task (default: spark.task.cpus)")
        int torchThreads;

        ModelSpec spec(CliCommand command) throws UsageException {
            if (weights == null) {
                throw new UsageException("--weights is required (a checkpoint, or a published checkpoint's name)");
            }
            return new ModelSpec(config, weights, command.inRange("--score-thresh", scoreThresh, 0, 1), device.toString(),
                    command.atLeast("--torch-threads", torchThreads, 0));
        }
    }

    /** A Spark job's command: its output streams and {@code --master} / {@code --conf}. */
    abstract static class SparkJob extends CliCommand {
        final PrintStream out;
        final PrintStream err;

        @Mixin SparkOptions spark;

        SparkJob(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }
    }

    /** {@code resvision spark annotate-videos}. */
    @Command(name = "spark annotate-videos", header = "a detector over every frame of many videos, a task per video",
            description = {
                "INPUTS: video files, folders (searched recursively for annotate-video's extensions), globs"
                    + " ('hdfs:///videos/2026-*/*.mp4') or @LIST (a file naming one input per line). One task per video; each"
                    + " executor loads the model once. Each video gives what 'resvision annotate-video' writes (DIR/<name>.mp4"
                    + " and DIR/<name>.jsonl|.json|.txt, .partial names for a video shorter than it declares), committed"
                    + " atomically: retries, speculative tasks and killed executors leave neither duplicates nor partial files,"
                    + " and a re-run skips committed videos (--overwrite redoes them). A bad video is a 'failed' row of the run"
                    + " summary, with its reason (--fail-fast fails the job).",
                "Run summary: DIR/_summary/summary.parquet and .json (video, status, frames, processed_frames,"
                    + " undecodable_frames, detections, seconds, frames_per_second, annotations, video_out, reason, attempt)."})
    static final class AnnotateVideos extends SparkJob {
        @Mixin DetectorOptions model;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "the output folder (a local path or Hadoop URI)")
        String outDir;

        @Option(names = "--stride", paramLabel = "N", description = "run the detector on every N-th frame (default: ${DEFAULT-VALUE})")
        int stride = 1;

        @Option(names = "--batch", paramLabel = "B", description = "frames per forward pass (default: ${DEFAULT-VALUE})")
        int batch = 4;

        @Option(names = "--format", paramLabel = "jsonl|coco|mot", description = "the annotations' format (default: ${DEFAULT-VALUE})")
        AnnotateVideoCommand.Format format = AnnotateVideoCommand.Format.jsonl;

        @Option(names = "--no-video", description = "write the annotations only")
        boolean noVideo;

        @Option(names = "--track", description = "add track ids")
        boolean track;

        @Option(names = "--overwrite", description = "redo committed videos")
        boolean overwrite;

        @Option(names = "--fail-fast", description = "a bad video fails the job")
        boolean failFast;

        @Parameters(paramLabel = "INPUTS", arity = "0..*", description = "videos, folders, globs or @LIST")
        List<String> inputs = new ArrayList<>();

        AnnotateVideos(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        protected int call() throws Exception {
            return annotateVideos(this, out, err);
        }
    }

    /** {@code resvision spark predict-images}. */
    @Command(name = "spark predict-images", header = "detections for many images, as predict writes them",
            description = {
                "INPUTS: image files, folders (recursive; bmp, jpeg, jpg, png, tif, tiff, webp), globs, @LIST, or"
                    + " coco:GT.json (the images the dataset lists, in its order, under --images DIR, default the folder next to"
                    + " the annotations folder named images/ or after the split; also sets --coco GT.json).",
                "Writes DIR/results.json, exactly what 'resvision predict' writes for the same images in the same order (with"
                    + " --coco: image_id and the dataset's category ids), and DIR/results.parquet (result_index, image_index,"
                    + " image_id, file_name, category_id, category_name, bbox, score). Images go to partitions in whole batches"
                    + " of B. Unreadable images: as predict (warned and skipped; more than 10%% or all fail; --strict fails)."})
    static final class PredictImages extends SparkJob {
        @Mixin DetectorOptions model;

        @Option(names = "--out", paramLabel = "DIR", required = true, description = "the output folder (a local path or Hadoop URI)")
        String outDir;

        @Option(names = "--coco", paramLabel = "GT.json", description = "a COCO file whose images' file names give image_id and category ids")
        String coco;

        @Option(names = "--images", paramLabel = "DIR", description = "the images of coco:GT.json inputs")
        String imagesDir;

        @Option(names = "--batch", paramLabel = "B", description = "images per forward pass (default: ${DEFAULT-VALUE})")
        int batch = 2;

        @Option(names = "--partitions", paramLabel = "N", description = "(default: Spark's default parallelism)")
        Integer partitions;

        @Option(names = "--strict", description = "fail at the first unreadable image")
        boolean strict;

        @Parameters(paramLabel = "INPUTS", arity = "0..*", description = "images, folders, globs, @LIST or coco:GT.json")
        List<String> inputs = new ArrayList<>();

        PredictImages(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        protected int call() throws Exception {
            return predictImages(this, out, err);
        }
    }

    /** {@code resvision spark evaluate}. */
    @Command(name = "spark evaluate", header = "COCO evaluation, matching spread over the executors",
            description = "RESULTS: a COCO results JSON (read on the driver as coco-eval reads it) or predict-images' results.parquet."
                    + " The ground truth's images are cut into N shards; each is matched on an executor and the driver merges"
                    + " them: the numbers are coco-eval's, bit for bit. Prints coco-eval's summary (--json: its JSON).")
    static final class Evaluate extends SparkJob {

        @Option(names = "--gt", paramLabel = "GT.json", required = true, description = "the ground truth")
        String gt;

        @Option(names = "--results", paramLabel = "RESULTS", required = true, description = "a results JSON or results.parquet")
        String results;

        @Option(names = "--iou-type", paramLabel = "bbox|segm", description = "(default: ${DEFAULT-VALUE})")
        String iouType = "bbox";

        @Option(names = "--partitions", paramLabel = "N", description = "shards (default: Spark's default parallelism)")
        Integer partitions;

        @Option(names = "--json", description = "print coco-eval's JSON")
        boolean json;

        Evaluate(PrintStream out, PrintStream err) {
            super(out, err);
        }

        @Override
        protected int call() throws Exception {
            return evaluate(this, out, err);
        }
    }

    static int annotateVideos(AnnotateVideos args, PrintStream out, PrintStream err) throws Exception {
        if (args.inputs.isEmpty()) {
            throw new UsageException("no INPUTS given (videos, folders, globs or @LIST)");
        }
        String format = args.format.name();
        int stride = args.atLeast("--stride", args.stride, 1);
        int batch = args.atLeast("--batch", args.batch, 1);
        String outDir = args.outDir;
        ModelSpec model = args.model.spec(args);
        long t0 = System.nanoTime();
        try (SparkSession spark = args.spark.session("annotate-videos")) {
            double sessionSeconds = (System.nanoTime() - t0) / 1e9;
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            List<String> videos = Storage.list(args.inputs, n -> BatchDetector.isVideo(java.nio.file.Path.of(n)), hadoop);
            if (videos.isEmpty()) {
                throw new IOException(String.join(" ", args.inputs) + ": no videos found");
            }
            AnnotateVideosJob job = new AnnotateVideosJob(model, outDir, stride, batch, !args.noVideo, args.track, format,
                    args.overwrite, args.failFast, spark.conf().get("spark.resvision.test.failFirstAttempt", ""));
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

    static int predictImages(PredictImages args, PrintStream out, PrintStream err) throws Exception {
        if (args.inputs.isEmpty()) {
            throw new UsageException("no INPUTS given (images, folders, globs, @LIST or coco:GT.json)");
        }
        int batch = args.atLeast("--batch", args.batch, 1);
        String outDir = args.outDir;
        ModelSpec model = args.model.spec(args);
        try (SparkSession spark = args.spark.session("predict-images")) {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            String coco = args.coco;
            Map<String, CocoDataset> datasets = new java.util.HashMap<>(); // each dataset file read once
            List<String> images = new ArrayList<>();
            List<String> plain = new ArrayList<>();
            for (String in : args.inputs) {
                if (in.startsWith("coco:")) {
                    String gtFile = in.substring(5);
                    coco = coco == null ? gtFile : coco;
                    CocoDataset ds = readDataset(gtFile, hadoop, datasets);
                    String dir = args.imagesDir != null ? args.imagesDir : defaultImages(gtFile, hadoop);
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
                throw new IOException(String.join(" ", args.inputs) + ": no images found");
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
            int partitions = args.partitions == null ? spark.sparkContext().defaultParallelism()
                    : args.atLeast("--partitions", args.partitions, 1);
            PredictImagesJob job = new PredictImagesJob(model, batch);
            long n = job.run(spark, images, fileNames, ids, categoryIds, names, partitions, args.strict, new Path(outDir), err);
            out.printf(Locale.ROOT, "%d detections on %d images -> %s, %s%n", n, images.size(), new Path(outDir, "results.json"),
                    new Path(outDir, "results.parquet"));
            return 0;
        }
    }

    static int evaluate(Evaluate args, PrintStream out, PrintStream err) throws Exception {
        String gtFile = args.gt;
        String results = args.results;
        CocoEvalParams params;
        try {
            params = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(args.iouType));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--iou-type must be bbox or segm");
        }
        try (SparkSession spark = args.spark.session("evaluate")) {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            boolean segm = params.iouType() == CocoEvalParams.IouType.SEGM;
            CocoDataset gt = readDataset(gtFile, hadoop);
            int partitions = args.partitions == null ? spark.sparkContext().defaultParallelism()
                    : args.atLeast("--partitions", args.partitions, 1);
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
            out.println(args.json ? new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(r.toJsonNode(names, false))
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
