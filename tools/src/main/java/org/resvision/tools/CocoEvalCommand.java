package org.resvision.tools;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvaluator;
import org.resvision.eval.coco.CocoMatching;
import org.resvision.eval.coco.GroundTruthMasks;
import org.resvision.eval.coco.PrCurvePlot;
import org.resvision.eval.diagnostics.Diagnostics;
import org.resvision.eval.diagnostics.ModelComparison;
import org.resvision.eval.report.EvaluationReport;
import org.resvision.eval.report.HtmlReport;
import org.resvision.eval.report.ReportData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code resvision coco-eval}: pycocotools' numbers for a results file, fast. */
@Command(name = "coco-eval", header = "COCO bbox/segm evaluation with pycocotools' exact numbers",
        description = {
            "Evaluates COCO results exactly as pycocotools' COCOeval (loadRes, evaluate, accumulate, summarize) and prints its"
                + " summary.",
            "An empty results list gives AP 0 everywhere there is ground truth (pycocotools crashes on it). Records pycocotools"
                + " leaves out (annotations of unlisted images or categories, detections of unlisted categories) are left out"
                + " too, counted in one warning line per kind. What it would misread is an error naming the file and the"
                + " record: NaN/Infinity, duplicate ids, iscrowd other than 0/1/true/false, negative boxes, RLEs whose runs do"
                + " not cover the image or whose size is not the image's, bad polygons."})
public final class CocoEvalCommand extends CliCommand {

    /** {@code --protocol}'s values. */
    enum Protocol {
        /** COCO's evaluation (pycocotools) */
        coco,
        /** LVIS v1's federated evaluation (lvis-api) */
        lvis
    }

    @Option(names = "--gt", paramLabel = "GT.json", required = true, description = "the ground truth")
    Path gtOption;

    @Option(names = "--dt", paramLabel = "RESULTS.json", required = true, description = "a results file; repeat it for shards (say one"
            + " file per GPU worker): their results are concatenated in the order given and evaluated as one file, exactly"
            + " pycocotools on the concatenation (files may hold detections of the same image: they add up); errors name the"
            + " file and its detection; the same file twice is refused")
    List<Path> dtOptions = new ArrayList<>();

    @Option(names = "--iou-type", paramLabel = "bbox|segm", description = "(default: ${DEFAULT-VALUE})")
    String iouType = "bbox";

    @Option(names = "--protocol", paramLabel = "coco|lvis", description = "lvis: LVIS v1's federated evaluation exactly as lvis-api's"
            + " LVISEval (300 detections per image, neg/not-exhaustive categories, APr/APc/APf, AR@300); prints its print_results"
            + " text, --json {\"protocol\": \"lvis\", \"results\": {...}}; takes only --gt, one --dt, --iou-type, --json"
            + " (default: ${DEFAULT-VALUE})")
    Protocol protocol = Protocol.coco;

    @Option(names = "--json", description = "print one JSON object whose 'stats' are the 12 numbers")
    boolean json;

    @Option(names = "--per-class", description = "AP per category")
    boolean perClass;

    @Option(names = "--max-dets", paramLabel = "1,10,100", description = "three limits; unlike pycocotools, the first AP row uses the"
            + " last of them")
    String maxDets;

    @Option(names = "--cat-ids", paramLabel = "ID,ID,...", description = "evaluate only these category ids")
    String catIds;

    @Option(names = "--plot", paramLabel = "DIR", description = "precision-recall curves: DIR/overall.png and one PNG per category")
    Path plot;

    @Option(names = "--box-masks", description = "segm on results without masks: use each box as its mask (what pycocotools does"
            + " silently); without it such a request is an error")
    boolean boxMasks;

    @Option(names = "--timing", description = "phase times (load of both files in parallel, prepare, evaluate, accumulate) on stderr")
    boolean timing;

    @Option(names = "--diagnostics", description = "TIDE's error breakdown (tidecv's numbers: dAP of Cls, Loc, Both, Dupe, Bkg, Miss,"
            + " FalsePos, FalseNeg at foreground IoU 0.5, background 0.1); from COCO's matching: a detection confusion matrix"
            + " (categories + background, at --confusion-iou and --confusion-score), the best F-beta score threshold per"
            + " category and overall (--f-beta, at --match-iou), calibration of the scores (ECE, MCE, reliability bins at"
            + " --match-iou) and PR curves per category and area; a summary is printed, --json has all")
    boolean diagnosticsFlag;

    @Option(names = "--confusion-iou", paramLabel = "T", description = "one of the evaluated IoU thresholds (default: ${DEFAULT-VALUE})")
    float confusionIou = 0.5f;

    @Option(names = "--confusion-score", paramLabel = "S", description = "(default: ${DEFAULT-VALUE})")
    float confusionScore = 0.5f;

    @Option(names = "--match-iou", paramLabel = "T", description = "one of the evaluated IoU thresholds (default: ${DEFAULT-VALUE})")
    float matchIou = 0.5f;

    @Option(names = "--f-beta", paramLabel = "B", description = "(default: ${DEFAULT-VALUE})")
    float fBeta = 1f;

    @Option(names = "--calibration-bins", paramLabel = "N", description = "(default: ${DEFAULT-VALUE})")
    int calibrationBins = 10;

    @Option(names = "--report", paramLabel = "REPORT.html", description = "one self-contained HTML file (inline SVG and CSS, no"
            + " network): the summary, worst classes, PR curves and every diagnostic (implies --diagnostics)")
    Path report;

    @Option(names = "--compare", paramLabel = "B.json", description = "a second results file against the same ground truth: B - A for"
            + " the 12 stats and each category's AP and AP50, with a paired bootstrap 95%% interval over images (--bootstrap"
            + " resamples, --seed; numpy's linear percentiles) and P(B > A)")
    Path compare;

    @Option(names = "--bootstrap", paramLabel = "N", description = "resamples (default: ${DEFAULT-VALUE})")
    int bootstrapResamples = ModelComparison.Bootstrap.DEFAULT_RESAMPLES;

    @Option(names = "--seed", paramLabel = "S", description = "the bootstrap's seed")
    Long seed;

    @Option(names = "--device", paramLabel = "java|cpu|gpu[:N]", description = "where the IoU matrices and the matching run: java (this"
            + " host's cores), or DJL's PyTorch engine on cpu or gpu (box IoU on the device, mask IoU on the host); the same"
            + " numbers bit for bit (default: ${DEFAULT-VALUE})")
    String deviceName = "java";

    @Override
    protected int call() throws Exception {
        if (protocol == Protocol.lvis) {
            return LvisEvalCli.run(this);
        }
        Path gtFile = gtOption;
        List<Path> dtFiles = distinct(dtOptions);
        // what names the results in messages, the JSON and the report: the file, or the files joined
        String dtLabel = dtFiles.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(" + "));
        String dtNames = dtFiles.stream().map(f -> String.valueOf(f.getFileName())).collect(java.util.stream.Collectors.joining(" + "));
        CocoEvalParams params = params();
        Path bFile = compare;
        ModelComparison.Bootstrap bootstrap = bootstrap();
        ai.djl.Device device = device(deviceName);
        Path reportFile = report == null ? null : outputFile("--report", report);
        boolean diagnose = diagnosticsFlag || reportFile != null;
        Diagnostics.Options dOpts = diagnosticsOptions(params);
        long t0 = System.nanoTime();
        Loaded in = load(gtFile, dtFiles, bFile, params.iouType() == CocoEvalParams.IouType.SEGM);
        check(in, params, gtFile, dtFiles, bFile);
        CocoDataset gt = in.masks().dataset();
        List<CocoResult> dt = in.dt();
        CocoEvalResult r;
        CocoMatching matching;
        try {
            matching = CocoEvaluator.match(gt, in.masks(), dt, params, device, diagnose); // per-detection outcomes for diagnostics only
            r = CocoEvaluator.accumulate(matching);
        } catch (CocoEvalException e) {
            throw named(e, gtFile, dtFiles, in.starts());
        }
        ModelComparison comparison = bFile == null ? null : compare(in, matching, params, device, bootstrap, r, gtFile, bFile);
        Diagnostics diagnostics = null;
        if (diagnose) {
            long td = System.nanoTime();
            diagnostics = Diagnostics.compute(matching, r, withExactIous(dOpts, params), in.masks(), dt);
            r.timings().put("diagnostics", (System.nanoTime() - td) / 1e9);
            diagnostics.timings().forEach((k, v) -> r.timings().put(" " + k.replace(' ', '-'), v));
        }
        for (CocoEvalResult.Warning w : r.warnings()) {
            System.err.println("resvision coco-eval: warning: " + (w.inGroundTruth() ? gtFile : dtLabel) + ": " + w.message());
        }
        Map<Long, String> names = new LinkedHashMap<>();
        for (CocoCategory c : gt.categories()) {
            names.put(c.id(), c.name());
        }
        print(r, names, diagnostics, comparison, dtLabel, bFile);
        if (plot != null) {
            int n = PrCurvePlot.write(r, names, plot);
            System.err.println("wrote " + n + " PR-curve PNGs to " + plot);
        }
        if (reportFile != null) {
            String subtitle = String.format(Locale.ROOT, "%s · %s (%d images, %d annotations, %d categories) · %s (%d detections)",
                    params.iouType(), gtFile.getFileName(), gt.images().size(), gt.annotations().size(), gt.categories().size(),
                    dtNames, dt.size());
            ReportData data = EvaluationReport.build("COCO evaluation: " + dtNames, subtitle, dtNames, r, gt, dt, names, diagnostics);
            if (comparison != null) {
                data = EvaluationReport.withComparison(data, dtNames, bFile.getFileName().toString(), comparison, names);
            }
            long tr = System.nanoTime();
            HtmlReport.write(data, reportFile);
            r.timings().put("report", (System.nanoTime() - tr) / 1e9);
            System.err.println("wrote " + reportFile);
        }
        if (timing) {
            System.err.printf(Locale.ROOT, "%-12s %8s%n", "phase", "seconds");
            System.err.printf(Locale.ROOT, "%-12s %8.3f%n", "load", (in.loaded() - t0) / 1e9);
            System.err.printf(Locale.ROOT, "%-12s %8.3f%n", "(results)", (in.resultsRead() - t0) / 1e9);
            r.timings().forEach((k, v) -> System.err.printf(Locale.ROOT, "%-12s %8.3f%n", k, v));
            System.err.printf(Locale.ROOT, "%-12s %8.3f%n", "total", (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }

    /** {@code --dt} files, refused when one is given twice (its results would count twice). */
    private static List<Path> distinct(List<Path> dtFiles) throws UsageException {
        for (int f = 1; f < dtFiles.size(); f++) {
            for (int e = 0; e < f; e++) {
                if (dtFiles.get(f).toAbsolutePath().normalize().equals(dtFiles.get(e).toAbsolutePath().normalize())) {
                    throw new UsageException("--dt " + dtFiles.get(f) + " is given twice (its results would count twice)");
                }
            }
        }
        return dtFiles;
    }

    /** pycocotools' parameters of {@code --iou-type}, {@code --max-dets} and {@code --cat-ids}. */
    private CocoEvalParams params() throws UsageException {
        try {
            CocoEvalParams params = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(iouType));
            if (maxDets != null) {
                params = params.withMaxDets(Arrays.stream(maxDets.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray());
            }
            if (catIds != null) {
                params = params.withCategoryIds(Arrays.stream(catIds.split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray());
            }
            return params;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The comparison's bootstrap ({@code --bootstrap}, {@code --seed}), which only {@code --compare} takes. */
    private ModelComparison.Bootstrap bootstrap() throws UsageException {
        ModelComparison.Bootstrap bootstrap = ModelComparison.Bootstrap.defaults().withResamples(atLeast("--bootstrap", bootstrapResamples, 1));
        if (seed != null) {
            bootstrap = bootstrap.withSeed(seed);
        }
        if (compare == null && (given("--bootstrap") || seed != null)) {
            throw new UsageException("--bootstrap and --seed go with --compare B.json");
        }
        return bootstrap;
    }

    /** The diagnostics' options; their IoUs must be evaluated thresholds. */
    private Diagnostics.Options diagnosticsOptions(CocoEvalParams params) throws UsageException {
        Diagnostics.Options dOpts = new Diagnostics.Options(
                inRange("--confusion-iou", confusionIou, 0f, 1f), inRange("--confusion-score", confusionScore, -Float.MAX_VALUE, Float.MAX_VALUE),
                inRange("--match-iou", matchIou, 0f, 1f), inRange("--f-beta", fBeta, 1e-6f, 1e6f),
                atLeast("--calibration-bins", calibrationBins, 1));
        for (String t : new String[] {"--confusion-iou", "--match-iou"}) {
            double v = t.equals("--match-iou") ? matchIou : confusionIou;
            if (Arrays.stream(params.iouThresholds()).noneMatch(x -> Math.abs(x - v) < 1e-6)) {
                throw new UsageException(t + " " + raw(t) + " is not one of the evaluated IoU thresholds 0.50, 0.55, ..., 0.95");
            }
        }
        return dOpts;
    }

    /**
     * What the files hold: the ground truth with its masks, the results of every {@code --dt} file in order
     * ({@code starts[f]}: the first of file f; {@code starts[n]}: their count), {@code --compare}'s results
     * (or null), and when the results and the ground truth were read ({@code System.nanoTime()}).
     */
    private record Loaded(GroundTruthMasks masks, List<CocoResult> dt, int[] starts, List<CocoResult> dtB, long resultsRead, long loaded) {}

    /** Reads the files: the ground truth (and, for segm, its masks) on a second core while the results parse. */
    private Loaded load(Path gtFile, List<Path> dtFiles, Path bFile, boolean segm) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<GroundTruthMasks> gtLoad = pool.submit(() -> {
            CocoDataset d = CocoReader.readDataset(gtFile, segm); // a bbox evaluation reads no polygons
            return segm ? GroundTruthMasks.of(d) : GroundTruthMasks.none(d);
        });
        pool.shutdown();
        // several files: their results concatenated in order. A bbox evaluation reads no masks (loadRes's
        // bbox branch never looks at them)
        List<CocoResult> dt;
        int[] starts = new int[dtFiles.size() + 1];
        if (dtFiles.size() == 1) {
            dt = CocoReader.readResults(dtFiles.get(0), segm);
        } else {
            List<org.resvision.data.coco.CocoResults> parts = new java.util.ArrayList<>();
            for (int f = 0; f < dtFiles.size(); f++) {
                starts[f] = parts.stream().mapToInt(List::size).sum();
                parts.add(CocoReader.readResults(dtFiles.get(f), segm));
            }
            dt = org.resvision.data.coco.CocoResults.concat(parts);
        }
        starts[dtFiles.size()] = dt.size();
        List<CocoResult> dtB = bFile == null ? null : CocoReader.readResults(bFile, segm);
        long resultsRead = System.nanoTime();
        GroundTruthMasks masks;
        try {
            masks = gtLoad.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof CocoEvalException ex ? named(ex, gtFile, dtFiles.get(0))
                    : e.getCause() instanceof Exception ex ? ex : e;
        }
        return new Loaded(masks, dt, starts, dtB, resultsRead, System.nanoTime());
    }

    /** Notes on empty results files; the masks each results file needs; {@code --cat-ids} in the ground truth. */
    private void check(Loaded in, CocoEvalParams params, Path gtFile, List<Path> dtFiles, Path bFile) throws Exception {
        int[] starts = in.starts();
        for (int f = 0; f < dtFiles.size(); f++) {
            if (starts[f + 1] == starts[f]) {
                System.err.println("note: " + dtFiles.get(f) + " holds no detections"
                        + (in.dt().isEmpty() ? ": AP is 0 wherever there is ground truth" : ""));
            }
            checkMasks(params, boxMasks, in.dt().subList(starts[f], starts[f + 1]), dtFiles.get(f));
        }
        if (in.dtB() != null) {
            checkMasks(params, boxMasks, in.dtB(), bFile);
        }
        if (params.categoryIds() != null) {
            for (long id : params.categoryIds()) {
                if (in.masks().dataset().category(id) == null) {
                    throw new UsageException("--cat-ids: category " + id + " is not in " + gtFile);
                }
            }
        }
    }

    /** {@code --compare}: B's results matched as A's were, and the bootstrap comparison of the two. */
    private static ModelComparison compare(Loaded in, CocoMatching matching, CocoEvalParams params, ai.djl.Device device,
            ModelComparison.Bootstrap bootstrap, CocoEvalResult r, Path gtFile, Path bFile) throws Exception {
        long tc = System.nanoTime();
        CocoMatching matchingB;
        try {
            matchingB = CocoEvaluator.match(in.masks().dataset(), in.masks(), in.dtB(), params, device);
        } catch (CocoEvalException e) {
            throw named(e, gtFile, bFile);
        }
        for (CocoEvalResult.Warning w : matchingB.warnings()) {
            if (!w.inGroundTruth()) {
                System.err.println("resvision coco-eval: warning: " + bFile + ": " + w.message());
            }
        }
        ModelComparison comparison = ModelComparison.compare(matching, matchingB, bootstrap);
        r.timings().put("compare", (System.nanoTime() - tc) / 1e9);
        return comparison;
    }

    /** The results on stdout: pycocotools' summary and the tables asked for, or one JSON object with {@code --json}. */
    private void print(CocoEvalResult r, Map<Long, String> names, Diagnostics diagnostics, ModelComparison comparison, String dtLabel,
            Path bFile) throws java.io.IOException {
        if (json) {
            com.fasterxml.jackson.databind.node.ObjectNode root = r.toJsonNode(names, perClass);
            if (diagnostics != null) {
                root.set("diagnostics", diagnostics.toJson(names));
            }
            if (comparison != null) {
                root.set("comparison", comparison.toJson(names).put("a", dtLabel).put("b", bFile.toString()));
            }
            System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(root));
            return;
        }
        System.out.println(r.summaryText());
        if (perClass) {
            System.out.println(diagnostics != null ? "\n" + diagnostics.perClassText(names) : perClassTable(r, names));
        }
        if (diagnostics != null) {
            System.out.println();
            System.out.println(diagnostics.text(names));
        }
        if (comparison != null) {
            System.out.println();
            System.out.println("A = " + dtLabel + ", B = " + bFile);
            System.out.println(comparison.toText(names));
        }
    }

    /** The options with each IoU replaced by the evaluated threshold it names (0.55 is not exactly linspace's value). */
    private static Diagnostics.Options withExactIous(Diagnostics.Options o, CocoEvalParams p) {
        return new Diagnostics.Options(nearest(p, o.confusionIou()), o.confusionScore(), nearest(p, o.matchIou()), o.beta(),
                o.calibrationBins());
    }

    private static double nearest(CocoEvalParams p, double v) {
        double best = p.iouThresholds()[0];
        for (double x : p.iouThresholds()) {
            if (Math.abs(x - v) < Math.abs(best - v)) {
                best = x;
            }
        }
        return best;
    }

    /** --device: null for the Java code, else a DJL device (a GPU only when the engine sees one). */
    static ai.djl.Device device(String name) throws UsageException {
        if (name.equals("java")) {
            return null;
        }
        if (name.equals("cpu")) {
            return ai.djl.Device.cpu();
        }
        java.util.regex.Matcher g = java.util.regex.Pattern.compile("gpu(?::(\\d+))?").matcher(name);
        if (!g.matches()) {
            throw new UsageException("--device must be java, cpu, gpu or gpu:N, got '" + name + "'");
        }
        int id = g.group(1) == null ? 0 : Integer.parseInt(g.group(1));
        int gpus = ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount();
        if (id >= gpus) {
            throw new UsageException("--device " + name + ": DJL's PyTorch engine sees " + gpus + " GPU(s) here"
                    + (gpus == 0 ? " (a CPU-only libtorch, or no CUDA device)" : ""));
        }
        return ai.djl.Device.gpu(id);
    }

    private static void checkMasks(CocoEvalParams params, boolean boxMasks, List<CocoResult> dt, Path dtFile) throws UsageException {
        if (params.iouType() == CocoEvalParams.IouType.SEGM && !dt.isEmpty() && !boxMasks
                && dt.stream().noneMatch(r -> r.segmentation() != null)) {
            throw new UsageException(dtFile + ": --iou-type segm, but no result has a 'segmentation' "
                    + "(add --box-masks to score each box as its mask, as pycocotools does)");
        }
    }

    private static final java.util.regex.Pattern DETECTION = java.util.regex.Pattern.compile("detection #(\\d+)");

    /**
     * The evaluator's message about the concatenation of {@code files} ({@code starts[f]}: file f's
     * first result) with the file it is about: the file holding the detection it names, numbered
     * within that file.
     */
    private static CocoEvalException named(CocoEvalException e, Path gtFile, List<Path> files, int[] starts) {
        if (e.inGroundTruth() || files.size() == 1) {
            return named(e, gtFile, files.get(0));
        }
        String message = e.getMessage();
        java.util.regex.Matcher m = DETECTION.matcher(message);
        if (!m.find()) {
            return new CocoEvalException(files.stream().map(Path::toString).collect(java.util.stream.Collectors.joining(" + "))
                    + ": " + message, false);
        }
        int d = Integer.parseInt(m.group(1)) - 1;
        int f = 0;
        while (f + 1 < files.size() && starts[f + 1] <= d) {
            f++;
        }
        message = message.substring(0, m.start()) + "detection #" + (d - starts[f] + 1) + message.substring(m.end());
        if (message.contains("the first one")) { // the first result of the concatenation: the first non-empty file's
            int first = 0;
            while (starts[first + 1] == 0) {
                first++;
            }
            message = message.replace("the first one", "the first one (of " + files.get(first) + ")");
        }
        return new CocoEvalException(files.get(f) + ": " + message, false);
    }

    /** The evaluator's message with the file it is about. */
    private static CocoEvalException named(CocoEvalException e, Path gtFile, Path dtFile) {
        return new CocoEvalException((e.inGroundTruth() ? gtFile : dtFile) + ": " + e.getMessage(), e.inGroundTruth());
    }

    static String perClassTable(CocoEvalResult r, Map<Long, String> names) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%n%-6s %-24s %7s %7s%n", "id", "category", "AP", "AP50"));
        long[] ids = r.categoryIds();
        for (int k = 0; k < ids.length; k++) {
            sb.append(String.format(Locale.ROOT, "%-6d %-24s %7s %7s%n", ids[k], names.getOrDefault(ids[k], ""),
                    fmt(r.categoryAp(k)), fmt(r.categoryAp50(k))));
        }
        return sb.toString().stripTrailing();
    }

    private static String fmt(double v) {
        return v < 0 ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
