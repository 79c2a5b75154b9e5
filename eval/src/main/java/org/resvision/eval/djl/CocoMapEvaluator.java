package org.resvision.eval.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.evaluator.Evaluator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvaluator;

/**
 * COCO box mAP as a DJL {@link Evaluator}, so that a DJL {@code Trainer} (through {@code
 * EasyTrain.validateBatch} and {@code EvaluatorTrainingListener}, or a user calling {@code
 * updateAccumulator} after {@code trainer.evaluate}) reports pycocotools' numbers: each
 * accumulator collects its images' ground truth and detections, and {@link #getAccumulator}
 * evaluates them with {@link CocoEvaluator} (exact pycocotools semantics). It reports one of the 12
 * stats ({@code AP} unless {@link Builder#optStat} says otherwise); {@link #getStats} gives all 12
 * and {@link #getResult} the whole result (summary text, per-category AP).
 *
 * <p><b>Labels</b> (what {@code DetectionDataset} gives a {@code Trainer}, padded by its {@code
 * PaddingBatchifier.targets()}): {@code [boxes [B, M, 4], classes [B, M]]}, boxes {@code x1, y1,
 * x2, y2} in pixels, classes integers (any numeric type); a row whose class is negative is padding
 * and skipped. Every other row is a ground-truth object (none is crowd).
 *
 * <p><b>Predictions</b>, either of:
 *
 * <ul>
 *   <li>per image, what a {@code FasterRcnn} block's forward returns in inference: {@code [boxes_1
 *       [D_1, 4], scores_1 [D_1], classes_1 [D_1], ..., boxes_B, scores_B, classes_B]}, three
 *       arrays per image (told apart by boxes of rank 2);
 *   <li>padded: {@code [boxes [B, D, 4], scores [B, D], classes [B, D]]} (boxes of rank 3), rows
 *       whose class is negative being padding.
 * </ul>
 *
 * Boxes are {@code x1, y1, x2, y2} in the same pixels as the labels' (for {@code FasterRcnn} on
 * {@code DetectionDataset} batches, both are in the resized images' pixels). Classes are the
 * category ids of the evaluation: the model's training labels {@code 1..K} here; the categories
 * are those that occur in the ground truth or the detections (or {@link
 * CocoEvalParams#categoryIds()} when given), which gives pycocotools' numbers for a dataset's
 * full category list, categories without ground truth not counting in either.
 *
 * <p>Boxes become COCO {@code [x, y, w, h]} as {@code CocoDetectionEvaluator.toCoco} makes them
 * ({@code w = x2 - x1} in the arrays' own precision, float for float32); a ground-truth object's
 * {@code area} is {@code w * h}. Images get ids {@code 1, 2, ...} in the order an accumulator sees
 * them, objects likewise. A NaN or infinite box or score, or arrays of other shapes, are an {@link
 * IllegalArgumentException} of one line.
 *
 * <p>What this measures differs from the published evaluation ({@code DetectionEvaluation},
 * {@code coco-eval}) where the labels differ from the annotation file: crowd regions are not in
 * the labels (a detection on one is a false positive rather than ignored), boxes are clipped and
 * degenerate ones dropped, and the area ranges (small/medium/large) are measured in the labels'
 * pixels (resized images). The all-area stats are the same up to float rounding on data without
 * crowd annotations: IoU does not change when both box sets are scaled alike.
 *
 * <p>Cost: {@link #getAccumulator} runs a whole evaluation over everything accumulated (cached
 * until the next update or reset); a listener that reads an accumulator after every training
 * batch (DJL's {@code train/progress}) pays that each time. {@link Builder#optAccumulatorKeys}
 * restricts which accumulators collect anything (the others ignore updates and read -1), for
 * instance to {@code "validate/epoch"} for a model whose training outputs are not detections.
 *
 * <p>Thread safety: the accumulator methods are synchronized on the evaluator, so updates from
 * several threads (multi-device validation) are safe; {@link #evaluate(NDList, NDList)} keeps no
 * state. The evaluator reads the arrays into Java memory and creates no NDArray except the
 * scalar {@code evaluate} returns.
 */
public final class CocoMapEvaluator extends Evaluator {

    /** The name of an evaluator built without {@link Builder#optName}. */
    public static final String DEFAULT_NAME = "mAP";

    private final String stat;
    private final int statIndex;
    private final CocoEvalParams params;
    private final Set<String> keys; // null: every key collects
    private final Map<String, Accumulator> accumulators = new HashMap<>();

    /** COCO AP under the name {@value #DEFAULT_NAME}, pycocotools' default parameters. */
    public CocoMapEvaluator() {
        this(builder());
    }

    /**
     * COCO AP under {@code name}, pycocotools' default parameters.
     *
     * @param name the evaluator's name, in DJL's metric names ({@code validate_epoch_<name>}, ...)
     */
    public CocoMapEvaluator(String name) {
        this(builder().optName(name));
    }

    private CocoMapEvaluator(Builder b) {
        super(b.name);
        this.stat = b.stat;
        this.statIndex = CocoEvalResult.STAT_NAMES.indexOf(b.stat);
        this.params = b.params;
        this.keys = b.keys == null ? null : Set.copyOf(b.keys);
    }

    /**
     * A builder: name, reported stat, parameters, accumulator keys.
     *
     * @return a new builder with the defaults: name {@value #DEFAULT_NAME}, stat {@code AP},
     *     pycocotools' box parameters, every accumulator collecting
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The stat {@link #getAccumulator} and {@link #evaluate} report (one of {@link CocoEvalResult#STAT_NAMES}).
     *
     * @return the stat's name, such as {@code "AP"}
     */
    public String getStat() {
        return stat;
    }

    /**
     * The evaluation parameters (box IoU; image ids left to the evaluator).
     *
     * @return the parameters given to {@link Builder#optParams}, or pycocotools' box defaults
     */
    public CocoEvalParams getParams() {
        return params;
    }

    /**
     * The reported stat over this one batch, as a float scalar belonging to the labels' manager
     * (-1 when the batch has no ground truth, as pycocotools).
     */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        Accumulator a = new Accumulator();
        a.add(parse(labels, predictions));
        return labels.head().getManager().create((float) a.evaluate(params).stats()[statIndex]);
    }

    /** Adds (or empties) the accumulator {@code key}. */
    @Override
    public synchronized void addAccumulator(String key) {
        accumulators.put(key, new Accumulator());
        totalInstances.put(key, 0L);
    }

    /**
     * Adds a batch's images (ground truth from {@code labels}, detections from {@code
     * predictions}; formats in the class Javadoc) to accumulator {@code key}.
     *
     * @throws IllegalArgumentException no such accumulator, or inputs of another format
     */
    @Override
    public synchronized void updateAccumulator(String key, NDList labels, NDList predictions) {
        updateAccumulators(new String[] {key}, labels, predictions);
    }

    /** As {@link #updateAccumulator} for several keys, reading the arrays once. */
    @Override
    public synchronized void updateAccumulators(String[] keys, NDList labels, NDList predictions) {
        List<Accumulator> targets = new ArrayList<>();
        for (String key : keys) {
            Accumulator a = accumulator(key);
            if (collects(key)) {
                targets.add(a);
            }
        }
        if (targets.isEmpty()) {
            return;
        }
        List<ImageEntry> batch = parse(labels, predictions);
        for (String key : keys) {
            if (collects(key)) {
                accumulators.get(key).add(batch);
                totalInstances.put(key, (long) accumulators.get(key).images.size());
            }
        }
    }

    /** Forgets what accumulator {@code key} collected; image ids start at 1 again. */
    @Override
    public synchronized void resetAccumulator(String key) {
        accumulator(key);
        addAccumulator(key);
    }

    /**
     * The reported stat over everything accumulator {@code key} collected; -1 when that has no
     * ground truth (pycocotools' value; also for an empty or non-collecting accumulator).
     *
     * @throws IllegalArgumentException no such accumulator
     */
    @Override
    public synchronized float getAccumulator(String key) {
        return (float) getStats(key)[statIndex];
    }

    /**
     * The 12 stats ({@link CocoEvalResult#STAT_NAMES} order) over what accumulator {@code key} collected.
     *
     * @param key the accumulator, such as {@code "validate/epoch"}
     * @return a new array; -1 entries where nothing was evaluated (no ground truth, or an accumulator
     *     that does not collect)
     * @throws IllegalArgumentException no such accumulator
     * @throws IllegalStateException when the accumulated data cannot be evaluated (the cause says why)
     */
    public synchronized double[] getStats(String key) {
        return getResult(key).stats();
    }

    /**
     * The whole evaluation of what accumulator {@code key} collected (stats, summary text, per-category AP).
     * Evaluated on the first call after an update or reset, then cached.
     *
     * @param key the accumulator
     * @return the result, the cached object itself (shared by later calls until the next update)
     * @throws IllegalArgumentException no such accumulator
     * @throws IllegalStateException when the accumulated data cannot be evaluated (the cause says why)
     */
    public synchronized CocoEvalResult getResult(String key) {
        return accumulator(key).evaluate(params);
    }

    /**
     * How many images accumulator {@code key} holds.
     *
     * @param key the accumulator
     * @return the images added since it was added or last reset (0 for one that does not collect)
     * @throws IllegalArgumentException no such accumulator
     */
    public synchronized int getImageCount(String key) {
        return accumulator(key).images.size();
    }

    private Accumulator accumulator(String key) {
        Accumulator a = accumulators.get(key);
        if (a == null) {
            throw new IllegalArgumentException("evaluator '" + getName() + "' has no accumulator '" + key + "' (addAccumulator first)");
        }
        return a;
    }

    private boolean collects(String key) {
        return keys == null || keys.contains(key);
    }

    /** One image: ground truth and detections, boxes as COCO {@code [x, y, w, h]}. */
    private record ImageEntry(double[][] gtBoxes, long[] gtClasses, double[][] dtBoxes, double[] dtScores, long[] dtClasses) {}

    /** Everything one accumulator collected, as a COCO ground truth and results list. */
    private static final class Accumulator {
        final List<CocoImage> images = new ArrayList<>();
        final List<CocoAnnotation> annotations = new ArrayList<>();
        final List<CocoResult> results = new ArrayList<>();
        final Set<Long> categories = new TreeSet<>();
        CocoEvalResult cached;

        void add(List<ImageEntry> batch) {
            for (ImageEntry e : batch) {
                long imageId = images.size() + 1;
                images.add(new CocoImage(imageId, "", 0, 0)); // the size only matters for masks
                for (int g = 0; g < e.gtClasses().length; g++) {
                    double[] b = e.gtBoxes()[g];
                    annotations.add(new CocoAnnotation(annotations.size() + 1, imageId, e.gtClasses()[g], b, b[2] * b[3], false, null));
                    categories.add(e.gtClasses()[g]);
                }
                for (int d = 0; d < e.dtClasses().length; d++) {
                    results.add(new CocoResult(imageId, e.dtClasses()[d], e.dtBoxes()[d], e.dtScores()[d], null));
                    categories.add(e.dtClasses()[d]);
                }
            }
            cached = null;
        }

        CocoEvalResult evaluate(CocoEvalParams params) {
            if (cached == null) {
                Set<Long> ids = new LinkedHashSet<>(categories);
                if (params.categoryIds() != null) {
                    Arrays.stream(params.categoryIds()).forEach(ids::add);
                }
                List<CocoCategory> cats = new ArrayList<>();
                for (long id : ids) {
                    cats.add(new CocoCategory(id, String.valueOf(id), ""));
                }
                try {
                    cached = CocoEvaluator.evaluate(new CocoDataset(images, annotations, cats), results, params);
                } catch (CocoEvalException e) {
                    throw new IllegalStateException("COCO evaluation of the accumulated batches failed: " + e.getMessage(), e);
                }
            }
            return cached;
        }
    }

    /** The batch's images, read from the two formats the class Javadoc describes. */
    static List<ImageEntry> parse(NDList labels, NDList predictions) {
        if (labels.size() < 2) {
            throw new IllegalArgumentException("labels must be [boxes [B, M, 4], classes [B, M]] (DetectionDataset's), got "
                    + labels.size() + " array(s)");
        }
        Shape boxShape = labels.get(0).getShape();
        Shape classShape = labels.get(1).getShape();
        if (boxShape.dimension() != 3 || boxShape.get(2) != 4 || classShape.dimension() != 2 || classShape.get(0) != boxShape.get(0)
                || classShape.get(1) != boxShape.get(1)) {
            throw new IllegalArgumentException("labels must be boxes [B, M, 4] and classes [B, M], got " + boxShape + " and " + classShape);
        }
        int batch = Math.toIntExact(boxShape.get(0));
        int m = Math.toIntExact(boxShape.get(1));
        Values gtBoxes = Values.of(labels.get(0));
        double[] gtClasses = Values.of(labels.get(1)).v;

        List<ImageEntry> out = new ArrayList<>(batch);
        if (predictions.isEmpty() && batch == 0) {
            return out;
        }
        if (predictions.isEmpty()) {
            throw new IllegalArgumentException("no predictions for a batch of " + batch + " image(s)");
        }
        boolean padded = predictions.get(0).getShape().dimension() == 3;
        if (padded) {
            checkPadded(predictions, batch);
        } else if (predictions.size() != 3L * batch) {
            throw new IllegalArgumentException("predictions must be three arrays per image (boxes [D, 4], scores [D], classes [D]) or "
                    + "padded [boxes [B, D, 4], scores [B, D], classes [B, D]]; got " + predictions.size() + " array(s) for " + batch
                    + " image(s), the first of shape " + predictions.get(0).getShape());
        }
        Values pBoxes = padded ? Values.of(predictions.get(0)) : null;
        double[] pScores = padded ? Values.of(predictions.get(1)).v : null;
        double[] pClasses = padded ? Values.of(predictions.get(2)).v : null;
        int pd = padded ? Math.toIntExact(predictions.get(0).getShape().get(1)) : 0;
        for (int i = 0; i < batch; i++) {
            String where = "image " + (i + 1) + " of the batch";
            List<double[]> gb = new ArrayList<>();
            List<Long> gc = new ArrayList<>();
            for (int r = 0; r < m; r++) {
                long c = classOf(gtClasses[i * m + r], where + ", label row " + (r + 1));
                if (c >= 0) {
                    gb.add(gtBoxes.xywh((i * m + r) * 4, where + ", label row " + (r + 1)));
                    gc.add(c);
                }
            }
            Values boxes;
            double[] scores;
            double[] classes;
            int offset;
            int count;
            if (padded) {
                boxes = pBoxes;
                scores = pScores;
                classes = pClasses;
                offset = i * pd;
                count = pd;
            } else {
                NDArray b = predictions.get(3 * i);
                NDArray s = predictions.get(3 * i + 1);
                NDArray c = predictions.get(3 * i + 2);
                long d = b.getShape().get(0);
                if (b.getShape().dimension() != 2 || b.getShape().get(1) != 4 || !s.getShape().equals(new Shape(d))
                        || !c.getShape().equals(new Shape(d))) {
                    throw new IllegalArgumentException(where + ": predictions must be boxes [D, 4], scores [D], classes [D], got "
                            + b.getShape() + ", " + s.getShape() + ", " + c.getShape());
                }
                boxes = Values.of(b);
                scores = Values.of(s).v;
                classes = Values.of(c).v;
                offset = 0;
                count = Math.toIntExact(d);
            }
            List<double[]> db = new ArrayList<>();
            List<Double> ds = new ArrayList<>();
            List<Long> dc = new ArrayList<>();
            for (int r = offset; r < offset + count; r++) {
                String row = where + ", detection " + (r - offset + 1);
                long c = classOf(classes[r], row);
                if (c < 0) {
                    continue;
                }
                if (!Double.isFinite(scores[r])) {
                    throw new IllegalArgumentException(row + ": score is " + scores[r]);
                }
                db.add(boxes.xywh(r * 4, row));
                ds.add(scores[r]);
                dc.add(c);
            }
            out.add(new ImageEntry(gb.toArray(new double[0][]), gc.stream().mapToLong(Long::longValue).toArray(),
                    db.toArray(new double[0][]), ds.stream().mapToDouble(Double::doubleValue).toArray(),
                    dc.stream().mapToLong(Long::longValue).toArray()));
        }
        return out;
    }

    private static void checkPadded(NDList p, int batch) {
        Shape b = p.get(0).getShape();
        if (p.size() != 3 || b.get(2) != 4 || b.get(0) != batch || !p.get(1).getShape().equals(new Shape(b.get(0), b.get(1)))
                || !p.get(2).getShape().equals(new Shape(b.get(0), b.get(1)))) {
            throw new IllegalArgumentException("padded predictions must be [boxes [B, D, 4], scores [B, D], classes [B, D]] with B = "
                    + batch + " (the labels' batch); got " + p.size() + " array(s), the first three of shapes " + b
                    + (p.size() > 1 ? ", " + p.get(1).getShape() : "") + (p.size() > 2 ? ", " + p.get(2).getShape() : ""));
        }
    }

    private static long classOf(double v, String where) {
        if (v != Math.rint(v) || Math.abs(v) > 1L << 53) {
            throw new IllegalArgumentException(where + ": class " + v + " is not an integer");
        }
        return v < 0 ? -1 : (long) v;
    }

    /** An array's values in Java memory; {@code float32} says boxes are widths in float arithmetic. */
    private static final class Values {
        final double[] v;
        final boolean float32;

        private Values(double[] v, boolean float32) {
            this.v = v;
            this.float32 = float32;
        }

        static Values of(NDArray a) {
            DataType t = a.getDataType();
            switch (t) {
                case FLOAT32 -> {
                    float[] f = a.toFloatArray();
                    double[] d = new double[f.length];
                    for (int i = 0; i < f.length; i++) {
                        d[i] = f[i];
                    }
                    return new Values(d, true);
                }
                case FLOAT64 -> {
                    return new Values(a.toDoubleArray(), false);
                }
                case INT64 -> {
                    return new Values(Arrays.stream(a.toLongArray()).asDoubleStream().toArray(), false);
                }
                case INT32 -> {
                    return new Values(Arrays.stream(a.toIntArray()).asDoubleStream().toArray(), false);
                }
                default -> {
                    try (NDArray f = a.toType(DataType.FLOAT32, true)) { // float16, int8, ...: a copy, freed here
                        return of(f);
                    }
                }
            }
        }

        /** Row {@code x1, y1, x2, y2} at {@code at} as COCO {@code [x, y, w, h]}. */
        double[] xywh(int at, String where) {
            double x1 = v[at];
            double y1 = v[at + 1];
            double x2 = v[at + 2];
            double y2 = v[at + 3];
            if (!Double.isFinite(x1) || !Double.isFinite(y1) || !Double.isFinite(x2) || !Double.isFinite(y2)) {
                throw new IllegalArgumentException(where + ": box (x1, y1, x2, y2) = (" + x1 + ", " + y1 + ", " + x2 + ", " + y2
                        + ") is not finite");
            }
            return float32
                    ? new double[] {x1, y1, (float) x2 - (float) x1, (float) y2 - (float) y1}
                    : new double[] {x1, y1, x2 - x1, y2 - y1};
        }
    }

    /** Name, reported stat, parameters and accumulator keys of a {@link CocoMapEvaluator}. */
    public static final class Builder {
        private String name = DEFAULT_NAME;
        private String stat = "AP";
        private CocoEvalParams params = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);
        private List<String> keys;

        private Builder() {}

        /**
         * The evaluator's name (DJL's metric names are {@code validate_epoch_<name>} and so on).
         *
         * @param name the name; default {@value CocoMapEvaluator#DEFAULT_NAME}
         * @return this builder
         */
        public Builder optName(String name) {
            this.name = name;
            return this;
        }

        /**
         * The stat to report, one of {@code AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs,
         * ARm, ARl} (default {@code AP}).
         *
         * @param stat the stat's name, case-sensitive
         * @return this builder
         * @throws IllegalArgumentException for any other name
         */
        public Builder optStat(String stat) {
            if (!CocoEvalResult.STAT_NAMES.contains(stat)) {
                throw new IllegalArgumentException("stat '" + stat + "' is not one of " + String.join(", ", CocoEvalResult.STAT_NAMES));
            }
            this.stat = stat;
            return this;
        }

        /**
         * Evaluation parameters (default: pycocotools' for boxes): box IoU only, and no image ids
         * (the evaluator numbers the images itself).
         *
         * @param params box parameters without image ids; with category ids, exactly those
         *     categories are evaluated
         * @return this builder
         * @throws IllegalArgumentException for segm parameters or parameters that list image ids
         */
        public Builder optParams(CocoEvalParams params) {
            if (params.iouType() != CocoEvalParams.IouType.BBOX) {
                throw new IllegalArgumentException("CocoMapEvaluator evaluates boxes (iou type bbox), not " + params.iouType());
            }
            if (params.imageIds() != null) {
                throw new IllegalArgumentException("CocoMapEvaluator numbers the images it sees; params must not list image ids");
            }
            this.params = params;
            return this;
        }

        /**
         * Only these accumulators collect (for instance {@code "validate/epoch"}, DJL's {@code
         * EvaluatorTrainingListener.VALIDATE_EPOCH}); updates of the others are ignored and they
         * read -1. By default every accumulator collects.
         *
         * @param keys the accumulator keys that collect (none: no accumulator collects)
         * @return this builder
         */
        public Builder optAccumulatorKeys(String... keys) {
            this.keys = List.of(keys);
            return this;
        }

        /**
         * The evaluator.
         *
         * @return a new evaluator with this builder's settings (later changes to the builder do not
         *     affect it)
         */
        public CocoMapEvaluator build() {
            return new CocoMapEvaluator(this);
        }
    }
}
