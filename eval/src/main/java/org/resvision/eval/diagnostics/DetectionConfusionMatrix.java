package org.resvision.eval.diagnostics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.resvision.eval.coco.CocoMatching;
import org.resvision.eval.coco.CocoMatching.Status;

/**
 * A detection confusion matrix built on COCO's own matching: rows are the ground truth's
 * categories plus a last "background" row, columns the detections' categories plus a last
 * "background" column.
 *
 * <p>At one evaluated IoU threshold and a score threshold, over the detections COCO counts
 * (within maxDets per image and category, score at least the threshold, not on a crowd region):
 * <ol>
 *   <li>each COCO true positive counts at (its category, its category): the diagonal is exactly
 *       the matching's true positives with a score at least the threshold;</li>
 *   <li>the other detections of an image, highest score first, each take the unmatched non-crowd
 *       ground truth of another category with the highest IoU at least the threshold:
 *       (its category, the detection's category);</li>
 *   <li>detections left count in the background row, ground truth left (non-crowd) in the
 *       background column.</li>
 * </ol>
 * So row {@code k} sums to category {@code k}'s non-crowd ground truth and column {@code k} to
 * its counted detections. Crowd ground truth and detections COCO ignores are not counted.
 *
 * <p>Immutable; thread-safe.
 */
public final class DetectionConfusionMatrix {

    private final long[] categoryIds;
    private final long[][] counts;
    private final double iouThreshold;
    private final double scoreThreshold;

    private DetectionConfusionMatrix(long[] categoryIds, long[][] counts, double iou, double score) {
        this.categoryIds = categoryIds;
        this.counts = counts;
        this.iouThreshold = iou;
        this.scoreThreshold = score;
    }

    /**
     * The matrix of {@code m} at {@code iouThreshold} (one of the evaluated thresholds) and
     * {@code scoreThreshold}.
     *
     * @param m COCO's matching of the detections; only read
     * @param iouThreshold the IoU threshold of both COCO's true positives and the cross-category matches;
     *     must be one of {@code m.params().iouThresholds()} (within 1e-9)
     * @param scoreThreshold detections with a lower score are not counted; any value but NaN
     *     ({@code Double.NEGATIVE_INFINITY} counts all)
     * @return the {@code [K+1][K+1]} matrix over {@code m}'s evaluated categories
     * @throws IllegalArgumentException when the IoU is not an evaluated threshold or the score is NaN
     */
    public static DetectionConfusionMatrix compute(CocoMatching m, double iouThreshold, double scoreThreshold) {
        if (Double.isNaN(scoreThreshold)) {
            throw new IllegalArgumentException("the score threshold is NaN");
        }
        int t = Thresholds.iouIndex(m, iouThreshold);
        double thr = m.params().iouThresholds()[t];
        int I = m.imageIds().length;
        int K = m.categoryIds().length;
        int nd = m.detectionCount();
        int ng = m.groundTruthCount();
        int[] dImg = new int[nd];
        for (int d = 0; d < nd; d++) {
            Status s = m.status(d, t);
            boolean counted = (s == Status.TRUE_POSITIVE || s == Status.FALSE_POSITIVE) && m.detectionScore(d) >= scoreThreshold;
            dImg[d] = counted ? m.detectionImage(d) : -1;
        }
        int[] gImg = new int[ng];
        for (int g = 0; g < ng; g++) {
            gImg[g] = m.groundTruthCrowd(g) ? -1 : m.groundTruthImage(g);
        }
        int[] dStart = new int[I + 1];
        int[] dByImg = Thresholds.group(dImg, I, dStart);
        int[] gStart = new int[I + 1];
        int[] gByImg = Thresholds.group(gImg, I, gStart);

        long[][][] partial = IntStream.range(0, 2).mapToObj(x -> new long[K + 1][K + 1]).toArray(long[][][]::new);
        // two halves of the images, one per core; each image is independent
        IntStream.range(0, 2).parallel().forEach(half -> {
            long[][] c = partial[half];
            for (int i = half; i < I; i += 2) {
                image(m, t, thr, Arrays.copyOfRange(dByImg, dStart[i], dStart[i + 1]),
                        Arrays.copyOfRange(gByImg, gStart[i], gStart[i + 1]), c, K);
            }
        });
        long[][] counts = new long[K + 1][K + 1];
        for (long[][] c : partial) {
            for (int r = 0; r <= K; r++) {
                for (int col = 0; col <= K; col++) {
                    counts[r][col] += c[r][col];
                }
            }
        }
        return new DetectionConfusionMatrix(m.categoryIds(), counts, thr, scoreThreshold);
    }

    private static void image(CocoMatching m, int t, double thr, int[] dets, int[] gts, long[][] c, int K) {
        boolean[] used = new boolean[gts.length];
        List<Integer> rest = new ArrayList<>();
        for (int d : dets) {
            if (m.status(d, t) == Status.TRUE_POSITIVE) {
                int g = m.matchedGroundTruth(d, t);
                int j = indexOf(gts, g);
                used[j] = true;
                c[m.groundTruthCategory(g)][m.detectionCategory(d)]++;
            } else {
                rest.add(d);
            }
        }
        // the rest by descending score; the detection index breaks ties (file order)
        rest.sort((x, y) -> {
            int s = Double.compare(m.detectionScore(y), m.detectionScore(x));
            return s != 0 ? s : Integer.compare(x, y);
        });
        int[] r = rest.stream().mapToInt(Integer::intValue).toArray();
        double[][] iou = m.iou(r, gts);
        for (int di = 0; di < r.length; di++) {
            int d = r[di];
            int dk = m.detectionCategory(d);
            int best = -1;
            double bestIou = thr;
            for (int j = 0; j < gts.length; j++) {
                if (!used[j] && m.groundTruthCategory(gts[j]) != dk && iou[di][j] >= bestIou) {
                    if (best < 0 || iou[di][j] > bestIou) {
                        best = j;
                        bestIou = iou[di][j];
                    }
                }
            }
            if (best >= 0) {
                used[best] = true;
                c[m.groundTruthCategory(gts[best])][dk]++;
            } else {
                c[K][dk]++;
            }
        }
        for (int j = 0; j < gts.length; j++) {
            if (!used[j]) {
                c[m.groundTruthCategory(gts[j])][K]++;
            }
        }
    }

    private static int indexOf(int[] a, int v) {
        for (int j = 0; j < a.length; j++) {
            if (a[j] == v) {
                return j;
            }
        }
        throw new IllegalStateException("a true positive's ground truth " + v + " is not in its image");
    }

    /**
     * The category ids of rows and columns {@code 0..K-1} (row and column {@code K} are background).
     *
     * @return the matching's evaluated category ids, ascending; a fresh array of length {@code K}
     */
    public long[] categoryIds() {
        return categoryIds.clone();
    }

    /**
     * {@code [K+1][K+1]}: row = ground truth category (K: background), column = detected category (K: background).
     *
     * @return a deep copy; cell {@code [K][K]} is always 0
     */
    public long[][] counts() {
        long[][] out = new long[counts.length][];
        for (int r = 0; r < counts.length; r++) {
            out[r] = counts[r].clone();
        }
        return out;
    }

    /**
     * One cell: ground truth category index {@code gt} (K: background), detected {@code dt} (K: background).
     *
     * @param gt the row, {@code 0..K}; out of range throws {@link ArrayIndexOutOfBoundsException}
     * @param dt the column, {@code 0..K}
     * @return the cell's count
     */
    public long count(int gt, int dt) {
        return counts[gt][dt];
    }

    /**
     * The IoU threshold of the matrix.
     *
     * @return the evaluated threshold (as the matching holds it, not as asked for)
     */
    public double iouThreshold() {
        return iouThreshold;
    }

    /**
     * The score threshold of the matrix.
     *
     * @return the lowest score of a counted detection, as given to {@link #compute}
     */
    public double scoreThreshold() {
        return scoreThreshold;
    }

    /**
     * A confusion between two different categories (or with background) and its count.
     *
     * @param groundTruth the row: a category index of {@link #categoryIds()}, or {@code K} for background
     * @param detected the column: a category index, or {@code K} for background
     * @param count the cell's count
     */
    public record Confusion(int groundTruth, int detected, long count) {}

    /**
     * The {@code n} largest off-diagonal cells between two categories, largest first (ties: row, then column).
     *
     * @param n the most cells to return, at least 0 (negative throws {@link IllegalArgumentException})
     * @return non-zero cells only, background row and column left out; fewer than {@code n} when fewer are
     *     non-zero; not shared with this matrix
     */
    public List<Confusion> topConfusions(int n) {
        List<Confusion> all = new ArrayList<>();
        int K = categoryIds.length;
        for (int r = 0; r < K; r++) {
            for (int col = 0; col < K; col++) {
                if (r != col && counts[r][col] > 0) {
                    all.add(new Confusion(r, col, counts[r][col]));
                }
            }
        }
        all.sort((a, b) -> a.count != b.count ? Long.compare(b.count, a.count)
                : a.groundTruth != b.groundTruth ? Integer.compare(a.groundTruth, b.groundTruth) : Integer.compare(a.detected, b.detected));
        return all.subList(0, Math.min(n, all.size()));
    }

    /**
     * {@code {"iou_threshold", "score_threshold", "labels": [names..., "background"], "category_ids",
     * "counts": [[...]]}}.
     * Also {@code "rows": "ground truth"} and {@code "columns": "detections"}.
     *
     * @param names category id to display name; an id without one is labelled with the id itself
     * @return a new JSON tree
     */
    public ObjectNode toJson(Map<Long, String> names) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("iou_threshold", iouThreshold);
        o.put("score_threshold", scoreThreshold);
        o.put("rows", "ground truth");
        o.put("columns", "detections");
        ArrayNode labels = o.putArray("labels");
        ArrayNode ids = o.putArray("category_ids");
        for (long id : categoryIds) {
            labels.add(names.getOrDefault(id, Long.toString(id)));
            ids.add(id);
        }
        labels.add("background");
        ArrayNode rows = o.putArray("counts");
        for (long[] row : counts) {
            ArrayNode a = rows.addArray();
            for (long v : row) {
                a.add(v);
            }
        }
        return o;
    }

    /**
     * The top confusions as text lines, for the terminal.
     *
     * @param names category id to display name; an id without one is shown as the id itself
     * @param n the most confusions listed (see {@link #topConfusions(int)})
     * @return a header line, one line per confusion ({@code ground truth -> detected  count}), and a last line
     *     with the background totals (detections on background, ground truth missed); no trailing newline
     */
    public String topConfusionsText(Map<Long, String> names, int n) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "Confusions at IoU %.2f, score >= %.2f (ground truth -> detected):%n", iouThreshold, scoreThreshold));
        int K = categoryIds.length;
        long bgFp = 0;
        long missed = 0;
        for (int k = 0; k < K; k++) {
            bgFp += counts[K][k];
            missed += counts[k][K];
        }
        for (Confusion c : topConfusions(n)) {
            sb.append(String.format(Locale.ROOT, "  %-24s -> %-24s %8d%n", name(names, c.groundTruth), name(names, c.detected), c.count));
        }
        sb.append(String.format(Locale.ROOT, "  detections on background %d, ground truth missed %d", bgFp, missed));
        return sb.toString();
    }

    private String name(Map<Long, String> names, int k) {
        return names.getOrDefault(categoryIds[k], Long.toString(categoryIds[k]));
    }
}
