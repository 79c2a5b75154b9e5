package org.resvision.eval.tide;

import java.util.List;
import java.util.stream.IntStream;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoEvalParams.IouType;
import org.resvision.eval.coco.GroundTruthMasks;

/**
 * TIDE error analysis (Bolya et al., ECCV 2020) with tidecv 1.0.1's exact semantics: match per
 * image ({@link ImageMatcher}), classify every false positive and missed GT, then re-run AP with
 * an oracle fixing each error type ({@link ErrorOracle}). Crowd annotations are tidecv's ignore
 * regions; see eval/TIDE.md for where that differs from pycocotools. Images are matched on all
 * cores. Stateless, thread-safe.
 */
public final class Tide {

    private Tide() {}

    /**
     * Analyses {@code results} against {@code gt} (segm rasterises the GT masks first).
     *
     * @param gt the ground truth; its image order fixes the order detections are ranked in, as in tidecv
     * @param results the detections, COCO result style (bbox {@code [x, y, w, h]} in pixels, or a segmentation
     *     for segm), of any images of {@code gt}; not modified
     * @param params thresholds, mode and per-image detection limit
     * @return a new result, its {@link TideResult#timings()} filled
     * @throws CocoEvalException for a malformed GT segmentation (segm), for input TIDE cannot use (one line
     *     naming the record), or when there is nothing to evaluate; see
     *     {@link #evaluate(GroundTruthMasks, List, TideParams)}
     */
    public static TideResult evaluate(CocoDataset gt, List<CocoResult> results, TideParams params)
            throws CocoEvalException {
        GroundTruthMasks masks = params.iouType() == IouType.SEGM ? GroundTruthMasks.of(gt) : GroundTruthMasks.none(gt);
        return evaluate(masks, results, params);
    }

    /**
     * As {@link #evaluate(CocoDataset, List, TideParams)}, with the GT masks already made (shared
     * with a {@code CocoEvaluator} run, say); masks of {@link GroundTruthMasks#none} are made here for segm.
     *
     * @param masks the ground truth ({@link GroundTruthMasks#dataset()}) with its masks, or without them
     * @param results the detections, of images of the ground truth; not modified
     * @param params thresholds, mode and per-image detection limit
     * @return a new result, its {@link TideResult#timings()} filled
     * @throws CocoEvalException for input TIDE cannot use (one line naming the record), or when
     *     there is nothing to evaluate (no non-crowd GT and no detection outside crowd regions)
     */
    public static TideResult evaluate(GroundTruthMasks masks, List<CocoResult> results, TideParams params)
            throws CocoEvalException {
        return evaluate(masks, results, params, null);
    }

    /**
     * As {@link #evaluate(GroundTruthMasks, List, TideParams)}, with detection masks from elsewhere
     * ({@code decodedMasks.apply(i)}: result {@code i}'s mask, or null to decode it here), e.g.
     * {@code CocoMatching::detectionMask} of a segm evaluation of the same results, which decodes
     * each on request and also gives the box-as-polygon mask of a result that has only a box.
     *
     * @param masks the ground truth with its masks, or without them ({@link GroundTruthMasks#none}: then
     *     rasterised here for segm)
     * @param results the detections, of images of the ground truth; not modified
     * @param params thresholds, mode and per-image detection limit
     * @param decodedMasks result index (position in {@code results}) to its decoded mask, or null; may be
     *     null itself (decode them all here); only used for segm, and called from several threads at once
     * @return a new result, its {@link TideResult#timings()} filled (seconds of prepare, match, sort, fix)
     * @throws CocoEvalException for input TIDE cannot use: a detection of an image not in the GT, with a NaN
     *     score, without the bbox or segmentation the mode needs or with a malformed mask, a GT annotation
     *     without them; or when there is nothing to evaluate (no non-crowd GT and no detection outside crowd
     *     regions)
     */
    public static TideResult evaluate(GroundTruthMasks masks, List<CocoResult> results, TideParams params,
            java.util.function.IntFunction<org.resvision.data.mask.Rle> decodedMasks) throws CocoEvalException {
        if (params.iouType() == IouType.SEGM && !masks.rasterised()) {
            masks = GroundTruthMasks.of(masks.dataset());
        }
        long t0 = System.nanoTime();
        TideInput in = TideInput.of(masks.dataset(), masks, results, params, decodedMasks);
        long t1 = System.nanoTime();
        Outcomes out = new Outcomes(in, params.maxDets());
        ImageMatcher matcher = new ImageMatcher(in, out, params);
        String[] problems = new String[in.imageCount()];
        IntStream.range(0, in.imageCount()).parallel().forEach(i -> {
            try {
                matcher.match(i);
            } catch (CocoEvalException e) {
                problems[i] = e.getMessage();
            }
        });
        for (String p : problems) {
            if (p != null) {
                throw new CocoEvalException(p);
            }
        }
        long t2 = System.nanoTime();
        ErrorOracle oracle = new ErrorOracle(in, out);
        long t3 = System.nanoTime();
        double ap = oracle.mAp(ErrorOracle.Variant.AS_IS);
        if (Double.isNaN(ap)) {
            throw new CocoEvalException("TIDE has nothing to evaluate: no non-crowd ground truth and no detection"
                    + " outside crowd regions");
        }
        double[] main = new double[TideError.values().length];
        for (TideError e : TideError.values()) {
            main[e.ordinal()] = Math.max(fixedAp(oracle, ErrorOracle.Variant.fixing(e)) - ap, 0);
        }
        double[] special = {
            fixedAp(oracle, ErrorOracle.Variant.FALSE_POS) - ap, fixedAp(oracle, ErrorOracle.Variant.FALSE_NEG) - ap
        };
        TideResult result = new TideResult(params, ap, main, special, in.classIds, categoryCounts(in, out), in.warnings);
        long t4 = System.nanoTime();
        result.timings().put("prepare", (t1 - t0) / 1e9);
        result.timings().put("match", (t2 - t1) / 1e9);
        result.timings().put("sort", (t3 - t2) / 1e9);
        result.timings().put("fix", (t4 - t3) / 1e9);
        return result;
    }

    /** A variant's mAP; 0 when it leaves no class (tidecv raises ZeroDivisionError there). */
    private static double fixedAp(ErrorOracle oracle, ErrorOracle.Variant v) {
        double m = oracle.mAp(v);
        return Double.isNaN(m) ? 0 : m;
    }

    private static int[][] categoryCounts(TideInput in, Outcomes out) {
        int[][] n = new int[in.classCount()][TideError.values().length];
        for (int p = 0; p < out.detectionCount(); p++) {
            if (out.error[p] >= 0) {
                n[out.cls[p]][out.error[p]]++;
            }
        }
        for (int g = 0; g < in.gCls.length; g++) {
            if (out.gtMissed[g]) {
                n[in.gCls[g]][TideError.MISS.ordinal()]++;
            }
        }
        return n;
    }
}
