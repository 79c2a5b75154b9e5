package org.resvision.eval.lvis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.coco.Segmentation;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.Rle;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.GroundTruthMasks;
import org.resvision.eval.coco.NumpySum;
import org.resvision.eval.coco.StableSort;

/**
 * LVIS v1 federated evaluation exactly as lvis-api computes it ({@code LVISResults(gt, dt,
 * max_dets=300)} then {@code LVISEval(gt, dt, iou_type).run()}); every quirk reproduced is listed
 * in eval/LVIS.md. Stateless: {@link #evaluate} may be called from several threads at once (it
 * uses the common fork-join pool for the per-image work).
 */
public final class LvisEvaluator {

    /** lvis-api's {@code max_dets}: detections kept per image, highest scores first. */
    public static final int MAX_DETS = 300;

    /** lvis-api's area ranges: all, small, medium, large. */
    static final double[][] AREAS = {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}};

    private LvisEvaluator() {}

    /** The IoU type: boxes or masks. */
    public enum IouType {
        /** Box IoU on {@code bbox} ({@code [x, y, w, h]} in pixels). */
        BBOX,
        /** Mask IoU on {@code segmentation}, rasterised at the image's size. */
        SEGM;

        /** "bbox" or "segm". */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Evaluates {@code results} against {@code gt}.
     *
     * @param gt the LVIS ground truth; every image and category of it is evaluated
     * @param results the detections, in file order; only the {@link #MAX_DETS} highest-scoring of
     *     each image count
     * @param iouType boxes or masks
     * @return the 13 stats and the summary text
     * @throws CocoEvalException one line naming the record: a detection of an image the ground
     *     truth lacks (lvis-api asserts), results mixing detections with and without {@code bbox}
     *     (it crashes), a ground-truth annotation without {@code area} or without the box or mask
     *     the IoU type needs, a malformed mask. {@link CocoEvalException#inGroundTruth()} says which file.
     */
    public static LvisEvalResult evaluate(LvisDataset gt, List<CocoResult> results, IouType iouType)
            throws CocoEvalException {
        CocoDataset ds = gt.coco();
        boolean segm = iouType == IouType.SEGM;
        // --- params: sorted image and category ids
        long[] imgIds = ds.images().stream().mapToLong(CocoImage::id).sorted().toArray();
        long[] catIds = ds.categories().stream().mapToLong(CocoCategory::id).sorted().toArray();
        int nImg = imgIds.length;
        int nCat = catIds.length;
        Map<Long, Integer> imgIdx = new HashMap<>();
        for (int i = 0; i < nImg; i++) {
            imgIdx.put(imgIds[i], i);
        }
        Map<Long, Integer> catIdx = new HashMap<>();
        for (int k = 0; k < nCat; k++) {
            catIdx.put(catIds[k], k);
        }

        // --- LVISResults: image ids known, 300 per image by score, area, bbox/segm filled in
        for (int i = 0; i < results.size(); i++) {
            if (!imgIdx.containsKey(results.get(i).imageId())) {
                throw new CocoEvalException("detection #" + (i + 1) + ": image_id " + results.get(i).imageId()
                        + " is not in the ground truth (lvis-api: 'Results do not correspond to current LVIS set')");
            }
        }
        boolean[] kept = limitPerImage(results);
        boolean hasBox = !results.isEmpty() && results.get(0).bbox() != null;
        for (int i = 0; i < results.size(); i++) {
            CocoResult r = results.get(i);
            if (hasBox ? r.bbox() == null : r.segmentation() == null) {
                throw new CocoEvalException("detection #" + (i + 1) + " has no '" + (hasBox ? "bbox" : "segmentation")
                        + "' although detection #1 has one (lvis-api takes the first detection's fields for all)");
            }
        }

        // --- _prepare: GT by (image, category), area > 0 and < inf, category listed
        Map<Long, List<Integer>> gtCells = new HashMap<>();
        List<CocoAnnotation> anns = ds.annotations();
        for (int j = 0; j < anns.size(); j++) {
            CocoAnnotation a = anns.get(j);
            Integer ii = imgIdx.get(a.imageId());
            Integer kk = catIdx.get(a.categoryId());
            if (ii == null || kk == null) {
                continue;
            }
            if (Double.isNaN(a.area())) {
                throw CocoEvalExceptions.gt("annotation #" + (j + 1) + " (id " + a.id() + ") has no 'area'");
            }
            if (!(a.area() > 0 && a.area() < Double.POSITIVE_INFINITY)) {
                continue; // lvis-api's get_ann_ids keeps 0 < area < inf only
            }
            if (!segm && a.bbox() == null) {
                throw CocoEvalExceptions.gt("annotation #" + (j + 1) + " (id " + a.id() + ") has no 'bbox'");
            }
            if (segm && a.segmentation() == null) {
                throw CocoEvalExceptions.gt("annotation #" + (j + 1) + " (id " + a.id() + ") has no 'segmentation'");
            }
            gtCells.computeIfAbsent(cell(ii, kk, nImg), c -> new ArrayList<>()).add(j);
        }
        // categories present per image (from the kept GT)
        Set<Long> present = new HashSet<>();
        for (long c : gtCells.keySet()) {
            present.add(c);
        }
        // detections: listed category, 0 < area < inf, category in the image's GT or neg list
        Map<Long, List<Integer>> dtCells = new HashMap<>();
        double[] dtArea = new double[results.size()];
        for (int i = 0; i < results.size(); i++) {
            if (!kept[i]) {
                continue;
            }
            CocoResult r = results.get(i);
            Integer kk = catIdx.get(r.categoryId());
            if (kk == null) {
                continue;
            }
            int ii = imgIdx.get(r.imageId());
            double area;
            if (hasBox) {
                area = r.bbox()[2] * r.bbox()[3];
            } else {
                area = dtMask(r, ds.image(r.imageId()), i).area();
            }
            dtArea[i] = area;
            if (!(area > 0 && area < Double.POSITIVE_INFINITY)) {
                continue;
            }
            long c = cell(ii, kk, nImg);
            if (!present.contains(c) && !contains(gt.negCategoryIds(r.imageId()), r.categoryId())) {
                continue;
            }
            dtCells.computeIfAbsent(c, x -> new ArrayList<>()).add(i);
        }

        // --- evaluate: every cell with GT or detections, in (category, image) order
        Set<Long> all = new HashSet<>(gtCells.keySet());
        all.addAll(dtCells.keySet());
        long[] cells = all.stream().mapToLong(Long::longValue).sorted().toArray();
        CocoEvalParams cp = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);
        double[] iouThrs = cp.iouThresholds();
        double[] recThrs = cp.recallThresholds();
        CellEval[] evals = new CellEval[cells.length];
        String[] problems = new String[cells.length];
        IntStream.range(0, cells.length).parallel().forEach(c -> {
            try {
                evals[c] = evaluateCell(gt, results, dtArea, gtCells.getOrDefault(cells[c], List.of()),
                        dtCells.getOrDefault(cells[c], List.of()), catIds[(int) (cells[c] / nImg)],
                        imgIds[(int) (cells[c] % nImg)], segm, hasBox, iouThrs);
            } catch (IllegalArgumentException | CocoEvalException e) {
                problems[c] = e.getMessage() + (e instanceof CocoEvalException ce && ce.inGroundTruth() ? "\u0000gt" : "");
            }
        });
        for (String p : problems) {
            if (p != null) {
                boolean g = p.endsWith("\u0000gt");
                throw new CocoEvalException(g ? p.substring(0, p.length() - 3) : p, g);
            }
        }

        // --- accumulate
        int nT = iouThrs.length;
        int nR = recThrs.length;
        int nA = AREAS.length;
        double[][][][] precision = new double[nT][nR][nCat][nA];
        double[][][] recall = new double[nT][nCat][nA];
        for (double[][][] a : precision) {
            for (double[][] b : a) {
                for (double[] c : b) {
                    Arrays.fill(c, -1);
                }
            }
        }
        for (double[][] a : recall) {
            for (double[] b : a) {
                Arrays.fill(b, -1);
            }
        }
        int start = 0;
        while (start < cells.length) {
            int k = (int) (cells[start] / nImg);
            int end = start;
            while (end < cells.length && cells[end] / nImg == k) {
                end++;
            }
            for (int a = 0; a < nA; a++) {
                accumulate(evals, start, end, a, k, nT, recThrs, precision, recall);
            }
            start = end;
        }

        // --- summarize
        List<List<Integer>> groups = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int k = 0; k < nCat; k++) {
            groups.get("rcf".indexOf(gt.frequency(catIds[k]))).add(k);
        }
        int t50 = indexOf(iouThrs, 0.50);
        int t75 = indexOf(iouThrs, 0.75);
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("AP", apMean(precision, -1, 0, null));
        out.put("AP50", apMean(precision, t50, 0, null));
        out.put("AP75", apMean(precision, t75, 0, null));
        out.put("APs", apMean(precision, -1, 1, null));
        out.put("APm", apMean(precision, -1, 2, null));
        out.put("APl", apMean(precision, -1, 3, null));
        out.put("APr", apMean(precision, -1, 0, groups.get(0)));
        out.put("APc", apMean(precision, -1, 0, groups.get(1)));
        out.put("APf", apMean(precision, -1, 0, groups.get(2)));
        out.put("AR@" + MAX_DETS, arMean(recall, 0));
        out.put("ARs@" + MAX_DETS, arMean(recall, 1));
        out.put("ARm@" + MAX_DETS, arMean(recall, 2));
        out.put("ARl@" + MAX_DETS, arMean(recall, 3));
        return new LvisEvalResult(out, iouType.toString(), MAX_DETS);
    }

    private static long cell(int img, int cat, int nImg) {
        return (long) cat * nImg + img;
    }

    private static boolean contains(long[] a, long v) {
        for (long x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(double[] a, double v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -2; // np.where finds nothing: an empty selection, -1
    }

    /**
     * {@code LVISResults.limit_dets_per_image}: an image with more than 300 detections keeps its 300
     * highest scores (Python's stable sort: equal scores in file order).
     */
    static boolean[] limitPerImage(List<CocoResult> results) {
        boolean[] kept = new boolean[results.size()];
        Map<Long, List<Integer>> byImage = new LinkedHashMap<>();
        for (int i = 0; i < results.size(); i++) {
            byImage.computeIfAbsent(results.get(i).imageId(), x -> new ArrayList<>()).add(i);
        }
        for (List<Integer> l : byImage.values()) {
            if (l.size() <= MAX_DETS) {
                l.forEach(i -> kept[i] = true);
                continue;
            }
            double[] s = new double[l.size()];
            for (int j = 0; j < s.length; j++) {
                s[j] = results.get(l.get(j)).score();
            }
            int[] order = StableSort.descending(s);
            for (int j = 0; j < MAX_DETS; j++) {
                kept[l.get(order[j])] = true;
            }
        }
        return kept;
    }

    /** The detection's mask as {@code ann_to_rle} makes it (a box-only result: its box as a polygon). */
    private static Rle dtMask(CocoResult r, CocoImage im, int index) throws CocoEvalException {
        Segmentation s = r.segmentation();
        if (s == null) {
            double[] b = r.bbox();
            double x1 = b[0];
            double y1 = b[1];
            double x2 = x1 + b[2];
            double y2 = y1 + b[3];
            s = new Segmentation.Polygons(new double[][] {{x1, y1, x1, y2, x2, y2, x2, y1}});
        }
        try {
            return GroundTruthMasks.mask(s, im);
        } catch (IllegalArgumentException e) {
            throw new CocoEvalException("detection #" + (index + 1) + " (image " + r.imageId() + "): " + e.getMessage());
        }
    }

    /** One (image, category) cell: {@code evaluate_img} for the four area ranges. */
    static final class CellEval {
        double[] scores; // sorted, highest first
        boolean[][][] dtMatched; // [area][thr][dt]: dt_m != 0
        boolean[][][] dtIgnore; // [area][thr][dt]
        int[] gtCount; // [area]: GT with _ignore == 0
    }

    private static CellEval evaluateCell(LvisDataset gt, List<CocoResult> results, double[] dtArea, List<Integer> gtIdx,
            List<Integer> dtIdx, long catId, long imgId, boolean segm, boolean hasBox, double[] iouThrs)
            throws CocoEvalException {
        CocoDataset ds = gt.coco();
        int ng = gtIdx.size();
        int nd = dtIdx.size();
        double[] sc = new double[nd];
        for (int d = 0; d < nd; d++) {
            sc[d] = results.get(dtIdx.get(d)).score();
        }
        int[] order = StableSort.descending(sc);
        int[] dts = new int[nd];
        for (int d = 0; d < nd; d++) {
            dts[d] = dtIdx.get(order[d]);
        }
        // IoU [dt][gt], gt in file order, iscrowd all false
        double[][] ious = null;
        if (ng > 0 && nd > 0) {
            boolean[] crowd = new boolean[ng];
            CocoImage im = ds.image(imgId);
            if (segm) {
                Rle[] g = new Rle[ng];
                for (int j = 0; j < ng; j++) {
                    CocoAnnotation a = ds.annotations().get(gtIdx.get(j));
                    try {
                        g[j] = GroundTruthMasks.mask(a.segmentation(), im);
                    } catch (IllegalArgumentException e) {
                        throw new CocoEvalException("annotation #" + (gtIdx.get(j) + 1) + " (id " + a.id() + "): "
                                + e.getMessage(), true);
                    }
                }
                Rle[] dm = new Rle[nd];
                for (int d = 0; d < nd; d++) {
                    dm[d] = dtMask(results.get(dts[d]), im, dts[d]);
                }
                ious = MaskApi.rleIou(dm, g, crowd);
            } else {
                double[][] g = new double[ng][];
                for (int j = 0; j < ng; j++) {
                    g[j] = ds.annotations().get(gtIdx.get(j)).bbox();
                }
                double[][] db = new double[nd][];
                for (int d = 0; d < nd; d++) {
                    CocoResult r = results.get(dts[d]);
                    db[d] = hasBox ? r.bbox() : MaskApi.toBbox(dtMask(r, im, dts[d]));
                }
                ious = MaskApi.bboxIou(db, g, crowd);
            }
        }
        boolean notExhaustive = contains(gt.notExhaustiveCategoryIds(imgId), catId);
        int nT = iouThrs.length;
        CellEval e = new CellEval();
        e.scores = new double[nd];
        for (int d = 0; d < nd; d++) {
            e.scores[d] = results.get(dts[d]).score();
        }
        e.dtMatched = new boolean[AREAS.length][nT][nd];
        e.dtIgnore = new boolean[AREAS.length][nT][nd];
        e.gtCount = new int[AREAS.length];
        double[] gArea = new double[ng];
        boolean[] gIgn = new boolean[ng];
        long[] gId = new long[ng];
        for (int j = 0; j < ng; j++) {
            CocoAnnotation a = ds.annotations().get(gtIdx.get(j));
            gArea[j] = a.area();
            gIgn[j] = gt.ignored(a.id());
            gId[j] = a.id();
        }
        for (int ar = 0; ar < AREAS.length; ar++) {
            double lo = AREAS[ar][0];
            double hi = AREAS[ar][1];
            // gt: _ignore, then ignored last (stable)
            int[] gOrder = new int[ng];
            boolean[] gIgS = new boolean[ng];
            int p = 0;
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < ng; j++) {
                    boolean ig = gIgn[j] || gArea[j] < lo || gArea[j] > hi;
                    if (ig == (pass == 1)) {
                        gIgS[p] = ig;
                        gOrder[p++] = j;
                    }
                }
            }
            for (int j = 0; j < ng; j++) {
                if (!gIgS[j]) {
                    e.gtCount[ar]++;
                }
            }
            for (int t = 0; t < nT && ious != null; t++) {
                boolean[] gtm = new boolean[ng];
                for (int d = 0; d < nd; d++) {
                    double iou = Math.min(iouThrs[t], 1 - 1e-10);
                    int m = -1;
                    for (int g = 0; g < ng; g++) {
                        if (gtm[g]) {
                            continue;
                        }
                        if (m > -1 && !gIgS[m] && gIgS[g]) {
                            break;
                        }
                        double v = ious[d][gOrder[g]];
                        if (v < iou) {
                            continue;
                        }
                        iou = v;
                        m = g;
                    }
                    if (m == -1) {
                        continue;
                    }
                    e.dtIgnore[ar][t][d] = gIgS[m];
                    e.dtMatched[ar][t][d] = gId[gOrder[m]] != 0; // dt_m holds the GT id: id 0 reads as unmatched
                    gtm[m] = true; // gt_m holds the detection's id, always >= 1
                }
            }
            for (int d = 0; d < nd; d++) {
                double a = dtArea[dts[d]];
                boolean mask = a < lo || a > hi || notExhaustive;
                if (mask) {
                    for (int t = 0; t < nT; t++) {
                        if (!e.dtMatched[ar][t][d]) {
                            e.dtIgnore[ar][t][d] = true;
                        }
                    }
                }
            }
        }
        return e;
    }

    private static void accumulate(CellEval[] evals, int from, int to, int ar, int k, int nT, double[] recThrs,
            double[][][][] precision, double[][][] recall) {
        int n = 0;
        int numGt = 0;
        for (int c = from; c < to; c++) {
            n += evals[c].scores.length;
            numGt += evals[c].gtCount[ar];
        }
        if (numGt == 0) {
            return;
        }
        double[] scores = new double[n];
        int[] cellOf = new int[n];
        int[] posOf = new int[n];
        int o = 0;
        for (int c = from; c < to; c++) {
            for (int d = 0; d < evals[c].scores.length; d++) {
                scores[o] = evals[c].scores[d];
                cellOf[o] = c;
                posOf[o++] = d;
            }
        }
        int[] order = StableSort.descending(scores);
        int nR = recThrs.length;
        double eps = Math.ulp(1.0); // np.spacing(1)
        for (int t = 0; t < nT; t++) {
            double[] rc = new double[n];
            double[] pr = new double[n];
            double tp = 0;
            double fp = 0;
            for (int i = 0; i < n; i++) {
                CellEval e = evals[cellOf[order[i]]];
                int d = posOf[order[i]];
                boolean m = e.dtMatched[ar][t][d];
                boolean ig = e.dtIgnore[ar][t][d];
                if (m && !ig) {
                    tp++;
                } else if (!m && !ig) {
                    fp++;
                }
                rc[i] = tp / numGt;
                pr[i] = tp / (fp + tp + eps);
            }
            recall[t][k][ar] = n > 0 ? rc[n - 1] : 0;
            for (int i = n - 1; i > 0; i--) {
                if (pr[i] > pr[i - 1]) {
                    pr[i - 1] = pr[i];
                }
            }
            int i = 0;
            for (int r = 0; r < nR; r++) {
                while (i < n && rc[i] < recThrs[r]) {
                    i++;
                }
                precision[t][r][k][ar] = i < n ? pr[i] : 0;
            }
        }
    }

    /** {@code _summarize('ap', ...)}: numpy's mean of the entries > -1, in C order (t, r, k). */
    private static double apMean(double[][][][] p, int onlyT, int ar, List<Integer> cats) {
        if (onlyT == -2) {
            return -1;
        }
        int nCat = p[0][0].length;
        double[] v = new double[p.length * p[0].length * nCat];
        int n = 0;
        for (int t = 0; t < p.length; t++) {
            if (onlyT >= 0 && t != onlyT) {
                continue;
            }
            for (int r = 0; r < p[t].length; r++) {
                if (cats == null) {
                    for (int k = 0; k < nCat; k++) {
                        double x = p[t][r][k][ar];
                        if (x > -1) {
                            v[n++] = x;
                        }
                    }
                } else {
                    for (int k : cats) {
                        double x = p[t][r][k][ar];
                        if (x > -1) {
                            v[n++] = x;
                        }
                    }
                }
            }
        }
        return n == 0 ? -1 : NumpySum.sum(v, n) / n;
    }

    /** {@code _summarize('ar', ...)}: over (t, k). */
    private static double arMean(double[][][] rec, int ar) {
        double[] v = new double[rec.length * rec[0].length];
        int n = 0;
        for (double[][] t : rec) {
            for (double[] k : t) {
                if (k[ar] > -1) {
                    v[n++] = k[ar];
                }
            }
        }
        return n == 0 ? -1 : NumpySum.sum(v, n) / n;
    }
}
