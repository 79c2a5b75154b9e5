package org.resvision.eval.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;

/**
 * The precision-recall section: curves over all classes (one per area range) and per class and
 * area range. Each curve holds the precision at every recall threshold, at IoU .50, at IoU .75
 * and averaged over the IoU thresholds (.50:.95); {@code NaN} where not defined.
 *
 * @param recallThresholds the recall values of every curve's points (101 in COCO: 0, .01 ... 1)
 * @param overall the curves over all classes, one per area range, in the order shown
 * @param perClass the curves of single classes (any order; shown grouped by area, then in this order)
 */
public record PrCurves(double[] recallThresholds, List<Curve> overall, List<Curve> perClass) {

    /**
     * One curve set: precision per recall threshold.
     *
     * @param name the class name (or e.g. "all classes" for an overall curve)
     * @param area the area range's label ("all", "small"...)
     * @param iou50 precision at IoU .50
     * @param iou75 precision at IoU .75
     * @param iouMean precision averaged over the IoU thresholds
     */
    public record Curve(String name, String area, double[] iou50, double[] iou75, double[] iouMean) {
        /**
         * Checks that the three arrays have the same length. Copies them.
         *
         * @param name the class name (or e.g. "all classes"); not null
         * @param area the area range's label; not null
         * @param iou50 precision at IoU .50 per recall threshold, NaN where not defined
         * @param iou75 precision at IoU .75, same length
         * @param iouMean precision averaged over the IoU thresholds, same length
         * @throws IllegalArgumentException when the arrays differ in length
         * @throws NullPointerException when an argument is null
         */
        public Curve {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(area, "area");
            iou50 = iou50.clone();
            iou75 = iou75.clone();
            iouMean = iouMean.clone();
            if (iou50.length != iou75.length || iou50.length != iouMean.length) {
                throw new IllegalArgumentException("curve " + name + ": arrays of different lengths");
            }
        }

        /**
         * Precision at IoU .50, a copy.
         *
         * @return one precision in [0, 1] per recall threshold, NaN where not defined
         */
        @Override
        public double[] iou50() {
            return iou50.clone();
        }

        /**
         * Precision at IoU .75, a copy.
         *
         * @return one precision in [0, 1] per recall threshold, NaN where not defined
         */
        @Override
        public double[] iou75() {
            return iou75.clone();
        }

        /**
         * Precision averaged over the IoU thresholds, a copy.
         *
         * @return one precision in [0, 1] per recall threshold, NaN where not defined
         */
        @Override
        public double[] iouMean() {
            return iouMean.clone();
        }
    }

    /**
     * Checks that every curve has one point per recall threshold. Copies the array and the lists.
     *
     * @param recallThresholds the recall values of every curve's points, increasing; not null
     * @param overall the curves over all classes, in the order shown; not null
     * @param perClass the curves of single classes; not null, may be empty
     * @throws IllegalArgumentException when a curve does not have one point per recall threshold
     * @throws NullPointerException when an argument or a curve is null
     */
    public PrCurves {
        recallThresholds = recallThresholds.clone();
        overall = List.copyOf(overall);
        perClass = List.copyOf(perClass);
        for (List<Curve> l : List.of(overall, perClass)) {
            for (Curve c : l) {
                if (c.iou50.length != recallThresholds.length) {
                    throw new IllegalArgumentException("curve " + c.name() + " has " + c.iou50.length
                            + " points, not one per recall threshold (" + recallThresholds.length + ")");
                }
            }
        }
    }

    /**
     * The recall thresholds, a copy.
     *
     * @return the recall value of each point, in [0, 1]
     */
    @Override
    public double[] recallThresholds() {
        return recallThresholds.clone();
    }

    /**
     * The curves of an evaluation (last maxDets): over all classes and per class with GT, for every
     * area range. A class without GT in an area range has no curve there. Averages (over classes,
     * over IoU thresholds) leave out entries of {@code -1}, as pycocotools' summary does.
     *
     * @param result an accumulated evaluation; only read
     * @param names category id to name; a missing id is named {@code category <id>}
     * @return the curves: overall ones named "all classes", per-class ones grouped by area range, then in
     *     {@code result}'s category order; a curve at IoU .50 or .75 is all NaN when that IoU was not
     *     evaluated
     */
    public static PrCurves from(CocoEvalResult result, Map<Long, String> names) {
        CocoEvalParams p = result.params();
        int t50 = indexOf(p.iouThresholds(), 0.5);
        int t75 = indexOf(p.iouThresholds(), 0.75);
        long[] ids = result.categoryIds();
        String[] areas = p.areaLabels();
        List<Curve> overall = new ArrayList<>();
        List<Curve> perClass = new ArrayList<>();
        for (int a = 0; a < areas.length; a++) {
            double[] mean = curve(result, -1, -1, a);
            if (mean != null) {
                overall.add(new Curve("all classes", areas[a], curve(result, t50, -1, a), curve(result, t75, -1, a), mean));
            }
        }
        for (int a = 0; a < areas.length; a++) {
            for (int k = 0; k < ids.length; k++) {
                double[] mean = curve(result, -1, k, a);
                if (mean != null) {
                    String name = names.getOrDefault(ids[k], "category " + ids[k]);
                    perClass.add(new Curve(name, areas[a], curve(result, t50, k, a), curve(result, t75, k, a), mean));
                }
            }
        }
        return new PrCurves(p.recallThresholds(), overall, perClass);
    }

    /** The index of {@code v} in {@code values}, or -2 (no IoU: an all-NaN curve). */
    private static int indexOf(double[] values, double v) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == v) {
                return i;
            }
        }
        return -2;
    }

    /**
     * Precision per recall threshold of area {@code a}, last maxDets, averaged over the valid
     * entries of IoU {@code t} (all when -1; none when {@code t} is -2) and class {@code k} (all
     * when -1); NaN where none is valid; {@code null} when no entry is valid.
     */
    private static double[] curve(CocoEvalResult r, int t, int k, int a) {
        double[] out = new double[r.precisionShape()[1]];
        boolean any = false;
        for (int ri = 0; ri < out.length; ri++) {
            double v = t == -2 ? -1 : r.meanPrecision(t, ri, k, a);
            out[ri] = v < 0 ? Double.NaN : v;
            any |= v >= 0;
        }
        return any || t != -1 ? out : null;
    }
}
