package org.resvision.eval.coco;

import java.util.Arrays;

/**
 * COCOeval's parameters, pycocotools' defaults unless changed: 10 IoU thresholds
 * 0.50:0.05:0.95 and 101 recall thresholds (both numpy {@code linspace} values, bit for bit),
 * area ranges all/small/medium/large (closed intervals), maxDets 1/10/100.
 *
 * <p>Shallowly immutable: the accessors return the component arrays themselves, not copies (only
 * {@code maxDets} is copied, by the constructor). Do not modify them; then an instance is safe to
 * share between threads.
 *
 * @param iouType {@code bbox} or {@code segm}
 * @param iouThresholds the IoU thresholds a match must reach, increasing (the {@code T} axis of
 *     the results; pycocotools' default 0.50:0.05:0.95, 10 values)
 * @param recallThresholds the recall values at which precision is sampled, increasing in
 *     {@code [0, 1]} (the {@code R} axis; default 0:0.01:1, 101 values)
 * @param maxDets three increasing detection limits (AR rows use each; AP rows the last)
 * @param areaRanges {@code [lo, hi]} per range, inclusive at both ends, in square pixels (compared
 *     with a ground truth's {@code area} field and a detection's box {@code w * h} or mask area)
 * @param areaLabels a name per range ({@code all} must be first for the summary)
 * @param categoryIds the categories to evaluate, or {@code null} for every GT category
 * @param imageIds the images to evaluate, or {@code null} for every GT image
 * @serial exclude
 */
public record CocoEvalParams(
        IouType iouType,
        double[] iouThresholds,
        double[] recallThresholds,
        int[] maxDets,
        double[][] areaRanges,
        String[] areaLabels,
        long[] categoryIds,
        long[] imageIds) implements java.io.Serializable {

    /** What is compared: boxes or masks. */
    public enum IouType {
        /** Box IoU on the {@code bbox} fields ({@code [x, y, w, h]} in pixels). */
        BBOX,
        /** Mask IoU on the {@code segmentation} fields, rasterised to RLE at the image's size. */
        SEGM;

        /**
         * The type named as pycocotools names it.
         *
         * @param s {@code "bbox"} or {@code "segm"} (lower case, as {@link #toString()} writes them)
         * @return the type
         * @throws IllegalArgumentException for any other string
         */
        public static IouType parse(String s) {
            return switch (s) {
                case "bbox" -> BBOX;
                case "segm" -> SEGM;
                default -> throw new IllegalArgumentException("iou type must be bbox or segm, got '" + s + "'");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * Checks the parameters; {@code maxDets} is copied and sorted, the other arrays are kept as
     * given.
     *
     * @param iouType {@code bbox} or {@code segm}
     * @param iouThresholds the IoU thresholds, increasing
     * @param recallThresholds the recall sampling points, increasing
     * @param maxDets three positive limits, in any order (stored sorted)
     * @param areaRanges {@code [lo, hi]} per range
     * @param areaLabels one name per range
     * @param categoryIds the categories to evaluate, or {@code null} for every GT category
     * @param imageIds the images to evaluate, or {@code null} for every GT image
     * @throws IllegalArgumentException when {@code maxDets} has not exactly 3 values or one is not
     *     positive, or when the area ranges and labels differ in number
     */
    public CocoEvalParams {
        if (maxDets.length != 3) {
            throw new IllegalArgumentException("maxDets must have 3 values (as 1,10,100), got " + Arrays.toString(maxDets));
        }
        maxDets = maxDets.clone();
        Arrays.sort(maxDets);
        if (maxDets[0] <= 0) {
            throw new IllegalArgumentException("maxDets must be positive, got " + Arrays.toString(maxDets));
        }
        if (areaRanges.length != areaLabels.length) {
            throw new IllegalArgumentException("one label per area range");
        }
    }

    /**
     * pycocotools' defaults for {@code iouType}.
     *
     * @param iouType boxes or masks
     * @return 10 IoU thresholds 0.50:0.05:0.95, 101 recall thresholds 0:0.01:1, maxDets 1/10/100,
     *     area ranges all {@code [0, 1e10]}, small {@code [0, 32 * 32]}, medium {@code [32 * 32, 96 * 96]},
     *     large {@code [96 * 96, 1e10]} (square pixels), every GT category and image
     */
    public static CocoEvalParams defaults(IouType iouType) {
        return new CocoEvalParams(
                iouType,
                linspace(0.5, 0.95, 10),
                linspace(0.0, 1.0, 101),
                new int[] {1, 10, 100},
                new double[][] {{0, 1e10}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e10}},
                new String[] {"all", "small", "medium", "large"},
                null,
                null);
    }

    /**
     * These parameters with other detection limits.
     *
     * @param newMaxDets three positive limits, in any order (stored sorted)
     * @return a new instance; this one is unchanged
     * @throws IllegalArgumentException when {@code newMaxDets} has not exactly 3 values or one is not
     *     positive
     */
    public CocoEvalParams withMaxDets(int[] newMaxDets) {
        return new CocoEvalParams(iouType, iouThresholds, recallThresholds, newMaxDets, areaRanges, areaLabels, categoryIds, imageIds);
    }

    /**
     * These parameters restricted to some categories.
     *
     * @param ids the category ids to evaluate (kept as given; the evaluator sorts them and drops
     *     duplicates), or {@code null} for every GT category
     * @return a new instance; this one is unchanged
     */
    public CocoEvalParams withCategoryIds(long[] ids) {
        return new CocoEvalParams(iouType, iouThresholds, recallThresholds, maxDets, areaRanges, areaLabels, ids, imageIds);
    }

    /**
     * These parameters restricted to some images.
     *
     * @param ids the image ids to evaluate (kept as given; the evaluator sorts them and drops
     *     duplicates; an id the ground truth lacks is a {@link CocoEvalException} there), or
     *     {@code null} for every GT image
     * @return a new instance; this one is unchanged
     */
    public CocoEvalParams withImageIds(long[] ids) {
        return new CocoEvalParams(iouType, iouThresholds, recallThresholds, maxDets, areaRanges, areaLabels, categoryIds, ids);
    }

    /**
     * These parameters with other area ranges.
     *
     * @param ranges {@code [lo, hi]} per range, in square pixels, inclusive at both ends
     * @param labels one name per range; the summary looks up {@code all}, {@code small},
     *     {@code medium} and {@code large} by name (a missing one reads -1) and per-category AP and
     *     PR curves read range 0, so keep {@code all} first
     * @return a new instance; this one is unchanged
     * @throws IllegalArgumentException when {@code ranges} and {@code labels} differ in length
     */
    public CocoEvalParams withAreaRanges(double[][] ranges, String[] labels) {
        return new CocoEvalParams(iouType, iouThresholds, recallThresholds, maxDets, ranges, labels, categoryIds, imageIds);
    }

    /**
     * numpy's {@code linspace(start, stop, num)}: {@code i * step + start}, the last value exactly {@code stop}.
     *
     * @param start the first value
     * @param stop the last value
     * @param num how many values, at least 2 (numpy's {@code [start]} for 1 is not reproduced: this
     *     gives {@code [stop]}; 0 throws {@link ArrayIndexOutOfBoundsException})
     * @return {@code num} evenly spaced values from {@code start} to {@code stop}, a new array
     */
    public static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }
}
