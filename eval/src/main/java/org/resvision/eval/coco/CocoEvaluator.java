package org.resvision.eval.coco;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.DatasetEvaluator;

/**
 * COCO detection evaluation with pycocotools' exact semantics ({@code COCO.loadRes},
 * {@code COCOeval.evaluate/accumulate/summarize}; see shared/fixtures/coco-eval/QUIRKS.md), on
 * primitive arrays and both CPU cores.
 *
 * <p>Batch use: {@link #evaluate(CocoDataset, List, CocoEvalParams)}. Incremental use (the
 * {@link DatasetEvaluator} the models' inference loops drive, or a loop of one's own): {@link #reset()}, {@link #process(long, List)} per image, {@link #evaluate()}
 * (over the processed images only, as detectron2's COCOEvaluator does). Distributed use: each
 * worker's {@link #matching()} (or {@link #match} of its results over its images), then
 * {@link CocoMatching#merge} and {@link CocoMatching#accumulate()}: the whole-set numbers exactly.
 *
 * <p>An instance (the incremental state) is not thread-safe: one thread, or external locking. The
 * static methods keep no state and may run from several threads at once.
 */
public final class CocoEvaluator implements DatasetEvaluator<CocoEvaluator.ImageResults, CocoEvalResult> {

    /**
     * One image's detections, what {@link #process(ImageResults)} takes.
     *
     * @param imageId the COCO image id
     * @param results its detections, any number (none: its ground truth is missed); each must have
     *     {@code imageId} as its image id
     */
    public record ImageResults(long imageId, List<CocoResult> results) {
        /**
         * Checks nothing (the evaluator checks the ids when processing).
         *
         * @param imageId the COCO image id
         * @param results its detections, not null
         */
        public ImageResults {
            java.util.Objects.requireNonNull(results, "results");
        }
    }

    private final CocoDataset gt;
    private final CocoEvalParams params;
    private final List<CocoResult> pending = new ArrayList<>();
    private final Set<Long> processed = new LinkedHashSet<>();

    /**
     * An incremental evaluator of {@code gt} with {@code params}; when the params name no images,
     * {@link #evaluate()} and {@link #matching()} evaluate the images processed.
     *
     * @param gt the ground truth, kept by reference (not copied)
     * @param params the evaluation parameters; with image ids, those images are evaluated whatever
     *     was processed
     */
    public CocoEvaluator(CocoDataset gt, CocoEvalParams params) {
        this.gt = gt;
        this.params = params;
    }

    /** Forgets everything processed so far. */
    @Override
    public void reset() {
        pending.clear();
        processed.clear();
    }

    /**
     * Adds one image's detections (an image with none still counts: its GT are misses).
     * Processing an image again adds its new detections to the earlier ones.
     *
     * @param imageId the COCO image id (checked against the ground truth only when evaluating)
     * @param detections the image's detections, any number (the list is copied, its records kept)
     * @throws CocoEvalException when a detection's image id is not {@code imageId}; nothing is added
     */
    public void process(long imageId, List<CocoResult> detections) throws CocoEvalException {
        for (CocoResult r : detections) {
            if (r.imageId() != imageId) {
                throw new CocoEvalException("a detection of image " + r.imageId() + " was passed for image " + imageId);
            }
        }
        processed.add(imageId);
        pending.addAll(detections);
    }

    /**
     * Adds one image's detections, as {@link #process(long, List)}: the {@link DatasetEvaluator}
     * form, which the models' inference loops drive.
     *
     * @param image the image id and its detections
     * @throws CocoEvalException when a detection's image id is not the image's; nothing is added
     */
    @Override
    public void process(ImageResults image) throws CocoEvalException {
        process(image.imageId(), image.results());
    }

    /**
     * Evaluates what was processed, over the processed images (or the params' images, when they name some).
     * The state is kept: more images may be processed and evaluated again.
     *
     * @return the evaluation, as {@link #evaluate(CocoDataset, List, CocoEvalParams)} gives it; its
     *     params name the evaluated images (every stat -1 when nothing was processed and the params
     *     name no images)
     * @throws CocoEvalException a processed image id the ground truth lacks, malformed detections or
     *     ground truth ({@link CocoEvalException#inGroundTruth()} says which)
     */
    @Override
    public CocoEvalResult evaluate() throws CocoEvalException {
        return evaluate(gt, pending, processedParams());
    }

    /**
     * The matching of what was processed, over the processed images (or the params' images, when
     * they name some): {@link #evaluate()} is its {@link CocoMatching#accumulate()}. Workers that
     * processed disjoint images (params naming no images) give matchings that
     * {@link CocoMatching#merge} into the whole set's, exactly; an image processed by two workers is
     * refused there.
     *
     * @return a new matching, independent of this evaluator's later state
     * @throws CocoEvalException as {@link #evaluate()}
     */
    public CocoMatching matching() throws CocoEvalException {
        return match(gt, null, pending, processedParams());
    }

    private CocoEvalParams processedParams() {
        long[] ids = processed.stream().mapToLong(Long::longValue).toArray();
        return params.imageIds() == null ? params.withImageIds(ids) : params;
    }

    /**
     * Evaluates {@code results} against {@code gt} (pycocotools' loadRes + evaluate + accumulate + summarize).
     * For segm, the ground truth's masks are rasterised first ({@link GroundTruthMasks#of}).
     *
     * @param gt the ground truth
     * @param results the detections of every image, in file order (the order breaks score ties)
     * @param params the parameters ({@link CocoEvalParams#defaults} for pycocotools')
     * @return the result, with the warnings and phase times filled in
     * @throws CocoEvalException a detection of an image the ground truth lacks, an image id in
     *     {@code params} it lacks, results mixing detections with and without a bbox, a detection
     *     without bbox or segmentation, a ground-truth annotation without the bbox, segmentation or
     *     area the evaluation needs or with a negative box width or height, a malformed mask;
     *     {@link CocoEvalException#inGroundTruth()} says which input
     */
    public static CocoEvalResult evaluate(CocoDataset gt, List<CocoResult> results, CocoEvalParams params)
            throws CocoEvalException {
        return evaluate(gt, null, results, params);
    }

    /**
     * As {@link #evaluate(CocoDataset, List, CocoEvalParams)}, with the ground truth's masks
     * already made (segm), so that several evaluations share them.
     *
     * @param masks the ground truth and its masks; not null, as it supplies the ground truth
     *     ({@link GroundTruthMasks#none} for a bbox evaluation; with it, a segm evaluation makes the
     *     masks itself)
     * @param results the detections of every image, in file order
     * @param params the parameters
     * @return the result, with the warnings and phase times filled in
     * @throws CocoEvalException as {@link #evaluate(CocoDataset, List, CocoEvalParams)}
     */
    public static CocoEvalResult evaluate(GroundTruthMasks masks, List<CocoResult> results, CocoEvalParams params)
            throws CocoEvalException {
        return evaluate(masks.dataset(), masks, results, params);
    }

    private static CocoEvalResult evaluate(
            CocoDataset gt, GroundTruthMasks masks, List<CocoResult> results, CocoEvalParams params)
            throws CocoEvalException {
        return accumulate(match(gt, masks, results, params, null, false)); // the matching is not handed out: no outcomes
    }

    /**
     * A matching's evaluation result, as {@link #evaluate(CocoDataset, List, CocoEvalParams)}
     * gives it: {@link CocoMatching#accumulate()} with the matching's warnings and phase times
     * (and "accumulate"); for a matching made by {@link #match} or {@link CocoMatching#merge}.
     *
     * @param matching the matching; only read
     * @return a new result
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
     *
     * @param gt the ground truth
     * @param masks {@code gt}'s masks made beforehand ({@link GroundTruthMasks#of}), or null or
     *     {@link GroundTruthMasks#none}: a segm matching then makes them itself
     * @param results the detections of every image, in file order
     * @param params the parameters
     * @return the matching, its phase times ("prepare", "evaluate") filled in
     * @throws CocoEvalException as {@link #evaluate(CocoDataset, List, CocoEvalParams)}
     */
    public static CocoMatching match(CocoDataset gt, GroundTruthMasks masks, List<CocoResult> results,
            CocoEvalParams params) throws CocoEvalException {
        return match(gt, masks, results, params, null);
    }

    /**
     * As {@link #match(CocoDataset, GroundTruthMasks, List, CocoEvalParams)}, with the IoU matrices
     * (boxes; masks stay on the host) and the matching computed by DJL on {@code device} (null: this
     * host's Java code). The matching, and so every number after it, is the same bit for bit.
     *
     * @param gt the ground truth
     * @param masks {@code gt}'s masks made beforehand, or null
     * @param results the detections of every image, in file order
     * @param params the parameters
     * @param device the DJL device for the box IoU and matching work, or null for the host's Java
     *     code; the arrays made there are freed before this returns
     * @return the matching, its phase times ("prepare", "evaluate") filled in
     * @throws CocoEvalException as {@link #evaluate(CocoDataset, List, CocoEvalParams)}
     */
    public static CocoMatching match(CocoDataset gt, GroundTruthMasks masks, List<CocoResult> results,
            CocoEvalParams params, ai.djl.Device device) throws CocoEvalException {
        return match(gt, masks, results, params, device, true);
    }

    /**
     * As {@link #match(CocoDataset, GroundTruthMasks, List, CocoEvalParams, ai.djl.Device)}, saying
     * whether the per-detection outcomes ({@link CocoMatching#status}, {@link
     * CocoMatching#matchedGroundTruth}: what diagnostics read) are kept as the matching goes. Without
     * them the matching takes 5 bytes less a detection and IoU threshold (18 MB at val2017 scale)
     * and writes less; the first call that reads one matches every image again to make them.
     *
     * @param gt the ground truth
     * @param masks {@code gt}'s masks made beforehand, or null
     * @param results the detections of every image, in file order
     * @param params the parameters
     * @param device the DJL device for the box IoU and matching work, or null for the host's Java code
     * @param outcomes whether to keep the per-detection outcomes now (true: as the other overloads)
     * @return the matching, its phase times ("prepare", "evaluate") filled in
     * @throws CocoEvalException as {@link #evaluate(CocoDataset, List, CocoEvalParams)}
     */
    public static CocoMatching match(CocoDataset gt, GroundTruthMasks masks, List<CocoResult> results,
            CocoEvalParams params, ai.djl.Device device, boolean outcomes) throws CocoEvalException {
        long t0 = System.nanoTime();
        CocoMatching m = new CocoMatching(gt, masks, results, params);
        m.keepOutcomes = outcomes;
        long t1 = System.nanoTime();
        m.evaluateCells(device);
        long t2 = System.nanoTime();
        m.timings.put("prepare", (t1 - t0) / 1e9);
        m.timings.put("evaluate", (t2 - t1) / 1e9);
        return m;
    }

}
