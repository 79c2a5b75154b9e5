package org.resvision.eval.coco;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.coco.CocoResults;
import org.resvision.data.coco.LongIntMap;
import org.resvision.data.coco.Segmentation;
import org.resvision.data.coco.Segmentations;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.MaskRuns;
import org.resvision.data.mask.Rle;
/**
 * The matching half of a COCO evaluation ({@code COCOeval.evaluate}): the ground truth and the
 * detections as pycocotools prepares them, and every detection's match per IoU threshold. It
 * accumulates into a {@link CocoEvalResult} ({@link #accumulate()}), also over a resample of the
 * images ({@link #accumulate(int[])}, for bootstrap intervals), and gives diagnostics the
 * per-detection matches at area range "all".
 *
 * <p>Indices: images {@code i} and categories {@code k} index {@link #imageIds()} and
 * {@link #categoryIds()} (sorted); a ground-truth index {@code g} counts the annotations of
 * evaluated images and categories in file order; a detection index {@code d} is the position in
 * the results list given to {@link CocoEvaluator#match}. The accessors do not check indices: one
 * out of range throws {@link ArrayIndexOutOfBoundsException}, but a threshold index {@code t} out of
 * range in {@link #status} and {@link #matchedGroundTruth} may instead read another detection's entry.
 *
 * <p>Shards of a distributed evaluation (disjoint image sets, the same ground truth and
 * parameters) {@link #merge} into the matching of their concatenated results over the union of
 * their images, whose accumulation is bit for bit the whole-set evaluation's.
 *
 * <p>Immutable once made; safe to read and accumulate from several threads at once (the first
 * weighted accumulation also makes, under a lock, the score order later ones walk). Serializable,
 * for distributed evaluation: a shard matched on a worker, merged where the shards are collected
 * (the score order is not sent; it is remade on first use).
 */
public final class CocoMatching implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** A detection's outcome at one IoU threshold, at area range "all". */
    public enum Status {
        /** Not evaluated: its image or category is not evaluated, or it is past maxDets in its image and category. */
        NOT_EVALUATED,
        /** Matched to a ground truth (counted as a true positive). */
        TRUE_POSITIVE,
        /** Matched to nothing (counted as a false positive). */
        FALSE_POSITIVE,
        /** Matched to a crowd or otherwise ignored ground truth: not counted. */
        IGNORED
    }

    private static final Status[] STATUSES = Status.values();
    static final double EPS = Math.ulp(1.0); // np.spacing(1)
    static final byte TRUTHY = 1; // matched to a GT whose id is not 0 (pycocotools stores ids)
    static final byte IGNORED = 2; // (evaluateCell makes the two bits by value: their values are fixed)

    /** The parameters evaluated with (for a merge, with the union's image ids). */
    final CocoEvalParams p;
    /** True for a segm (mask IoU) evaluation, false for bbox. */
    final boolean segm;
    /** The evaluated image ids, sorted and distinct: image index {@code i} is a position here. */
    final long[] imgIds;
    /** The evaluated category ids, sorted and distinct: category index {@code k} is a position here. */
    final long[] catIds;
    /** The number of evaluated images. */
    final int I;
    /** The number of evaluated categories. */
    final int K;
    /** The number of area ranges. */
    final int A;
    /** The number of IoU thresholds. */
    final int T;
    /** The last (largest) maxDets: detections kept per (category, image) cell, highest scores first. */
    final int maxDet;
    // GT, flattened in file order of the kept annotations
    /** [g]: the annotation id. */
    final long[] gId;
    /** [g]: the annotation's {@code [x, y, w, h]} as read (not copied; null in a segm evaluation without one). */
    final double[][] gBox;
    /** [g]: the annotation's {@code area} field, what the area ranges compare. */
    final double[] gArea;
    /** [g]: the annotation's {@code iscrowd} flag. */
    final boolean[] gCrowd;
    /** [g]: the annotation's mask (segm), null for bbox. */
    final Rle[] gRle;
    /**
     * [c]: cell {@code c = k * I + i}'s ground truth are {@code gOrder[gCellStart[c]]} to
     * {@code gOrder[gCellStart[c + 1] - 1]}; {@code K * I + 1} entries.
     */
    final int[] gCellStart;
    /** Ground-truth indices grouped by cell, in file order within a cell (see {@link #gCellStart}). */
    final int[] gOrder;
    /** [g]: the annotation's position in the ground truth's annotation list (what a merge orders by). */
    final int[] gFile;
    /** The ground truth matched against (what a merge checks the shards share). */
    final CocoDataset gtData;
    // detections (loadRes semantics)
    /** Detections d: the detection arrays below hold them at {@code d < nDet} (some are the results' columns, which may be longer). */
    final int nDet;
    /** [4 d .. 4 d + 3]: detection d's box x, y, w, h (one array: a box object per detection was most of a collection's work). */
    final double[] dBox;
    /** [d]: the detection's area as loadRes sets it: box {@code w * h} for bbox results, else the mask's area. */
    final double[] dArea;
    /** [d]: the detection's score. */
    final double[] dScore;
    /**
     * The results' masks (slot d: detection d's segmentation) where masks are made: in a segm
     * evaluation, and for segmentation-only results (their area and box); otherwise null. In a segm
     * evaluation of bbox results, a detection without a segmentation is its box as loadRes's polygon.
     */
    final Segmentations dSeg;
    /**
     * [d] during {@link #evaluateCells} of a segm evaluation: why detection d's mask is malformed,
     * or null. Masks are decoded where they are matched and not kept (at val2017 scale they were
     * 310 MB of live arrays, most of a segm evaluation's memory and collector time).
     */
    private transient String[] maskProblems;
    /** [c]: cell {@code c}'s detections are {@code dOrder[dCellStart[c]]} to {@code dOrder[dCellStart[c + 1] - 1]}. */
    final int[] dCellStart;
    /** Detection indices grouped by cell, in input order within a cell (see {@link #dCellStart}). */
    final int[] dOrder;
    /** [g]: ground truth g's cell {@code k * I + i}. */
    final int[] gCell;
    /** [d]: detection d's cell {@code k * I + i}, or -1 when its image or category is not evaluated. */
    final int[] dCell;
    /** [d]: the result's image id and category id, as given (evaluated or not). */
    final long[] dImgId;
    /** [d]: the result's category id, as given (see {@link #dImgId}). */
    final long[] dCatId;
    /** loadRes's branch, taken from the first result: true when it has a bbox (meaningless without results). */
    final boolean bboxBranch;
    /** Detections of categories not in the ground truth (one warning line; a merge adds the counts). */
    final Skips dtNoCategory;
    /** The index of the area range labelled "all" (0 when none is). */
    final int allArea;
    /** Records left out, one line per kind: the ground truth's, then the detections'. */
    final List<CocoEvalResult.Warning> warnings = new ArrayList<>();
    /**
     * Seconds per phase ("prepare" and "evaluate", set by {@link CocoEvaluator#match}; for a merge,
     * the shards' sums and "merge").
     */
    final Map<String, Double> timings = new java.util.LinkedHashMap<>();
    /** [c]: cell c's {@code evaluateImg} record, null for a cell with neither ground truth nor detections. */
    CellRecord[] records;
    /** [d * T + t]: the ground-truth index matched at area "all", or -1; null until kept (see {@link #keepOutcomes}). */
    int[] matchAll;
    /** [d * T + t]: {@link Status} ordinal at area "all"; null as {@link #matchAll}. */
    byte[] statusAll;
    /**
     * Whether the matching keeps {@link #matchAll} and {@link #statusAll} (5 bytes a detection and
     * threshold, written as it goes); when false, the first {@link #status} or {@link
     * #matchedGroundTruth} matches every cell again to make them. Set before {@link #evaluateCells}.
     */
    boolean keepOutcomes = true;
    /** Whether {@link #matchAll} and {@link #statusAll} are there to read. */
    private volatile boolean outcomesReady;
    /** Whether the walk applies: no NaN score (no consistent order) and at most 64 IoU thresholds. */
    boolean walkable;
    /** [k]: category k's detections in accumulation order, made by the first weighted accumulate; see {@link #walks()}. */
    private transient volatile Accumulation.Walk[] walks;

    CocoMatching(CocoDataset gt, GroundTruthMasks masks, List<CocoResult> results, CocoEvalParams p) throws CocoEvalException {
        this.p = p;
        this.gtData = gt;
        this.segm = p.iouType() == CocoEvalParams.IouType.SEGM;
        if (segm && (masks == null || !masks.rasterised())) {
            masks = GroundTruthMasks.of(gt); // checks every mask before any is used
        }
        imgIds = p.imageIds() != null
                ? Arrays.stream(p.imageIds()).distinct().sorted().toArray()
                : gt.images().stream().mapToLong(CocoImage::id).distinct().sorted().toArray();
        catIds = p.categoryIds() != null
                ? Arrays.stream(p.categoryIds()).distinct().sorted().toArray()
                : gt.categories().stream().mapToLong(c -> c.id()).distinct().sorted().toArray();
        I = imgIds.length;
        K = catIds.length;
        A = p.areaRanges().length;
        T = p.iouThresholds().length;
        allArea = Math.max(0, Arrays.asList(p.areaLabels()).indexOf("all"));
        maxDet = p.maxDets()[2];
        LongIntMap imgIndex = new LongIntMap(I);
        for (int i = 0; i < I; i++) {
            imgIndex.put(imgIds[i], i);
            CocoImage im = gt.image(imgIds[i]);
            if (im == null) {
                throw new CocoEvalException("image id " + imgIds[i] + " is not in the ground truth");
            }
        }
        LongIntMap catIndex = new LongIntMap(K);
        for (int k = 0; k < K; k++) {
            catIndex.put(catIds[k], k);
        }

        // ground truth: annotations of evaluated images and categories, in file order
        List<CocoAnnotation> anns = gt.annotations();
        int[] cell = new int[anns.size()];
        int n = 0;
        Skips noImage = new Skips("annotations of images not in 'images'", "image");
        Skips noCategory = new Skips("annotations of categories not in 'categories'", "category");
        for (int j = 0; j < anns.size(); j++) {
            CocoAnnotation a = anns.get(j);
            noImage.check(gt.image(a.imageId()) == null, a.imageId());
            noCategory.check(gt.category(a.categoryId()) == null, a.categoryId());
            int i = imgIndex.get(a.imageId());
            int k = catIndex.get(a.categoryId());
            cell[j] = i < 0 || k < 0 ? -1 : k * I + i;
            if (cell[j] >= 0) {
                n++;
            }
        }
        gId = new long[n];
        gBox = new double[n][];
        gArea = new double[n];
        gCrowd = new boolean[n];
        gRle = new Rle[n];
        gCell = new int[n];
        gFile = new int[n];
        int g = 0;
        for (int j = 0; j < anns.size(); j++) {
            if (cell[j] < 0) {
                continue;
            }
            CocoAnnotation a = anns.get(j);
            String problem = a.bbox() == null && !segm ? "has no bbox"
                    : a.segmentation() == null && segm ? "has no segmentation (segm evaluation)"
                    : a.bbox() != null && (a.bbox()[2] < 0 || a.bbox()[3] < 0) ? "bbox " + Arrays.toString(a.bbox()) + " has a negative width or height"
                    : Double.isNaN(a.area()) ? "has no 'area' (evaluation takes the area ranges from it)"
                    : null;
            if (problem != null) {
                throw CocoEvalException.groundTruth("annotation " + a.id() + " (image " + a.imageId() + ") " + problem);
            }
            gId[g] = a.id();
            gBox[g] = a.bbox();
            gArea[g] = a.area();
            gCrowd[g] = a.iscrowd();
            gRle[g] = segm ? masks.get(j) : null;
            gCell[g] = cell[j];
            gFile[g] = j;
            g++;
        }
        int cells = K * I;
        gCellStart = new int[cells + 1];
        gOrder = countingSort(gCell, cells, gCellStart);
        noImage.report(warnings, true);
        noCategory.report(warnings, true);

        // detections, as loadRes makes them (read by column: no record per detection)
        CocoResults res = CocoResults.of(results);
        int nd = res.size();
        nDet = nd;
        bboxBranch = nd > 0 && res.hasBbox(0);
        // the results' columns are read in place (their ~20 MB at val2017 scale not copied): every box
        // is checked below; segmentation-only results get boxes of their own, from the masks
        dBox = bboxBranch ? res.boxColumn() : new double[4 * nd];
        dArea = new double[nd];
        dScore = res.scoreColumn();
        dSeg = segm || !bboxBranch ? res.segmentations() : null;
        dCell = new int[nd];
        dImgId = res.imageIdColumn();
        dCatId = res.categoryIdColumn();
        // segmentation-only results: each mask's area and box (loadRes's) on all cores first; a
        // malformed one is kept and thrown below in detection order, where a sequential loop would
        CocoEvalException[] maskErrors = bboxBranch || dSeg == null ? null : new CocoEvalException[nd];
        if (maskErrors != null) {
            IntStream.range(0, nd).parallel().forEach(d -> {
                CocoImage im = gt.image(res.imageId(d));
                if (im != null && dSeg.has(d)) {
                    try {
                        Rle rle = detectionMask(d, im); // decoded again where matched
                        dArea[d] = rle.area();
                        System.arraycopy(res.hasBbox(d) ? res.bbox(d) : MaskApi.toBbox(rle), 0, dBox, 4 * d, 4);
                    } catch (CocoEvalException e) {
                        maskErrors[d] = e;
                    }
                }
            });
        }
        Skips noCategoryDt = new Skips("detections of categories not in the ground truth", "category");
        // results come grouped by image: the last image's lookups are kept (two hash lookups a detection less);
        // an evaluated category's presence in the ground truth is looked up once
        boolean[] catInGt = new boolean[K];
        for (int k = 0; k < K; k++) {
            catInGt[k] = gt.category(catIds[k]) != null;
        }
        long lastImage = 0;
        int lastI = -2; // -2: none yet
        for (int d = 0; d < nd; d++) {
            long imageId = res.imageId(d);
            long categoryId = res.categoryId(d);
            int k = catIndex.get(categoryId);
            noCategoryDt.check(k >= 0 ? !catInGt[k] : gt.category(categoryId) == null, categoryId);
            if (lastI == -2 || imageId != lastImage) {
                if (gt.image(imageId) == null) {
                    throw new CocoEvalException("detection #" + (d + 1) + " is for image id " + imageId
                            + ", which is not in the ground truth");
                }
                lastImage = imageId;
                lastI = imgIndex.get(imageId);
            }
            if (bboxBranch) {
                if (!res.hasBbox(d)) {
                    throw new CocoEvalException("detection #" + (d + 1) + " has no bbox, but the first one has (mixed results)");
                }
                dArea[d] = dBox[4 * d + 2] * dBox[4 * d + 3];
            } else {
                if (dSeg == null || !dSeg.has(d)) {
                    throw new CocoEvalException("detection #" + (d + 1) + " has neither bbox nor segmentation");
                }
                if (maskErrors[d] != null) {
                    throw maskErrors[d];
                }
            }
            int i = lastI;
            dCell[d] = i < 0 || k < 0 ? -1 : k * I + i;
        }
        dCellStart = new int[cells + 1];
        dOrder = countingSort(dCell, cells, dCellStart);
        noCategoryDt.report(warnings, false);
        dtNoCategory = noCategoryDt;
    }

    /**
     * The matching of several shards' results as one: shards matched against the same ground truth
     * and parameters over disjoint sets of images, merged into the matching of their concatenated
     * results over the union of their images. Its {@link #accumulate()} and {@link #accumulate(int[])}
     * equal, bit for bit, those of
     * {@code CocoEvaluator.match(gt, masks, concat(results of shard 0, shard 1, ...), params.withImageIds(union))}
     * (pycocotools on the concatenated results file, over those images), as every (category, image)
     * cell holds the detections of one shard only, in that shard's order.
     *
     * <p>The intended use, one shard per worker (or per batch of a training loop's {@code process()}):
     * {@code CocoEvaluator.match(gt, masks, shardResults, params.withImageIds(shardImages))}, or
     * {@link CocoEvaluator#matching()}. A shard's image set is its {@link #imageIds()} (the params'
     * image ids, or every GT image when they are null), not the images its results touch: an image
     * without results still counts (its GT are misses).
     *
     * <p>The merged matching is a matching like any other: image and category indices index its
     * {@link #imageIds()} (the sorted union) and {@link #categoryIds()}; ground truth {@code g}
     * counts the evaluated annotations in file order over the union; detection {@code d} is the
     * position in the concatenation (shard 0's results, then shard 1's, ...), so
     * {@link #detectionCount()}, {@link #status}, {@link #matchedGroundTruth}, {@link #iou} and the
     * other accessors read as they would on the concatenated evaluation. {@link #params()} are the
     * shards' with the union as image ids; {@link #warnings()} are the ground truth's (once) and the
     * detections' summed over the shards; {@link #timings()} sum the shards' phases, plus "merge".
     *
     * <p>Refused with an {@link IllegalArgumentException} (one line): no shards; an IoU type,
     * parameter (IoU or recall thresholds, maxDets, area ranges) or evaluated category set that
     * differs; a different ground truth (neither the same {@link CocoDataset} object nor the same
     * images, categories and annotation ids, images, categories, boxes, areas and crowd flags; masks
     * are not compared); an image evaluated by two shards; a shard's detection of an evaluated
     * category on an image another shard evaluates (the concatenated evaluation would count it, the
     * shard dropped it: give each shard exactly its images' results); shards whose first results
     * take different {@code loadRes} branches (one with a bbox, one without: the concatenation would
     * read every result as the first shard's kind). One shard gives an equal matching.
     *
     * <p>Reads the shards only (they stay usable); safe to call from any thread while nothing else
     * writes them (matchings are immutable), and the result is as thread-safe as any matching.
     *
     * @param shards matchings of disjoint image sets against the same ground truth and parameters, in
     *     the order their results are concatenated
     * @return the matching of the union
     * @throws IllegalArgumentException when the shards cannot be merged exactly (see above)
     */
    public static CocoMatching merge(List<CocoMatching> shards) {
        if (shards == null || shards.isEmpty()) {
            throw new IllegalArgumentException("no shards to merge");
        }
        long t0 = System.nanoTime();
        CocoMatching first = shards.get(0);
        Long fingerprint = null;
        int branchShard = -1;
        for (int s = 0; s < shards.size(); s++) {
            CocoMatching m = shards.get(s);
            if (m == null) {
                throw new IllegalArgumentException("shard " + s + " is null");
            }
            String why = parameterDifference(first, m);
            if (why != null) {
                throw new IllegalArgumentException("cannot merge shard " + s + " with shard 0: " + why);
            }
            if (m.gtData != first.gtData) {
                if (fingerprint == null) {
                    fingerprint = fingerprint(first.gtData);
                }
                if (m.gtData.annotations().size() != first.gtData.annotations().size()
                        || m.gtData.images().size() != first.gtData.images().size() || fingerprint(m.gtData) != fingerprint) {
                    throw new IllegalArgumentException("cannot merge shard " + s + " with shard 0: ground truths differ ("
                            + m.gtData.images().size() + " vs " + first.gtData.images().size() + " images, "
                            + m.gtData.annotations().size() + " vs " + first.gtData.annotations().size() + " annotations"
                            + (m.gtData.annotations().size() == first.gtData.annotations().size() ? ", other content" : "") + ")");
                }
            }
            if (m.detectionCount() > 0) {
                if (branchShard >= 0 && shards.get(branchShard).bboxBranch != m.bboxBranch) {
                    CocoMatching b = shards.get(branchShard);
                    throw new IllegalArgumentException("cannot merge shard " + s + " with shard " + branchShard + ": shard " + branchShard
                            + "'s first result has " + (b.bboxBranch ? "a bbox" : "none") + ", shard " + s + "'s " + (m.bboxBranch ? "has one" : "has none")
                            + " (the concatenated results would all be read as the first one's kind)");
                }
                if (branchShard < 0) {
                    branchShard = s;
                }
            }
        }
        // the union of the images, each evaluated by one shard
        Map<Long, Integer> owner = new HashMap<>();
        for (int s = 0; s < shards.size(); s++) {
            for (long id : shards.get(s).imgIds) {
                Integer before = owner.put(id, s);
                if (before != null) {
                    throw new IllegalArgumentException("cannot merge: image id " + id + " is evaluated by shards " + before + " and " + s
                            + " (shards must cover disjoint images)");
                }
            }
        }
        long[] union = owner.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        java.util.Set<Long> categories = new java.util.HashSet<>();
        for (long k : first.catIds) {
            categories.add(k);
        }
        for (int s = 0; s < shards.size(); s++) {
            CocoMatching m = shards.get(s);
            for (int d = 0; d < m.dCell.length; d++) {
                Integer o = m.dCell[d] < 0 ? owner.get(m.dImgId[d]) : null;
                if (o != null && categories.contains(m.dCatId[d])) {
                    throw new IllegalArgumentException("cannot merge: shard " + s + "'s detection #" + (d + 1) + " is for image "
                            + m.dImgId[d] + ", which shard " + o + " evaluates (give each shard only its own images' results)");
                }
            }
        }
        CocoMatching merged = new CocoMatching(shards, union, branchShard >= 0 && shards.get(branchShard).bboxBranch);
        Map<String, Double> timings = merged.timings;
        for (CocoMatching m : shards) {
            m.timings.forEach((k, v) -> timings.merge(k, v, Double::sum));
        }
        timings.put("merge", (System.nanoTime() - t0) / 1e9);
        return merged;
    }

    /** Why two matchings' parameters other than the images differ, or null. */
    private static String parameterDifference(CocoMatching a, CocoMatching b) {
        CocoEvalParams p = a.p;
        CocoEvalParams q = b.p;
        if (p.iouType() != q.iouType()) {
            return "IoU types differ (" + p.iouType() + " vs " + q.iouType() + ")";
        }
        if (!Arrays.equals(p.iouThresholds(), q.iouThresholds()) || !Arrays.equals(p.recallThresholds(), q.recallThresholds())
                || !Arrays.equals(p.maxDets(), q.maxDets()) || !Arrays.deepEquals(p.areaRanges(), q.areaRanges())
                || !Arrays.equals(p.areaLabels(), q.areaLabels())) {
            return "evaluation parameters differ (IoU or recall thresholds, maxDets or area ranges)";
        }
        if (!Arrays.equals(a.catIds, b.catIds)) {
            return "evaluated categories differ (" + b.K + " vs " + a.K + " categories" + (a.K == b.K ? ", other ids" : "") + ")";
        }
        return null;
    }

    /** A hash of what evaluation reads of a ground truth (masks left out). */
    private static long fingerprint(CocoDataset d) {
        long h = 0x9E3779B97F4A7C15L;
        for (CocoImage im : d.images()) {
            h = mix(mix(mix(h, im.id()), im.width()), im.height());
        }
        for (var c : d.categories()) {
            h = mix(h, c.id());
        }
        for (CocoAnnotation a : d.annotations()) {
            h = mix(mix(mix(mix(mix(h, a.id()), a.imageId()), a.categoryId()), Double.doubleToLongBits(a.area())), a.iscrowd() ? 1 : 0);
            if (a.bbox() != null) {
                for (double v : a.bbox()) {
                    h = mix(h, Double.doubleToLongBits(v));
                }
            }
        }
        return h;
    }

    private static long mix(long h, long x) {
        h ^= x + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2);
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 31);
    }

    /** The merge of checked shards over {@code union} (see {@link #merge}). */
    private CocoMatching(List<CocoMatching> shards, long[] union, boolean bboxBranch) {
        CocoMatching first = shards.get(0);
        this.p = first.p.withImageIds(union.clone());
        this.segm = first.segm;
        this.gtData = first.gtData;
        this.bboxBranch = bboxBranch;
        imgIds = union;
        catIds = first.catIds;
        I = union.length;
        K = first.K;
        A = first.A;
        T = first.T;
        maxDet = first.maxDet;
        allArea = first.allArea;
        Map<Long, Integer> imgIndex = new HashMap<>(I * 2);
        for (int i = 0; i < I; i++) {
            imgIndex.put(imgIds[i], i);
        }
        int S = shards.size();
        // [s][i_s]: the union's index of shard s's image i_s
        int[][] toUnion = new int[S][];
        int n = 0;
        int nd = 0;
        for (int s = 0; s < S; s++) {
            CocoMatching m = shards.get(s);
            toUnion[s] = new int[m.I];
            for (int i = 0; i < m.I; i++) {
                toUnion[s][i] = imgIndex.get(m.imgIds[i]);
            }
            n += m.gId.length;
            nd += m.nDet;
        }
        // ground truth: every shard's, in file order (the image sets are disjoint, so are the annotations)
        long[] key = new long[n]; // [x]: the file position of the x-th annotation of the shards, in shard order
        int[][] gToMerged = new int[S][];
        int[] gShard = new int[n];
        int[] gLocal = new int[n];
        Integer[] byFile = new Integer[n];
        for (int s = 0, x = 0; s < S; s++) {
            CocoMatching m = shards.get(s);
            gToMerged[s] = new int[m.gId.length];
            for (int g = 0; g < m.gId.length; g++, x++) {
                gShard[x] = s;
                gLocal[x] = g;
                key[x] = m.gFile[g];
                byFile[x] = x;
            }
        }
        Arrays.sort(byFile, (x, y) -> Long.compare(key[x], key[y]));
        gId = new long[n];
        gBox = new double[n][];
        gArea = new double[n];
        gCrowd = new boolean[n];
        gRle = new Rle[n];
        gCell = new int[n];
        gFile = new int[n];
        for (int g = 0; g < n; g++) {
            int x = byFile[g];
            CocoMatching m = shards.get(gShard[x]);
            int l = gLocal[x];
            gToMerged[gShard[x]][l] = g;
            gId[g] = m.gId[l];
            gBox[g] = m.gBox[l];
            gArea[g] = m.gArea[l];
            gCrowd[g] = m.gCrowd[l];
            gRle[g] = m.gRle[l];
            gFile[g] = m.gFile[l];
            gCell[g] = (m.gCell[l] / m.I) * I + toUnion[gShard[x]][m.gCell[l] % m.I];
        }
        int cells = K * I;
        gCellStart = new int[cells + 1];
        gOrder = countingSort(gCell, cells, gCellStart);
        // detections: the concatenation
        nDet = nd;
        dBox = new double[4 * nd];
        dArea = new double[nd];
        dScore = new double[nd];
        List<Segmentations> segs = new ArrayList<>(S);
        int[] sizes = new int[S];
        for (int s = 0; s < S; s++) {
            segs.add(shards.get(s).dSeg);
            sizes[s] = shards.get(s).nDet;
        }
        dSeg = Segmentations.concat(segs, sizes);
        dCell = new int[nd];
        dImgId = new long[nd];
        dCatId = new long[nd];
        matchAll = new int[nd * T];
        statusAll = new byte[nd * T];
        outcomesReady = true;
        records = new CellRecord[cells];
        boolean walk = true;
        dtNoCategory = new Skips(first.dtNoCategory.what, first.dtNoCategory.idName);
        for (int s = 0, off = 0; s < S; s++) {
            CocoMatching m = shards.get(s);
            int md = m.nDet;
            m.ensureOutcomes();
            System.arraycopy(m.dBox, 0, dBox, 4 * off, 4 * md);
            System.arraycopy(m.dArea, 0, dArea, off, md);
            System.arraycopy(m.dScore, 0, dScore, off, md);
            System.arraycopy(m.dImgId, 0, dImgId, off, md);
            System.arraycopy(m.dCatId, 0, dCatId, off, md);
            System.arraycopy(m.statusAll, 0, statusAll, off * T, md * T);
            for (int d = 0; d < md; d++) {
                int c = m.dCell[d];
                dCell[off + d] = c < 0 ? -1 : (c / m.I) * I + toUnion[s][c % m.I];
            }
            for (int j = 0; j < md * T; j++) {
                int g = m.matchAll[j];
                matchAll[off * T + j] = g < 0 ? -1 : gToMerged[s][g];
            }
            for (int c = 0; c < m.records.length; c++) {
                if (m.records[c] != null) {
                    records[(c / m.I) * I + toUnion[s][c % m.I]] = m.records[c];
                }
            }
            walk &= m.walkable;
            if (m.dtNoCategory.count > 0) {
                if (dtNoCategory.count == 0) {
                    dtNoCategory.firstId = m.dtNoCategory.firstId;
                }
                dtNoCategory.count += m.dtNoCategory.count;
            }
            off += md;
        }
        dCellStart = new int[cells + 1];
        dOrder = countingSort(dCell, cells, dCellStart);
        walkable = walk;
        for (CocoEvalResult.Warning w : first.warnings) {
            if (w.inGroundTruth()) {
                warnings.add(w);
            }
        }
        dtNoCategory.report(warnings, false);
    }

    /** Detection d's mask in image im (its segmentation, or its box as loadRes's polygon); a malformed one named. */
    private Rle detectionMask(int d, CocoImage im) throws CocoEvalException {
        try {
            return dSeg != null && dSeg.has(d) ? GroundTruthMasks.mask(dSeg, d, im) : GroundTruthMasks.mask(boxPolygon(d), im);
        } catch (IllegalArgumentException e) {
            throw new CocoEvalException(maskProblem(d, im, e.getMessage()));
        }
    }

    /** {@link #detectionMask(int, CocoImage)} as the runs an IoU reads (a packed RLE decoded straight into them). */
    private MaskRuns detectionRuns(int d, CocoImage im) throws CocoEvalException {
        try {
            return dSeg != null && dSeg.has(d) ? GroundTruthMasks.maskRuns(dSeg, d, im) : MaskRuns.of(GroundTruthMasks.mask(boxPolygon(d), im));
        } catch (IllegalArgumentException e) {
            throw new CocoEvalException(maskProblem(d, im, e.getMessage()));
        }
    }

    /** Detection d's box as the polygon loadRes gives a bbox result without a segmentation. */
    private Segmentation boxPolygon(int d) {
        double x = dBox[4 * d];
        double y = dBox[4 * d + 1];
        double w = dBox[4 * d + 2];
        double h = dBox[4 * d + 3];
        return new Segmentation.Polygons(new double[][] {{x, y, x, y + h, x + w, y + h, x + w, y}});
    }

    /** A malformed mask's message, naming the detection (1-based, in input order) and its image. */
    private static String maskProblem(int d, CocoImage im, String problem) {
        return "detection #" + (d + 1) + " (image " + im.id() + "): " + problem;
    }

    /** Indices grouped by cell (stable), with {@code start[c]..start[c+1]} per cell; -1 cells dropped. */
    private static int[] countingSort(int[] cellOf, int cells, int[] start) {
        for (int c : cellOf) {
            if (c >= 0) {
                start[c + 1]++;
            }
        }
        for (int c = 0; c < cells; c++) {
            start[c + 1] += start[c];
        }
        int[] pos = Arrays.copyOf(start, cells);
        int[] order = new int[start[cells]];
        for (int j = 0; j < cellOf.length; j++) {
            if (cellOf[j] >= 0) {
                order[pos[cellOf[j]]++] = j;
            }
        }
        return order;
    }

    void evaluateCells() throws CocoEvalException {
        evaluateCells(null);
    }

    /** The matching of every cell: on this host's cores, or with {@code device} null, or with DJL on it ({@link DeviceMatching}). */
    void evaluateCells(ai.djl.Device device) throws CocoEvalException {
        int cells = K * I;
        records = new CellRecord[cells];
        if (keepOutcomes) {
            newOutcomes();
        }
        int[] busy = busyCells();
        java.util.function.IntFunction<CellRecord> slot = recordPools(busy);
        if (segm) {
            maskProblems = new String[nDet];
        }
        if (device == null) {
            IntStream.range(0, busy.length).parallel().forEach(b -> records[busy[b]] = evaluateCell(busy[b], slot.apply(b)));
        } else {
            DeviceMatching.evaluate(this, device, busy, slot);
        }
        if (segm) {
            // every evaluated detection's mask is checked, those past maxDet in their cell (never matched) too
            IntStream.range(0, cells).parallel().filter(c -> dCellStart[c + 1] - dCellStart[c] > maxDet).forEach(c -> {
                for (int j = dCellStart[c]; j < dCellStart[c + 1]; j++) {
                    checkMask(dOrder[j]);
                }
            });
            String[] problems = maskProblems;
            maskProblems = null;
            for (String problem : problems) {
                if (problem != null) {
                    throw new CocoEvalException(problem); // the first detection's, whatever the threads' order
                }
            }
        }
        walkable = T <= 64 && Arrays.stream(dScore, 0, nDet).noneMatch(Double::isNaN);
        outcomesReady = keepOutcomes;
    }

    /** The cells with ground truth or detections, ascending. */
    private int[] busyCells() {
        return IntStream.range(0, K * I)
                .filter(c -> gCellStart[c + 1] > gCellStart[c] || dCellStart[c + 1] > dCellStart[c])
                .toArray();
    }

    /**
     * New pools for the records of the cells {@code busy} (their detection slots in cell order);
     * the function gives the record of {@code busy[b]}.
     */
    private java.util.function.IntFunction<CellRecord> recordPools(int[] busy) {
        int[] at = new int[busy.length];
        int slots = 0;
        for (int b = 0; b < busy.length; b++) {
            at[b] = slots;
            slots += Math.min(dCellStart[busy[b] + 1] - dCellStart[busy[b]], maxDet);
        }
        int words = CellRecord.flagWords(T);
        if ((long) slots * A * words > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(slots + " detections x " + A + " area ranges x " + T + " thresholds: more flags than one array holds");
        }
        double[] poolScores = new double[slots];
        long[] poolFlags = new long[slots * A * words];
        int[] poolNpig = new int[busy.length * A];
        return b -> new CellRecord(
                Math.min(dCellStart[busy[b] + 1] - dCellStart[busy[b]], maxDet), poolScores, poolFlags, poolNpig, at[b], b * A, A, T);
    }

    /** Empty per-detection outcomes (every detection not evaluated, no match) for the matching to fill. */
    private void newOutcomes() {
        matchAll = new int[nDet * T];
        Arrays.fill(matchAll, -1);
        statusAll = new byte[nDet * T];
    }

    /**
     * The per-detection outcomes of a matching made without them ({@link #keepOutcomes} false):
     * every cell matched again (the same matching, so the same outcomes), its records dropped.
     */
    private void ensureOutcomes() {
        if (!outcomesReady) {
            synchronized (this) {
                if (!outcomesReady) {
                    int[] busy = busyCells();
                    java.util.function.IntFunction<CellRecord> slot = recordPools(busy);
                    newOutcomes();
                    IntStream.range(0, busy.length).parallel().forEach(b -> evaluateCell(busy[b], slot.apply(b)));
                    outcomesReady = true;
                }
            }
        }
    }

    /** Per-thread scratch of {@link #evaluateCell}: grown as needed, never shrunk. */
    private static final class Scratch {
        boolean[] ig = new boolean[0];
        int[] order = new int[0];
        boolean[] matched = new boolean[0];
        boolean[] crowd = new boolean[0];
        int[] match = new int[0];
        int[] cand = new int[0];
        int[] candCount = new int[0];
        int[] ds = new int[0];
        double[] keys = new double[0];
        int[] gs = new int[0];
        double[] ious = new double[0];

        /** Room for a cell of {@code n} detections (before the maxDet cut) and {@code G} ground truths. */
        void ensureCell(int n, int G) {
            if (ds.length < n) {
                ds = new int[Math.max(n, 2 * ds.length)];
                keys = new double[ds.length];
            }
            if (gs.length < G) {
                gs = new int[Math.max(G, 2 * gs.length)];
            }
        }

        /** The IoU buffer, {@code n} long at least. */
        double[] ious(int n) {
            if (ious.length < n) {
                ious = new double[Math.max(n, 2 * ious.length)];
            }
            return ious;
        }

        void ensure(int areasTimesG, int G, int matches, int D) {
            if (ig.length < areasTimesG) {
                ig = new boolean[areasTimesG];
                order = new int[areasTimesG];
            }
            if (matched.length < G) {
                matched = new boolean[G];
                crowd = new boolean[G];
            }
            if (match.length < matches) {
                match = new int[matches];
            }
            if (cand.length < D * G) {
                cand = new int[D * G];
            }
            if (candCount.length < D) {
                candCount = new int[D];
            }
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * computeIoU + evaluateImg for every area range of one (category, image), into {@code rec}, a
     * record of the cell's (cut) detection count. Area ranges that ignore the same ground truth
     * (most do: with one ground truth there are two kinds, "in range" and "out of range") share
     * one greedy matching, which depends on nothing else; only the unmatched detections' own area
     * test differs between them. A cell without ground truth has no matching at all.
     */
    CellRecord evaluateCell(int c, CellRecord rec) {
        int g0 = gCellStart[c];
        int G = gCellStart[c + 1] - g0;
        Scratch s = SCRATCH.get();
        s.ensureCell(dCellStart[c + 1] - dCellStart[c], G);
        int[] ds = s.ds; // [0, D): the cell's detections in score order, cut to maxDet
        int D = sortedDets(c, ds, s.keys);
        for (int d = 0; d < D; d++) {
            rec.setScore(d, dScore[ds[d]]);
        }
        double[][] ranges = p.areaRanges();
        if (G == 0) { // every detection unmatched: ignored where its own area is out of range
            for (int d = 0; segm && d < D; d++) {
                checkMask(ds[d]); // not matched, but checked as every evaluated mask is
            }
            for (int a = 0; a < A; a++) {
                rec.setNpig(a, 0);
                for (int d = 0; d < D; d++) {
                    double area = dArea[ds[d]];
                    byte f = area < ranges[a][0] || area > ranges[a][1] ? IGNORED : 0;
                    if (f != 0 && T <= 64) { // (the pool's flags start cleared)
                        rec.setBits(a, d, 0, T == 64 ? -1L : (1L << T) - 1);
                    } else if (f != 0) {
                        for (int t = 0; t < T; t++) {
                            rec.setFlag(a, d, t, f);
                        }
                    }
                    if (a == allArea && statusAll != null) {
                        byte st = (byte) (f != 0 ? Status.IGNORED.ordinal() : Status.FALSE_POSITIVE.ordinal());
                        Arrays.fill(statusAll, ds[d] * T, ds[d] * T + T, st); // matchAll stays -1
                    }
                }
            }
            return rec;
        }
        int[] gs = s.gs; // [0, G): the cell's ground truth
        System.arraycopy(gOrder, g0, gs, 0, G);
        double[] ious = D == 0 ? null : cellIous(ds, D, gs, G, s); // [d * G + j]
        s.ensure(A * G, G, A * D * T, D);
        boolean[] igs = s.ig;
        int[] orders = s.order;
        boolean[] crowd = s.crowd;
        int[] match = s.match; // [(a * D + d) * T + t]: the local GT index matched, or -1
        for (int j = 0; j < G; j++) {
            crowd[j] = gCrowd[gs[j]];
        }
        for (int a = 0; a < A; a++) {
            double lo = ranges[a][0];
            double hi = ranges[a][1];
            int io = a * G;
            int o = 0;
            for (int j = 0; j < G; j++) {
                boolean ignored = ignored(gs[j], lo, hi);
                igs[io + j] = ignored;
                if (!ignored) {
                    orders[io + o++] = j;
                }
            }
            rec.setNpig(a, o);
            for (int j = 0; j < G; j++) {
                if (igs[io + j]) {
                    orders[io + o++] = j;
                }
            }
            if (D == 0) {
                continue;
            }
            int same = a; // an earlier area range ignoring the same ground truth: its matching is this one's
            for (int b = 0; b < a && same == a; b++) {
                if (Arrays.equals(igs, b * G, b * G + G, igs, io, io + G)) {
                    same = b;
                }
            }
            if (same == a) {
                greedyMatch(ious, D, G, crowd, igs, io, orders, s, a * D * T);
            }
            int mo = same * D * T;
            for (int d = 0; d < D; d++) {
                double area = dArea[ds[d]];
                boolean outOfRange = area < lo || area > hi;
                long truthyBits = 0;
                long ignoredBits = 0;
                for (int t = 0; t < T; t++) {
                    int m = match[mo + d * T + t];
                    byte f = 0;
                    if (m != -1) {
                        if (gId[gs[m]] != 0) {
                            f |= TRUTHY;
                        }
                        if (igs[io + m]) {
                            f |= IGNORED;
                        }
                    }
                    if ((f & TRUTHY) == 0 && outOfRange) {
                        f |= IGNORED;
                    }
                    if (T <= 64) {
                        truthyBits |= (long) (f & TRUTHY) << t;
                        ignoredBits |= (long) (f >> 1) << t;
                    } else {
                        rec.setFlag(a, d, t, f);
                    }
                    if (a == allArea && statusAll != null) {
                        int k = ds[d] * T + t;
                        matchAll[k] = m < 0 ? -1 : gs[m];
                        statusAll[k] = (byte) ((f & IGNORED) != 0 ? Status.IGNORED.ordinal()
                                : (f & TRUTHY) != 0 ? Status.TRUE_POSITIVE.ordinal() : Status.FALSE_POSITIVE.ordinal());
                    }
                }
                if (T <= 64) {
                    rec.setBits(a, d, truthyBits, ignoredBits);
                }
            }
        }
        return rec;
    }

    /**
     * evaluateImg's greedy matching at every IoU threshold for one area range: detections in score
     * order take the best available ground truth ({@code >=} the threshold, the last of equal IoUs),
     * non-ignored ground truth first (ignored ones only while nothing non-ignored matched), crowds
     * re-matchable. Writes the local GT index or -1 to {@code match[out + d * T + t]}.
     *
     * <p>Each detection looks only at its candidates: the ground truth, in the area's order, whose
     * IoU is not below the lowest threshold (a NaN IoU included, as evaluateImg's {@code <} test
     * lets it through). The others are never taken at any threshold, and skipping them moves no
     * break: the break comes at the first ignored ground truth after a non-ignored match, and every
     * later one is ignored too, so it comes at the next ignored candidate instead, with the same
     * match. In crowded cells (many objects of a class in an image) most pairs do not overlap.
     */
    private void greedyMatch(double[] ious, int D, int G, boolean[] crowd, boolean[] igs, int io, int[] orders, Scratch s, int out) {
        double[] thrs = p.iouThresholds();
        double lowest = lowestThreshold();
        int[] cand = s.cand; // [d * G + k]: detection d's k-th candidate
        int[] count = s.candCount;
        for (int d = 0; d < D; d++) {
            int row = d * G;
            int n = 0;
            for (int oi = 0; oi < G; oi++) {
                int j = orders[io + oi];
                if (!(ious[row + j] < lowest)) {
                    cand[row + n++] = j;
                }
            }
            count[d] = n;
        }
        boolean[] gtMatched = s.matched;
        int[] match = s.match;
        for (int t = 0; t < T; t++) {
            Arrays.fill(gtMatched, 0, G, false);
            double thr = Math.min(thrs[t], 1 - 1e-10);
            for (int d = 0; d < D; d++) {
                double best = thr;
                int m = -1;
                int row = d * G;
                for (int k = 0, n = count[d]; k < n; k++) {
                    int j = cand[row + k];
                    if (gtMatched[j] && !crowd[j]) {
                        continue;
                    }
                    if (m > -1 && !igs[io + m] && igs[io + j]) {
                        break;
                    }
                    if (ious[row + j] < best) {
                        continue;
                    }
                    best = ious[row + j];
                    m = j;
                }
                if (m != -1) {
                    gtMatched[m] = true;
                }
                match[out + d * T + t] = m;
            }
        }
    }

    /**
     * {@link #sortedDets(int)} into {@code out} (room for the cell's detections), with {@code keys}
     * as room for their scores: a cell of up to 32 detections without NaN is sorted in place (an
     * insertion sort, stable as the merge sort: equal scores keep their input order), larger ones
     * and NaN as there.
     *
     * @return how many of {@code out} hold detections (at most maxDet)
     */
    private int sortedDets(int c, int[] out, double[] keys) {
        int from = dCellStart[c];
        int n = dCellStart[c + 1] - from;
        boolean nan = false;
        for (int j = 0; j < n; j++) {
            keys[j] = dScore[dOrder[from + j]];
            nan |= Double.isNaN(keys[j]);
        }
        if (nan || n > 32) {
            int[] sorted = sortedDets(c);
            System.arraycopy(sorted, 0, out, 0, sorted.length);
            return sorted.length;
        }
        for (int j = 0; j < n; j++) {
            double k = keys[j];
            int i = j - 1;
            for (; i >= 0 && keys[i] < k; i--) { // (0.0 and -0.0 tie, as in numpy)
                keys[i + 1] = keys[i];
                out[i + 1] = out[i];
            }
            keys[i + 1] = k;
            out[i + 1] = dOrder[from + j];
        }
        return Math.min(n, maxDet);
    }

    /** The cell's detections by score, highest first (stable: file order breaks ties), cut to maxDets. */
    int[] sortedDets(int c) {
        int from = dCellStart[c];
        int n = dCellStart[c + 1] - from;
        if (n <= 1) { // most cells: nothing to order
            return n == 0 ? new int[0] : new int[] {dOrder[from]};
        }
        double[] keys = new double[n];
        boolean nan = false;
        for (int j = 0; j < n; j++) {
            keys[j] = dScore[dOrder[from + j]];
            nan |= Double.isNaN(keys[j]);
        }
        if (!nan) { // a strict weak order: every stable sort gives this
            int[] o = StableSort.descending(keys);
            int keep = Math.min(n, maxDet);
            int[] out = new int[keep];
            for (int j = 0; j < keep; j++) {
                out[j] = dOrder[from + o[j]];
            }
            return out;
        }
        Integer[] idx = new Integer[n];
        for (int j = 0; j < n; j++) {
            idx[j] = dOrder[from + j];
        }
        Arrays.sort(idx, (x, y) -> descending(dScore[x], dScore[y])); // TimSort: stable
        int keep = Math.min(n, maxDet);
        int[] out = new int[keep];
        for (int j = 0; j < keep; j++) {
            out[j] = idx[j];
        }
        return out;
    }

    /** Whether ground truth {@code g} is ignored in the area range [lo, hi]: a crowd, or its area outside. */
    boolean ignored(int g, double lo, double hi) {
        return gCrowd[g] || gArea[g] < lo || gArea[g] > hi;
    }

    /**
     * {@link #ious} of detections {@code ds[0, D)} and ground truths {@code gs[0, G)} as one array
     * {@code [d * G + j]}, {@code s}'s buffer; boxes without a box object per pair.
     */
    private double[] cellIous(int[] ds, int D, int[] gs, int G, Scratch s) {
        double[] o = s.ious(D * G);
        if (segm) {
            double[][] m = ious(Arrays.copyOf(ds, D), Arrays.copyOf(gs, G), lowestThreshold());
            for (int d = 0; d < D; d++) {
                System.arraycopy(m[d], 0, o, d * G, G);
            }
            return o;
        }
        for (int j = 0; j < G; j++) {
            double[] gb = gBox[gs[j]];
            double ga = gb[2] * gb[3];
            boolean crowd = gCrowd[gs[j]];
            for (int d = 0; d < D; d++) {
                o[d * G + j] = MaskApi.boxIou(dBox, 4 * ds[d], gb, ga, crowd);
            }
        }
        return o;
    }

    double[][] ious(int[] ds, int[] gs) {
        return ious(ds, gs, 0);
    }

    /** The lowest IoU the greedy matching can take at any threshold ({@link #greedyMatch}'s test). */
    private double lowestThreshold() {
        double lowest = Double.POSITIVE_INFINITY;
        for (double t : p.iouThresholds()) {
            lowest = Math.min(lowest, Math.min(t, 1 - 1e-10));
        }
        return lowest;
    }

    /**
     * {@link #ious(int[], int[])}, where a mask pair whose IoU cannot reach {@code floor} (its area
     * ratio says so, {@link MaskRuns#iou(MaskRuns, boolean, double)}) may be 0 instead: the
     * matching takes no pair below its lowest threshold, so its outcome is the same.
     */
    private double[][] ious(int[] ds, int[] gs, double floor) {
        boolean[] crowd = new boolean[gs.length];
        for (int j = 0; j < gs.length; j++) {
            crowd[j] = gCrowd[gs[j]];
        }
        if (!segm) {
            double[][] db = new double[ds.length][];
            for (int d = 0; d < ds.length; d++) {
                db[d] = Arrays.copyOfRange(dBox, 4 * ds[d], 4 * ds[d] + 4);
            }
            double[][] gb = new double[gs.length][];
            for (int j = 0; j < gs.length; j++) {
                gb[j] = gBox[gs[j]];
            }
            return MaskApi.bboxIou(db, gb, crowd);
        }
        // MaskApi.rleIou's values. Every mask has its image's size (checked), so within an image
        // (a cell) the pairs compare directly, without the boxes; across images (iou()) through it
        MaskRuns[] dr = new MaskRuns[ds.length];
        boolean decoded = true;
        for (int d = 0; d < ds.length; d++) {
            dr[d] = decodeRuns(ds[d]);
            decoded &= dr[d] != null;
        }
        double[][] o = new double[ds.length][gs.length];
        if (!decoded || ds.length == 0 || gs.length == 0) {
            return o; // a malformed mask: never used, evaluateCells reports it
        }
        boolean oneSize = true;
        for (int d = 0; d < ds.length; d++) {
            oneSize &= dr[d].height() == dr[0].height() && dr[d].width() == dr[0].width();
        }
        for (int j = 0; j < gs.length; j++) {
            oneSize &= gRle[gs[j]].h() == dr[0].height() && gRle[gs[j]].w() == dr[0].width();
        }
        if (!oneSize) {
            Rle[] dm = new Rle[ds.length];
            Rle[] gm = new Rle[gs.length];
            for (int d = 0; d < ds.length; d++) {
                dm[d] = decodeMask(ds[d]);
            }
            for (int j = 0; j < gs.length; j++) {
                gm[j] = gRle[gs[j]];
            }
            return MaskApi.rleIou(dm, gm, crowd);
        }
        for (int j = 0; j < gs.length; j++) {
            MaskRuns g = MaskRuns.of(gRle[gs[j]]);
            for (int d = 0; d < ds.length; d++) {
                o[d][j] = dr[d].iou(g, crowd[j], floor);
            }
        }
        return o;
    }

    /**
     * {@code COCOeval.accumulate()} + {@code summarize()}: the evaluation's result.
     *
     * @return a new result; its {@link CocoEvalResult#warnings()} and {@link CocoEvalResult#timings()}
     *     are empty ({@link CocoEvaluator#accumulate(CocoMatching)} adds this matching's)
     */
    public CocoEvalResult accumulate() {
        return accumulate(null);
    }

    /**
     * As {@link #accumulate()} over a resample of the images: image {@code i} counts
     * {@code imageWeights[i]} times (0: left out), exactly as if the ground truth and detections
     * held that many copies of it, each copy's records next to the others in image order. For
     * bootstrap intervals; a weight vector of ones gives {@link #accumulate()}'s numbers.
     *
     * @param imageWeights a count per image index (a position in {@link #imageIds()}), each 0 or
     *     more; null gives {@link #accumulate()}
     * @return a new result, warnings and timings empty as for {@link #accumulate()}
     * @throws IllegalArgumentException when there is not one weight per image, or one is negative
     */
    public CocoEvalResult accumulate(int[] imageWeights) {
        return accumulate(imageWeights, false);
    }

    /** {@link #accumulate(int[])}; {@code bySorting}: the reference implementation (for tests). */
    CocoEvalResult accumulate(int[] imageWeights, boolean bySorting) {
        if (imageWeights != null) {
            if (imageWeights.length != I) {
                throw new IllegalArgumentException(imageWeights.length + " image weights for " + I + " images");
            }
            for (int w : imageWeights) {
                if (w < 0) {
                    throw new IllegalArgumentException("negative image weight " + w);
                }
            }
        }
        int R = p.recallThresholds().length;
        int M = 3;
        double[] precision = new double[T * R * K * A * M];
        double[] recall = new double[T * K * A * M];
        Arrays.fill(precision, -1);
        Arrays.fill(recall, -1);
        // one evaluation sorts each category once (pycocotools sorts once per maxDet: the reference,
        // bySorting); resamples walk the order sorted once and kept
        Accumulation.Walk[] w = bySorting ? null : imageWeights == null ? walks : walks();
        boolean once = w == null && !bySorting && walkable && imageWeights == null;
        Accumulation acc = new Accumulation(this);
        IntStream.range(0, K).parallel().forEach(k -> {
            if (once) {
                acc.accumulateCategoryOnce(k, precision, recall, R, M);
            } else if (w == null) {
                acc.accumulateCategoryBySorting(k, imageWeights, precision, recall, R, M);
            } else {
                acc.accumulateCategory(k, w[k], imageWeights, precision, recall, R, M);
            }
        });
        return new CocoEvalResult(p, catIds, precision, recall);
    }

    /**
     * Every category's {@link Walk}, made on first use (about as long as one accumulation; about 70
     * bytes a detection with the four default area ranges), then kept; null when not
     * {@link #walkable}. Made on one thread under this object's lock: a parallel stream there could
     * run another resample's task on the same thread, which would enter the lock again.
     */
    Accumulation.Walk[] walks() {
        Accumulation.Walk[] w = walks;
        if (w == null && walkable) {
            synchronized (this) {
                w = walks;
                if (w == null) {
                    w = new Accumulation.Walk[K];
                    Accumulation acc = new Accumulation(this);
                    for (int k = 0; k < K; k++) {
                        w[k] = acc.walk(k);
                    }
                    walks = w;
                }
            }
        }
        return w;
    }

    /** numpy's order on -score: plain comparisons, so 0.0 and -0.0 tie as they do there. */
    static int descending(double a, double b) {
        return a > b ? -1 : a < b ? 1 : 0;
    }

    // ---- what diagnostics read -------------------------------------------------------------

    /**
     * The parameters evaluated with.
     *
     * @return the parameters (for a {@link #merge}, with the union's image ids)
     */
    public CocoEvalParams params() {
        return p;
    }

    /**
     * Which IoU was computed.
     *
     * @return true for segm (masks), false for bbox
     */
    public boolean segm() {
        return segm;
    }

    /**
     * The evaluated image ids, sorted: image index {@code i} is a position here.
     *
     * @return a copy, sorted and distinct
     */
    public long[] imageIds() {
        return imgIds.clone();
    }

    /**
     * The evaluated category ids, sorted: category index {@code k} is a position here.
     *
     * @return a copy, sorted and distinct
     */
    public long[] categoryIds() {
        return catIds.clone();
    }

    /**
     * The area range index labelled "all" (where {@link #status} and {@link #matchedGroundTruth} apply).
     *
     * @return the index of the label "all" in {@link CocoEvalParams#areaLabels()}, or 0 when no
     *     range has that label
     */
    public int allAreaIndex() {
        return allArea;
    }

    /**
     * Ground truths of evaluated images and categories (crowd included), in file order.
     *
     * @return the number of ground-truth indices {@code g}
     */
    public int groundTruthCount() {
        return gId.length;
    }

    /**
     * The annotation id of ground truth {@code g}.
     *
     * @param g ground-truth index, {@code 0 <= g <} {@link #groundTruthCount()}
     * @return the annotation's {@code id}
     */
    public long groundTruthId(int g) {
        return gId[g];
    }

    /**
     * The image index of ground truth {@code g}.
     *
     * @param g ground-truth index, {@code 0 <= g <} {@link #groundTruthCount()}
     * @return a position in {@link #imageIds()}
     */
    public int groundTruthImage(int g) {
        return gCell[g] % I;
    }

    /**
     * The category index of ground truth {@code g}.
     *
     * @param g ground-truth index, {@code 0 <= g <} {@link #groundTruthCount()}
     * @return a position in {@link #categoryIds()}
     */
    public int groundTruthCategory(int g) {
        return gCell[g] / I;
    }

    /**
     * Whether ground truth {@code g} is a crowd region (never a miss; detections on it are ignored).
     *
     * @param g ground-truth index, {@code 0 <= g <} {@link #groundTruthCount()}
     * @return the annotation's {@code iscrowd}
     */
    public boolean groundTruthCrowd(int g) {
        return gCrowd[g];
    }

    /**
     * The annotation's 'area' (what the area ranges use).
     *
     * @param g ground-truth index, {@code 0 <= g <} {@link #groundTruthCount()}
     * @return the file's {@code area} value, in square pixels
     */
    public double groundTruthArea(int g) {
        return gArea[g];
    }

    /**
     * The detections given (every result, evaluated or not; for a {@link #merge}, every shard's, in shard order).
     *
     * @return the number of detection indices {@code d}
     */
    public int detectionCount() {
        return nDet;
    }

    /**
     * The image index of detection {@code d}, or -1 when its image or category is not evaluated.
     *
     * @param d detection index, {@code 0 <= d <} {@link #detectionCount()}
     * @return a position in {@link #imageIds()}, or -1
     */
    public int detectionImage(int d) {
        return dCell[d] < 0 ? -1 : dCell[d] % I;
    }

    /**
     * The category index of detection {@code d}, or -1 when its image or category is not evaluated.
     *
     * @param d detection index, {@code 0 <= d <} {@link #detectionCount()}
     * @return a position in {@link #categoryIds()}, or -1
     */
    public int detectionCategory(int d) {
        return dCell[d] < 0 ? -1 : dCell[d] / I;
    }

    /**
     * The score of detection {@code d}.
     *
     * @param d detection index, {@code 0 <= d <} {@link #detectionCount()}
     * @return the result's {@code score}, as given
     */
    public double detectionScore(int d) {
        return dScore[Objects.checkIndex(d, nDet)]; // (the results' column may be longer)
    }

    /**
     * The area of detection {@code d} as pycocotools computes it (box w*h, or mask area for segm).
     *
     * @param d detection index, {@code 0 <= d <} {@link #detectionCount()}
     * @return the area in square pixels: box {@code w * h} whenever the results have boxes,
     *     the mask's pixel count for segmentation-only results
     */
    public double detectionArea(int d) {
        return dArea[d];
    }

    /**
     * Detection {@code d}'s mask as evaluated (segm), or null (bbox, or a detection that was not
     * evaluated). Decoded from the result's segmentation at each call (the matching keeps no masks).
     *
     * @param d detection index, {@code 0 <= d <} {@link #detectionCount()}
     * @return a new mask at the image's size, or null
     */
    public Rle detectionMask(int d) {
        return segm && dCell[d] >= 0 ? decodeMask(d) : null;
    }

    /** During {@link #evaluateCells}: records why detection d's mask is malformed, if it is, without making it. */
    private void checkMask(int d) {
        CocoImage im = gtData.image(dImgId[d]);
        String problem = dSeg != null && dSeg.has(d) ? GroundTruthMasks.problem(dSeg, d, im) : GroundTruthMasks.problem(boxPolygon(d), im);
        if (problem != null) {
            maskProblems[d] = maskProblem(d, im, problem);
        }
    }

    /**
     * Detection d's mask (segm), decoded from its segmentation now: masks are not kept. During
     * {@link #evaluateCells} a malformed one is recorded in {@link #maskProblems} (null returned);
     * after it, every evaluated mask has been checked.
     */
    private Rle decodeMask(int d) {
        try {
            return detectionMask(d, gtData.image(dImgId[d]));
        } catch (CocoEvalException e) {
            return malformed(d, e);
        }
    }

    /** {@link #decodeMask} as the runs an IoU reads. */
    private MaskRuns decodeRuns(int d) {
        try {
            return detectionRuns(d, gtData.image(dImgId[d]));
        } catch (CocoEvalException e) {
            return malformed(d, e);
        }
    }

    /** Records why detection d's mask is malformed (during {@link #evaluateCells}); null. */
    private <T> T malformed(int d, CocoEvalException e) {
        String[] problems = maskProblems;
        if (problems == null) {
            throw new IllegalStateException(e.getMessage(), e); // not after a completed evaluateCells
        }
        problems[d] = e.getMessage();
        return null;
    }

    /**
     * Detection {@code d}'s outcome at IoU threshold index {@code t}, area range "all".
     *
     * @param d detection index, {@code 0 <= d <} {@link #detectionCount()}
     * @param t IoU threshold index, a position in {@link CocoEvalParams#iouThresholds()}
     * @return the outcome; {@link Status#NOT_EVALUATED} for a detection not evaluated
     */
    public Status status(int d, int t) {
        ensureOutcomes();
        return STATUSES[statusAll[d * T + t]];
    }

    /**
     * The ground truth detection {@code d} was matched to at IoU threshold index {@code t}, area
     * range "all" (for a true positive, or an ignored detection on a crowd or ignored GT), or -1.
     *
     * @param d detection index, {@code 0 <= d <} {@link #detectionCount()}
     * @param t IoU threshold index, a position in {@link CocoEvalParams#iouThresholds()}
     * @return a ground-truth index {@code g}, or -1
     */
    public int matchedGroundTruth(int d, int t) {
        ensureOutcomes();
        return matchAll[d * T + t];
    }

    /**
     * The IoU of each detection with each ground truth ({@code [dets.length][gts.length]}), as
     * pycocotools computes it (boxes or masks by {@link #segm()}; a crowd ground truth's IoU is the
     * intersection over the detection's area), whatever their categories.
     *
     * @param dets detection indices {@code d}
     * @param gts ground-truth indices {@code g}
     * @return a new {@code [dets.length][gts.length]} array, row per detection
     */
    public double[][] iou(int[] dets, int[] gts) {
        for (int d : dets) {
            Objects.checkIndex(d, nDet); // (the results' columns may be longer)
        }
        if (dets.length == 0 || gts.length == 0) {
            return new double[dets.length][gts.length];
        }
        return ious(dets, gts);
    }

    /**
     * Why {@code other} was not matched against the same ground truth as this one, in a few words
     * (IoU type, thresholds, area ranges, maxDets, images, categories, or an evaluated annotation's
     * id, image, category, box, area, crowd flag or mask); null when it was, i.e. when the two can be
     * compared image by image.
     *
     * @param other another matching
     * @return one line saying what differs first, or null
     */
    public String groundTruthDifference(CocoMatching other) {
        CocoEvalParams q = other.p;
        if (p.iouType() != q.iouType()) {
            return "IoU types differ (" + p.iouType() + " vs " + q.iouType() + ")";
        }
        if (!Arrays.equals(p.iouThresholds(), q.iouThresholds()) || !Arrays.equals(p.recallThresholds(), q.recallThresholds())
                || !Arrays.equals(p.maxDets(), q.maxDets()) || !Arrays.deepEquals(p.areaRanges(), q.areaRanges())
                || !Arrays.equals(p.areaLabels(), q.areaLabels())) {
            return "evaluation parameters differ (IoU or recall thresholds, maxDets or area ranges)";
        }
        if (!Arrays.equals(imgIds, other.imgIds)) {
            return "evaluated images differ (" + I + " vs " + other.I + " images"
                    + (I == other.I ? ", other ids" : "") + ")";
        }
        if (!Arrays.equals(catIds, other.catIds)) {
            return "evaluated categories differ (" + K + " vs " + other.K + " categories"
                    + (K == other.K ? ", other ids" : "") + ")";
        }
        if (gId.length != other.gId.length) {
            return "ground truths differ (" + gId.length + " vs " + other.gId.length + " evaluated annotations)";
        }
        for (int g = 0; g < gId.length; g++) {
            if (gId[g] != other.gId[g] || gCell[g] != other.gCell[g] || gCrowd[g] != other.gCrowd[g]
                    || Double.compare(gArea[g], other.gArea[g]) != 0 || !Arrays.equals(gBox[g], other.gBox[g])
                    || !java.util.Objects.equals(gRle[g], other.gRle[g])) {
                return "ground truths differ (annotation " + gId[g] + " of image " + imgIds[gCell[g] % I]
                        + " vs annotation " + other.gId[g] + " of image " + other.imgIds[other.gCell[g] % other.I] + ")";
            }
        }
        return null;
    }

    /**
     * Records pycocotools also leaves out, one line per kind.
     *
     * @return an unmodifiable copy, the ground truth's lines first
     */
    public List<CocoEvalResult.Warning> warnings() {
        return List.copyOf(warnings);
    }

    /**
     * Seconds of the prepare and evaluate phases (a copy).
     *
     * @return phase name ("prepare", "evaluate"; for a {@link #merge} also "merge") to seconds, in
     *     insertion order; a modifiable copy
     */
    public Map<String, Double> timings() {
        return new java.util.LinkedHashMap<>(timings);
    }

    /** Records of one kind left out: counted, with the first one's id, for one warning line. */
    private static final class Skips implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        final String what;
        final String idName;
        int count;
        long firstId;

        Skips(String what, String idName) {
            this.what = what;
            this.idName = idName;
        }

        void check(boolean skipped, long id) {
            if (skipped && count++ == 0) {
                firstId = id;
            }
        }

        void report(List<CocoEvalResult.Warning> out, boolean inGroundTruth) {
            if (count > 0) {
                out.add(new CocoEvalResult.Warning(inGroundTruth, count + " " + what + " not evaluated, as in pycocotools (the first: "
                        + idName + " " + firstId + ")"));
            }
        }
    }


    /** evaluateImg's output for one (category, image), every area range. */
    static final class CellRecord implements java.io.Serializable {
        private static final long serialVersionUID = 2L;

        final int D;
        /** One matching's pools, shared by its records (an object per cell instead of four). */
        private final double[] scores;
        /** [(slot * areas + a) * words ...]: a detection's flags at one area range as a bit set, see {@link #flagWords}. */
        private final long[] bits;
        private final int[] npig;
        /** This cell's first detection slot in {@code scores}; its flag words start at {@code at * areas * words}. */
        private final int at;
        private final int npigAt;
        private final int areas;
        private final int words;
        /** The bit of the first threshold's IGNORED flag in a detection's bit set; TRUTHY flags start at bit 0. */
        private final int ignoredAt;

        CellRecord(int d, double[] scores, long[] bits, int[] npig, int at, int npigAt, int areas, int thresholds) {
            D = d;
            this.scores = scores;
            this.bits = bits;
            this.npig = npig;
            this.at = at;
            this.npigAt = npigAt;
            this.areas = areas;
            this.words = flagWords(thresholds);
            this.ignoredAt = thresholds <= 32 ? 32 : 64 * ((thresholds + 63) / 64);
        }

        /**
         * Longs per (detection, area range) for {@code thresholds} IoU thresholds: the TRUTHY flag of
         * threshold t is bit t of the set, its IGNORED flag bit t + 32 (one long) for up to 32
         * thresholds, else bit t of the second half (two longs up to 64: accumulation reads each
         * half as one long).
         */
        static int flagWords(int thresholds) {
            return thresholds <= 32 ? 1 : 2 * ((thresholds + 63) / 64);
        }

        double score(int d) {
            return scores[at + d];
        }

        void setScore(int d, double v) {
            scores[at + d] = v;
        }

        /** Scores of detections [0, n) into {@code out} from {@code to}. */
        void copyScores(int n, double[] out, int to) {
            System.arraycopy(scores, at, out, to, n);
        }

        int npig(int a) {
            return npig[npigAt + a];
        }

        void setNpig(int a, int v) {
            npig[npigAt + a] = v;
        }

        /**
         * The first word of detection d's flags at area a (d in score order) in the pool:
         * a detection's words for every area are adjacent (accumulation reads them in score order
         * across the cells).
         */
        int wordIndex(int a, int d) {
            return ((at + d) * areas + a) * words;
        }

        /** TRUTHY | IGNORED of (area a, detection d, threshold t). */
        byte flag(int a, int d, int t) {
            int w = wordIndex(a, d);
            long truthy = bits[w + (t >>> 6)] >>> t & 1;
            long ignored = bits[w + ((ignoredAt + t) >>> 6)] >>> (ignoredAt + t) & 1;
            return (byte) (truthy * TRUTHY | ignored * IGNORED);
        }

        void setFlag(int a, int d, int t, byte f) {
            int w = wordIndex(a, d);
            int tw = w + (t >>> 6);
            int iw = w + ((ignoredAt + t) >>> 6);
            long tb = 1L << t;
            long ib = 1L << (ignoredAt + t);
            bits[tw] = (f & TRUTHY) != 0 ? bits[tw] | tb : bits[tw] & ~tb;
            bits[iw] = (f & IGNORED) != 0 ? bits[iw] | ib : bits[iw] & ~ib;
        }

        /** Detection d's flags at area a (at most 64 thresholds): TRUTHY at bit t of {@code truthy}, IGNORED of {@code ignored}. */
        void setBits(int a, int d, long truthy, long ignored) {
            int w = wordIndex(a, d);
            if (words == 1) {
                bits[w] = truthy | ignored << 32;
            } else {
                bits[w] = truthy;
                bits[w + 1] = ignored;
            }
        }

        /**
         * Detection d's true positives (TRUTHY and not IGNORED) and IGNORED flags at every area a,
         * bit t for threshold t, into {@code tp[to + a]} and {@code ig[to + a]}; at most 64 thresholds.
         */
        void masks(int d, long[] tp, long[] ig, int to) {
            int w = wordIndex(0, d);
            for (int a = 0; a < areas; a++, w += words) {
                long x = bits[w];
                long i = words == 1 ? x >>> 32 : bits[w + 1];
                ig[to + a] = i;
                tp[to + a] = (words == 1 ? x & 0xffffffffL : x) & ~i;
            }
        }
    }
}
