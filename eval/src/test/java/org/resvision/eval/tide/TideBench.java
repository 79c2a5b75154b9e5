package org.resvision.eval.tide;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalParams.IouType;
import org.resvision.eval.coco.CocoEvaluator;
import org.resvision.eval.coco.GroundTruthMasks;

/**
 * Times {@link Tide#evaluate} (JSON reading and, for segm, GT rasterisation excluded: coco-eval
 * has done both) at any scale, e.g. val2017's from {@code shared/tools/gen_coco.py --images 5000
 * --cats 80 --seed 2017}; optionally compares with tidecv's numbers ({@code tide_ref.json}:
 * {@code {"ap", "main", "special", "counts"}}). Not a test:
 * {@code java -cp ... org.resvision.eval.tide.TideBench GT DT bbox|segm [RUNS] [TIDECV_JSON|-] [coco-first]}
 * ({@code coco-first}: run CocoEvaluator once before, as the coco-eval command would).
 */
public final class TideBench {

    private TideBench() {}

    public static void main(String[] args) throws Exception {
        CocoDataset gt = CocoReader.readDataset(Path.of(args[0]));
        List<CocoResult> dt = CocoReader.readResults(Path.of(args[1]));
        IouType type = IouType.parse(args[2]);
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        GroundTruthMasks masks = type == IouType.SEGM ? GroundTruthMasks.of(gt) : GroundTruthMasks.none(gt);
        TideParams params = TideParams.defaults(type);
        TideResult r = null;
        double best = Double.MAX_VALUE;
        double sum = 0;
        if (args.length > 5 && args[5].equals("coco-first")) { // as the coco-eval command would: warms MaskApi, StableSort
            long t0 = System.nanoTime();
            CocoEvaluator.evaluate(masks, dt, CocoEvalParams.defaults(type));
            System.out.printf(Locale.ROOT, "coco-eval first: %.3f s%n", (System.nanoTime() - t0) / 1e9);
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < runs; i++) {
            long c0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            r = Tide.evaluate(masks, dt, params);
            double s = (System.nanoTime() - t0) / 1e9;
            double cpu = (os.getProcessCpuTime() - c0) / 1e9;
            best = Math.min(best, s);
            if (i >= runs / 2) {
                sum += s;
            }
            System.out.printf(Locale.ROOT, "run %d: %.3f s wall, %.3f s cpu (all threads, JIT and GC included) %s%n",
                    i + 1, s, cpu, r.timings());
        }
        System.out.printf(Locale.ROOT, "%s: %d images, %d detections, %d cores: best %.3f s, mean of last %d %.3f s%n",
                type, gt.images().size(), dt.size(), Runtime.getRuntime().availableProcessors(), best,
                runs - runs / 2, sum / (runs - runs / 2));
        System.out.println(r.summaryText(Path.of(args[1]).getFileName().toString()));
        if (args.length > 4 && !args[4].equals("-")) {
            JsonNode ref = new ObjectMapper().readTree(Path.of(args[4]).toFile());
            double maxDiff = Math.abs(ref.get("ap").asDouble() - r.ap());
            for (TideError e : TideError.values()) {
                maxDiff = Math.max(maxDiff, Math.abs(ref.get("main").get(e.shortName()).asDouble() - r.dAp(e)));
                if (ref.get("counts").get(e.shortName()).asInt() != r.count(e)) {
                    System.out.println("count differs: " + e.shortName() + " tidecv "
                            + ref.get("counts").get(e.shortName()) + " ours " + r.count(e));
                }
            }
            for (TideSpecialError e : TideSpecialError.values()) {
                maxDiff = Math.max(maxDiff, Math.abs(ref.get("special").get(e.shortName()).asDouble() - r.dAp(e)));
            }
            System.out.println("max |diff| vs tidecv (AP and every dAP): " + maxDiff);
        }
    }
}
