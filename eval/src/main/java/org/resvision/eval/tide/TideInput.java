package org.resvision.eval.tide;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.mask.Rle;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoEvalParams.IouType;
import org.resvision.eval.coco.GroundTruthMasks;

/**
 * The inputs as tidecv's {@code datasets.COCO} / {@code COCOResult} load them, grouped by image
 * (the GT file's image order) in file order: non-crowd GT, crowd regions (tidecv's ignore regions)
 * and detections, with classes as dense indices. Checked once; immutable after construction.
 */
final class TideInput {

    final boolean segm;
    final CocoDataset gt;
    final GroundTruthMasks masks;
    final List<CocoResult> results;
    final CocoImage[] images;
    final long[] classIds;
    /** Non-crowd GT: {@code [gStart[i], gStart[i+1])} per image. */
    final int[] gStart;
    final int[] gAnn; // index into gt.annotations()
    final int[] gCls;
    /** Crowd regions, grouped the same way. */
    final int[] cStart;
    final int[] cAnn;
    final int[] cCls;
    /** Detections, grouped the same way; in results file order within an image. */
    final int[] dStart;
    final int[] dRes; // index into results
    final int[] dCls;
    final List<String> warnings = new ArrayList<>();

    private TideInput(CocoDataset gt, GroundTruthMasks masks, List<CocoResult> results, TideParams p,
            java.util.function.IntFunction<Rle> decoded) throws CocoEvalException {
        this.decoded = decoded;
        this.gt = gt;
        this.masks = masks;
        this.results = results;
        this.segm = p.iouType() == IouType.SEGM;

        Map<Long, Integer> imgIndex = new HashMap<>();
        List<CocoImage> imgs = new ArrayList<>();
        for (CocoImage im : gt.images()) {
            if (imgIndex.putIfAbsent(im.id(), imgs.size()) == null) {
                imgs.add(im);
            }
        }
        images = imgs.toArray(new CocoImage[0]);
        int nImg = images.length;

        Map<Long, Integer> clsIndex = new HashMap<>();
        List<Long> ids = new ArrayList<>();
        for (CocoCategory c : gt.categories()) {
            classOf(c.id(), clsIndex, ids);
        }

        List<CocoAnnotation> anns = gt.annotations();
        int[] annImg = new int[anns.size()];
        int skipped = 0;
        long firstSkipped = 0;
        for (int j = 0; j < anns.size(); j++) {
            CocoAnnotation a = anns.get(j);
            Integer i = imgIndex.get(a.imageId());
            annImg[j] = i == null ? -1 : i;
            if (i == null) {
                if (skipped++ == 0) {
                    firstSkipped = a.imageId();
                }
                continue;
            }
            if (!segm && (a.bbox() == null || a.bbox().length != 4)) {
                throw groundTruth("annotation " + a.id() + " (image " + a.imageId() + ") has no bbox (bbox evaluation)");
            }
            if (segm && masks.get(j) == null) {
                throw groundTruth("annotation " + a.id() + " (image " + a.imageId() + ") has no segmentation (segm evaluation)");
            }
            classOf(a.categoryId(), clsIndex, ids);
        }
        if (skipped > 0) {
            warnings.add(skipped + " annotations of images not in 'images' not evaluated (the first: image "
                    + firstSkipped + "; tidecv cannot read such a file)");
        }

        int nd = results.size();
        int[] detImg = new int[nd];
        int[] detCls = new int[nd];
        int gtClasses = ids.size();
        int unknownCls = 0;
        for (int d = 0; d < nd; d++) {
            CocoResult r = results.get(d);
            detImg[d] = imageOf(d, r, imgIndex);
            detCls[d] = classOf(r.categoryId(), clsIndex, ids);
            if (detCls[d] >= gtClasses) {
                unknownCls++;
            }
        }
        if (unknownCls > 0) {
            warnings.add(unknownCls + " detections of categories not in the ground truth: each such category counts as"
                    + " a class with AP 0, as in tidecv");
        }
        classIds = ids.stream().mapToLong(Long::longValue).toArray();

        // group by image, keeping file order (counting sort)
        int[] crowdOf = new int[anns.size()];
        for (int j = 0; j < anns.size(); j++) {
            crowdOf[j] = annImg[j] < 0 ? -1 : anns.get(j).iscrowd() ? 1 : 0;
        }
        gStart = new int[nImg + 1];
        cStart = new int[nImg + 1];
        for (int j = 0; j < anns.size(); j++) {
            if (crowdOf[j] == 0) {
                gStart[annImg[j] + 1]++;
            } else if (crowdOf[j] == 1) {
                cStart[annImg[j] + 1]++;
            }
        }
        prefix(gStart);
        prefix(cStart);
        gAnn = new int[gStart[nImg]];
        gCls = new int[gStart[nImg]];
        cAnn = new int[cStart[nImg]];
        cCls = new int[cStart[nImg]];
        int[] gPos = java.util.Arrays.copyOf(gStart, nImg);
        int[] cPos = java.util.Arrays.copyOf(cStart, nImg);
        for (int j = 0; j < anns.size(); j++) {
            int cls = crowdOf[j] < 0 ? -1 : clsIndex.get(anns.get(j).categoryId());
            if (crowdOf[j] == 0) {
                int k = gPos[annImg[j]]++;
                gAnn[k] = j;
                gCls[k] = cls;
            } else if (crowdOf[j] == 1) {
                int k = cPos[annImg[j]]++;
                cAnn[k] = j;
                cCls[k] = cls;
            }
        }
        dStart = new int[nImg + 1];
        for (int d = 0; d < nd; d++) {
            dStart[detImg[d] + 1]++;
        }
        prefix(dStart);
        dRes = new int[nd];
        dCls = new int[nd];
        int[] dPos = java.util.Arrays.copyOf(dStart, nImg);
        for (int d = 0; d < nd; d++) {
            int k = dPos[detImg[d]]++;
            dRes[k] = d;
            dCls[k] = detCls[d];
        }
    }

    /** Checks and groups {@code results} against {@code gt} ({@code masks} rasterised for segm). */
    static TideInput of(CocoDataset gt, GroundTruthMasks masks, List<CocoResult> results, TideParams p,
            java.util.function.IntFunction<Rle> decoded) throws CocoEvalException {
        return new TideInput(gt, masks, results, p, decoded);
    }

    int imageCount() {
        return images.length;
    }

    int classCount() {
        return classIds.length;
    }

    /** The box of non-crowd GT {@code g}. */
    double[] gtBox(int g) {
        return gt.annotations().get(gAnn[g]).bbox();
    }

    Rle gtMask(int g) {
        return masks.get(gAnn[g]);
    }

    double[] crowdBox(int c) {
        return gt.annotations().get(cAnn[c]).bbox();
    }

    Rle crowdMask(int c) {
        return masks.get(cAnn[c]);
    }

    double detScore(int d) {
        return results.get(dRes[d]).score();
    }

    double[] detBox(int d) {
        return results.get(dRes[d]).bbox();
    }

    /** Masks from elsewhere (a COCO matching decodes them on request), by result index; null entries are decoded here. */
    final java.util.function.IntFunction<Rle> decoded;

    /** The mask of detection {@code d} of image {@code image} (decoded on each call unless given). */
    Rle detMask(int d, int image) throws CocoEvalException {
        Rle known = decoded == null ? null : decoded.apply(dRes[d]);
        if (known != null) {
            return known;
        }
        try {
            return GroundTruthMasks.mask(results.get(dRes[d]).segmentation(), images[image]);
        } catch (IllegalArgumentException e) {
            throw new CocoEvalException("detection #" + (dRes[d] + 1) + " (image " + images[image].id() + "): " + e.getMessage());
        }
    }

    private long lastImageId;
    private int lastImage = -1;

    /**
     * The image index of detection d, checked; results usually come image by image, so one
     * lookup per image. (Loop bodies are methods here: a JIT compiles them after a few hundred
     * calls, while a long loop runs interpreted for tens of thousands of iterations first.)
     */
    private int imageOf(int d, CocoResult r, Map<Long, Integer> imgIndex) throws CocoEvalException {
        if (lastImage < 0 || r.imageId() != lastImageId) {
            Integer i = imgIndex.get(r.imageId());
            if (i == null) {
                throw new CocoEvalException("detection #" + (d + 1) + " is for image id " + r.imageId()
                        + ", which is not in the ground truth");
            }
            lastImage = i;
            lastImageId = r.imageId();
        }
        if (Double.isNaN(r.score())) {
            throw new CocoEvalException("detection #" + (d + 1) + " (image " + r.imageId() + ") has no score (NaN)");
        }
        if (!segm && (r.bbox() == null || r.bbox().length != 4)) {
            throw new CocoEvalException("detection #" + (d + 1) + " (image " + r.imageId() + ") has no bbox (bbox evaluation)");
        }
        if (segm && r.segmentation() == null && (decoded == null || decoded.apply(d) == null)) {
            throw new CocoEvalException("detection #" + (d + 1) + " (image " + r.imageId()
                    + ") has no segmentation (segm evaluation)");
        }
        return lastImage;
    }

    private final int[] smallIds = new int[1024]; // index + 1 of category ids 0..1023 (COCO's are), 0 unknown

    private int classOf(long id, Map<Long, Integer> index, List<Long> ids) {
        boolean small = id >= 0 && id < smallIds.length;
        if (small && smallIds[(int) id] > 0) {
            return smallIds[(int) id] - 1;
        }
        Integer k = index.get(id);
        if (k == null) {
            k = ids.size();
            index.put(id, k);
            ids.add(id);
        }
        if (small) {
            smallIds[(int) id] = k + 1;
        }
        return k;
    }

    private static void prefix(int[] a) {
        for (int i = 1; i < a.length; i++) {
            a[i] += a[i - 1];
        }
    }

    private static CocoEvalException groundTruth(String message) {
        return new CocoEvalException(message, true);
    }
}
