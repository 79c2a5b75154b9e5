package org.resvision.eval.coco;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoResult;

/**
 * COCO detection evaluation with pycocotools' exact semantics ({@code COCO.loadRes},
 * {@code COCOeval.evaluate/accumulate/summarize}; see shared/fixtures/coco-eval/QUIRKS.md), on
 * primitive arrays and both CPU cores.
 *
 * <p>Batch use: {@link #evaluate(CocoDataset, List, CocoEvalParams)}. Incremental use from a
 * training loop: {@link #reset()}, {@link #process(long, List)} per image, {@link #evaluate()}
 * (over the processed images only, as detectron2's COCOEvaluator does). Distributed use: each
 * worker's {@link #matching()} (or {@link #match} of its results over its images), then
 * {@link CocoMatching#merge} and {@link CocoMatching#accumulate()}: the whole-set numbers exactly.
 *
 * <p>An instance (the incremental state) is not thread-safe: one thread, or external locking. The
 * static methods keep no state and may run from several threads at once.
 */
public final class CocoEvaluator {


    private final CocoDataset gt;
    private final CocoEvalParams params;
    private final List<CocoResult> pending = new ArrayList<>();
    private final Set<Long> processed = new LinkedHashSet<>();

    /**
     * An incremental evaluator of {@code gt} with {@code params}; when the params name no images,
     * {@link #evaluate()} and {@link #matching()} evaluate the images processed.
     */
    public CocoEvaluator(CocoDataset gt, CocoEvalParams params) {
        this.gt = gt;
        this.params = params;
    }

    /** Forgets everything processed so far. */
    public void reset() {
        pending.clear();
        processed.clear();
    }

    /** Adds one image's detections (an image with none still counts: its GT are misses). */
    public void process(long imageId, List<CocoResult> detections) throws CocoEvalException {
        for (CocoResult r : detections) {
            if (r.imageId() != imageId) {
                throw new CocoEvalException("a detection of image " + r.imageId() + " was passed for image " + imageId);
            }
        }
        processed.add(imageId);
        pending.addAll(detections);
    }

    /** Evaluates what was processed, over the processed images (or the params' images, when they name some). */
    public CocoEvalResult evaluate() throws CocoEvalException {
        return evaluate(gt, pending, processedParams());
    }

    /**
     * The matching of what was processed, over the processed images (or the params' images, when
     * they name some): {@link #evaluate()} is its {@link CocoMatching#accumulate()}. Workers that
     * processed disjoint images (params naming no images) give matchings that
     * {@link CocoMatching#merge} into the whole set's, exactly; an image processed by two workers is
     * refused there.
     */
    public CocoMatching matching() throws CocoEvalException {
        return match(gt, null, pending, processedParams());
    }

    private CocoEvalParams processedParams() {
        long[] ids = processed.stream().mapToLong(Long::longValue).toArray();
        return params.imageIds() == null ? params.withImageIds(ids) : params;
    }

    /** Evaluates {@code results} against {@code gt} (pycocotools' loadRes + evaluate + accumulate + summarize). */
    public static CocoEvalResult evaluate(CocoDataset gt, List<CocoResult> results, CocoEvalParams params)
            throws CocoEvalException {
        return evaluate(gt, null, results, params);
    }

    /**
     * As {@link #evaluate(CocoDataset, List, CocoEvalParams)}, with the ground truth's masks
     * already made (segm); {@code masks} may be null.
     */
    public static CocoEvalResult evaluate(GroundTruthMasks masks, List<CocoResult> results, CocoEvalParams params)
            throws CocoEvalException {
        return evaluate(masks.dataset(), masks, results, params);
    }

    private static CocoEvalResult evaluate(
            CocoDataset gt, GroundTruthMasks masks, List<CocoResult> results, CocoEvalParams params)
            throws CocoEvalException {
        return accumulate(match(gt, masks, results, params));
    }

    /**
     * A matching's evaluation result, as {@link #evaluate(CocoDataset, List, CocoEvalParams)}
     * gives it: {@link CocoMatching#accumulate()} with the matching's warnings and phase times
     * (and "accumulate"); for a matching made by {@link #match} or {@link CocoMatching#merge}.
     */
    public static CocoEvalResult accumulate(CocoMatching matching) {
        long t0 = System.nanoTime();
        CocoEvalResult result = matching.accumulate();
        result.warnings().addAll(matching.warnings());
        result.timings().putAll(matching.timings());
        result.timings().put("accumulate", (System.nanoTime() - t0) / 1e9);
        return result;
    }

    /**
     * The matching half of {@link #evaluate(CocoDataset, List, CocoEvalParams)}
     * ({@code loadRes} + {@code evaluate}), for diagnostics and resampling; its
     * {@link CocoMatching#accumulate()} gives the same result. {@code masks} may be null.
     */
    public static CocoMatching match(CocoDataset gt, GroundTruthMasks masks, List<CocoResult> results,
            CocoEvalParams params) throws CocoEvalException {
        return match(gt, masks, results, params, null);
    }

    /**
     * As {@link #match(CocoDataset, GroundTruthMasks, List, CocoEvalParams)}, with the IoU matrices
     * (boxes; masks stay on the host) and the matching computed by DJL on {@code device} (null: this
     * host's Java code). The matching, and so every number after it, is the same bit for bit.
     */
    public static CocoMatching match(CocoDataset gt, GroundTruthMasks masks, List<CocoResult> results,
            CocoEvalParams params, ai.djl.Device device) throws CocoEvalException {
        long t0 = System.nanoTime();
        CocoMatching m = new CocoMatching(gt, masks, results, params);
        long t1 = System.nanoTime();
        m.evaluateCells(device);
        long t2 = System.nanoTime();
        m.timings.put("prepare", (t1 - t0) / 1e9);
        m.timings.put("evaluate", (t2 - t1) / 1e9);
        return m;
    }

}
