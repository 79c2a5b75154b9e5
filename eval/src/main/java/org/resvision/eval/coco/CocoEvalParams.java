package org.resvision.eval.coco;

import java.util.Arrays;

/**
 * COCOeval's parameters, pycocotools' defaults unless changed: 10 IoU thresholds
 * 0.50:0.05:0.95 and 101 recall thresholds (both numpy {@code linspace} values, bit for bit),
 * area ranges all/small/medium/large (closed intervals), maxDets 1/10/100.
 *
 * @param iouType {@code bbox} or {@code segm}
 * @param maxDets three increasing detection limits (AR rows use each; AP rows the last)
 * @param areaRanges {@code [lo, hi]} per range, inclusive at both ends
 * @param areaLabels a name per range ({@code all} must be first for the summary)
 * @param categoryIds the categories to evaluate, or {@code null} for every GT category
 * @param imageIds the images to evaluate, or {@code null} for every GT image
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
        BBOX,
        SEGM;

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

    /** pycocotools' defaults for {@code iouType}. */
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

    public CocoEvalParams withMaxDets(int[] newMaxDets) {
        return new CocoEvalParams(iouType, iouThresholds, recallThresholds, newMaxDets, areaRanges, areaLabels, categoryIds, imageIds);
    }

    public CocoEvalParams withCategoryIds(long[] ids) {
        return new CocoEvalParams(iouType, iouThresholds, recallThresholds, maxDets, areaRanges, areaLabels, ids, imageIds);
    }

    public CocoEvalParams withImageIds(long[] ids) {
        return new CocoEvalParams(iouType, iouThresholds, recallThresholds, maxDets, areaRanges, areaLabels, categoryIds, ids);
    }

    public CocoEvalParams withAreaRanges(double[][] ranges, String[] labels) {
        return new CocoEvalParams(iouType, iouThresholds, recallThresholds, maxDets, ranges, labels, categoryIds, imageIds);
    }

    /** numpy's {@code linspace(start, stop, num)}: {@code i * step + start}, the last value exactly {@code stop}. */
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
