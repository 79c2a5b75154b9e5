package org.resvision.tools;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvaluator;
import org.resvision.eval.coco.GroundTruthMasks;
import org.resvision.eval.coco.PrCurvePlot;

/** {@code resvision coco-eval}: pycocotools' numbers for a results file, fast. */
public final class CocoEvalCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision coco-eval --gt GT.json --dt RESULTS.json [--iou-type bbox|segm] [--json]",
            "                           [--per-class] [--max-dets 1,10,100] [--cat-ids ID,ID,...] [--plot DIR]",
            "                           [--box-masks] [--timing]",
            "  Evaluates COCO results exactly as pycocotools' COCOeval (loadRes, evaluate, accumulate,",
            "  summarize) and prints its summary; --json prints one JSON object whose 'stats' are the 12 numbers.",
            "  --max-dets   three limits; unlike pycocotools, the first AP row uses the last of them",
            "  --cat-ids    evaluate only these category ids",
            "  --plot DIR   precision-recall curves: DIR/overall.png and one PNG per category",
            "  --box-masks  segm on results without masks: use each box as its mask (what pycocotools does",
            "               silently); without it such a request is an error",
            "  --timing     phase times (load of both files in parallel, prepare, evaluate, accumulate) on stderr",
            "  An empty results list gives AP 0 everywhere there is ground truth (pycocotools crashes on it).",
            "  Records pycocotools leaves out (annotations of unlisted images or categories, detections of unlisted",
            "  categories) are left out too, counted in one warning line per kind. What it would misread is an error",
            "  naming the file and the record: NaN/Infinity, duplicate ids, iscrowd other than 0/1/true/false,",
            "  negative boxes, RLEs whose runs do not cover the image or whose size is not the image's, bad polygons.");

    @Override
    public String name() {
        return "coco-eval";
    }

    @Override
    public String summary() {
        return "COCO bbox/segm evaluation with pycocotools' exact numbers";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("gt", "dt", "iou-type", "max-dets", "cat-ids", "plot"),
                Set.of("json", "per-class", "box-masks", "timing"), USAGE);
        if (!args.positional().isEmpty()) {
            throw new UsageException("unexpected argument '" + args.positional().get(0) + "'\n" + USAGE);
        }
        Path gtFile = Path.of(args.require("gt"));
        Path dtFile = Path.of(args.require("dt"));
        CocoEvalParams params;
        try {
            params = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(args.get("iou-type", "bbox")));
            if (args.get("max-dets", null) != null) {
                params = params.withMaxDets(Arrays.stream(args.get("max-dets", "").split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray());
            }
            if (args.get("cat-ids", null) != null) {
                params = params.withCategoryIds(Arrays.stream(args.get("cat-ids", "").split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray());
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        long t0 = System.nanoTime();
        // the two files parse on the two cores at once
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        boolean segm = params.iouType() == CocoEvalParams.IouType.SEGM;
        // the ground truth (and, for segm, its masks) is made while the results are parsed
        java.util.concurrent.Future<GroundTruthMasks> gtLoad = pool.submit(() -> {
            CocoDataset d = CocoReader.readDataset(gtFile);
            return segm ? GroundTruthMasks.of(d) : GroundTruthMasks.none(d);
        });
        pool.shutdown();
        List<CocoResult> dt = CocoReader.readResults(dtFile);
        long t1 = System.nanoTime();
        GroundTruthMasks masks;
        try {
            masks = gtLoad.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof CocoEvalException ex ? named(ex, gtFile, dtFile)
                    : e.getCause() instanceof Exception ex ? ex : e;
        }
        CocoDataset gt = masks.dataset();
        long t2 = System.nanoTime();
        if (dt.isEmpty()) {
            System.err.println("note: " + dtFile + " holds no detections: AP is 0 wherever there is ground truth");
        }
        if (params.iouType() == CocoEvalParams.IouType.SEGM && !dt.isEmpty() && !args.flag("box-masks")
                && dt.stream().noneMatch(r -> r.segmentation() != null)) {
            throw new UsageException(dtFile + ": --iou-type segm, but no result has a 'segmentation' "
                    + "(add --box-masks to score each box as its mask, as pycocotools does)");
        }
        if (params.categoryIds() != null) {
            for (long id : params.categoryIds()) {
                if (gt.category(id) == null) {
                    throw new UsageException("--cat-ids: category " + id + " is not in " + gtFile);
                }
            }
        }
        CocoEvalResult r;
        try {
            r = CocoEvaluator.evaluate(masks, dt, params);
        } catch (CocoEvalException e) {
            throw named(e, gtFile, dtFile);
        }
        for (CocoEvalResult.Warning w : r.warnings()) {
            System.err.println("resvision coco-eval: warning: " + (w.inGroundTruth() ? gtFile : dtFile) + ": " + w.message());
        }
        Map<Long, String> names = new LinkedHashMap<>();
        for (CocoCategory c : gt.categories()) {
            names.put(c.id(), c.name());
        }
        if (args.flag("json")) {
            System.out.println(r.toJson(names, args.flag("per-class")));
        } else {
            System.out.println(r.summaryText());
            if (args.flag("per-class")) {
                System.out.println(perClassTable(r, names));
            }
        }
        if (args.get("plot", null) != null) {
            int n = PrCurvePlot.write(r, names, Path.of(args.get("plot", null)));
            System.err.println("wrote " + n + " PR-curve PNGs to " + args.get("plot", null));
        }
        if (args.flag("timing")) {
            System.err.printf(Locale.ROOT, "%-12s %8s%n", "phase", "seconds");
            System.err.printf(Locale.ROOT, "%-12s %8.3f%n", "load", (t2 - t0) / 1e9);
            System.err.printf(Locale.ROOT, "%-12s %8.3f%n", "(results)", (t1 - t0) / 1e9);
            r.timings().forEach((k, v) -> System.err.printf(Locale.ROOT, "%-12s %8.3f%n", k, v));
            System.err.printf(Locale.ROOT, "%-12s %8.3f%n", "total", (System.nanoTime() - t0) / 1e9);
        }
        return 0;
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
