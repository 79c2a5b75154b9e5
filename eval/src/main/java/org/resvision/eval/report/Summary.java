package org.resvision.eval.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalResult;

/**
 * The summary section: the COCO stats of one model (and optionally of a second one, shown side
 * by side with the difference) and one row per class.
 *
 * @param modelName the first model's name (a column heading)
 * @param statNames the stats' names, as {@link CocoEvalResult#STAT_NAMES}
 * @param stats one value per name ({@code -1}: not defined)
 * @param otherModelName the second model's name, or {@code null} when there is none
 * @param otherStats the second model's values, one per name, or {@code null}
 * @param classes one row per class, in the order shown (may be empty)
 */
public record Summary(
        String modelName, List<String> statNames, double[] stats, String otherModelName, double[] otherStats, List<ClassRow> classes) {

    /**
     * One class of the per-class table.
     *
     * @param name the class name (any text; it is escaped)
     * @param ap AP@[.50:.95], {@code -1} without ground truth
     * @param ap50 AP@.50, {@code -1} without ground truth
     * @param numGt ground-truth instances (not crowd)
     * @param numDets detections
     */
    public record ClassRow(String name, double ap, double ap50, long numGt, long numDets) {
        /**
         * Checks that the name is present.
         *
         * @param name the class name; not null
         * @param ap AP@[.50:.95] in [0, 1], {@code -1} without ground truth
         * @param ap50 AP@.50 in [0, 1], {@code -1} without ground truth
         * @param numGt ground-truth instances (not crowd)
         * @param numDets detections
         * @throws NullPointerException when {@code name} is null
         */
        public ClassRow {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Checks the lengths: one value per stat name, for both models. Copies the lists and arrays.
     *
     * @param modelName the first model's name; not null
     * @param statNames the stats' names, in the order shown; not null
     * @param stats one value per name ({@code -1}: not defined); not null
     * @param otherModelName the second model's name, or {@code null} (then {@code otherStats} must be too)
     * @param otherStats the second model's values, one per name, or {@code null} (then {@code otherModelName}
     *     must be too)
     * @param classes one row per class, in the order shown; not null, may be empty
     * @throws NullPointerException when a required argument, a name or a row is null
     * @throws IllegalArgumentException when a stats array does not have one value per name, or only one of
     *     {@code otherModelName} and {@code otherStats} is given
     */
    public Summary {
        Objects.requireNonNull(modelName, "modelName");
        statNames = List.copyOf(statNames);
        stats = stats.clone();
        if (stats.length != statNames.size()) {
            throw new IllegalArgumentException(statNames.size() + " stat names but " + stats.length + " values");
        }
        if ((otherModelName == null) != (otherStats == null)) {
            throw new IllegalArgumentException("the second model needs both a name and its stats");
        }
        if (otherStats != null) {
            otherStats = otherStats.clone();
            if (otherStats.length != statNames.size()) {
                throw new IllegalArgumentException(statNames.size() + " stat names but " + otherStats.length + " values of the second model");
            }
        }
        classes = List.copyOf(classes);
    }

    /**
     * The stats, a copy.
     *
     * @return one value per {@link #statNames()} entry, in [0, 1] for COCO's stats, {@code -1} where not defined
     */
    @Override
    public double[] stats() {
        return stats.clone();
    }

    /**
     * The second model's stats, a copy, or {@code null}.
     *
     * @return one value per {@link #statNames()} entry, or {@code null} when there is no second model
     */
    @Override
    public double[] otherStats() {
        return otherStats == null ? null : otherStats.clone();
    }

    /**
     * This summary with a second model's stats.
     *
     * @param name the second model's name (a column heading); null only together with {@code values}
     * @param values its stats, one per {@link #statNames()} entry (copied); null removes the second model
     * @return a new summary; this one is unchanged
     * @throws IllegalArgumentException when {@code values} does not have one value per stat name, or only one
     *     of {@code name} and {@code values} is null
     */
    public Summary withOtherModel(String name, double[] values) {
        return new Summary(modelName, statNames, stats, name, values, classes);
    }

    /**
     * The summary of one evaluation: its 12 stats and, per evaluated category, AP, AP50, the
     * non-crowd GT instances and the detections counted in {@code gt} and {@code detections}
     * (on the evaluated images only, when the evaluation named them).
     *
     * @param modelName the model's name (a column heading); not null
     * @param result the accumulated evaluation: its 12 stats and its categories, in its order
     * @param gt the ground truth evaluated against; gives the class names ({@code category <id>} for an id
     *     it does not list) and the GT counts
     * @param detections the detections evaluated; counted per category id
     * @return a summary without a second model
     * @throws NullPointerException when {@code modelName} is null
     */
    public static Summary from(String modelName, CocoEvalResult result, CocoDataset gt, List<CocoResult> detections) {
        long[] imageIds = result.params().imageIds();
        Set<Long> images = null;
        if (imageIds != null) {
            images = new HashSet<>();
            for (long id : imageIds) {
                images.add(id);
            }
        }
        Map<Long, Long> gtCount = new HashMap<>();
        for (CocoAnnotation a : gt.annotations()) {
            if (!a.iscrowd() && (images == null || images.contains(a.imageId()))) {
                gtCount.merge(a.categoryId(), 1L, Long::sum);
            }
        }
        Map<Long, Long> dtCount = new HashMap<>();
        for (CocoResult d : detections) {
            if (images == null || images.contains(d.imageId())) {
                dtCount.merge(d.categoryId(), 1L, Long::sum);
            }
        }
        long[] ids = result.categoryIds();
        List<ClassRow> rows = new ArrayList<>(ids.length);
        for (int k = 0; k < ids.length; k++) {
            var c = gt.category(ids[k]);
            String name = c == null ? "category " + ids[k] : c.name();
            rows.add(new ClassRow(name, result.categoryAp(k), result.categoryAp50(k),
                    gtCount.getOrDefault(ids[k], 0L), dtCount.getOrDefault(ids[k], 0L)));
        }
        return new Summary(modelName, CocoEvalResult.STAT_NAMES, result.stats(), null, null, rows);
    }
}
