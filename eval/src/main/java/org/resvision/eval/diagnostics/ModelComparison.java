package org.resvision.eval.diagnostics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoMatching;

/**
 * Two detectors' COCO results on the same ground truth, compared: every summary stat and each
 * category's AP and AP50 as B - A, with a paired bootstrap interval over images.
 *
 * <p><b>Method.</b> The point estimates are the two full evaluations ({@link CocoMatching#accumulate()}).
 * Resample {@code r} ({@code 0 <= r < resamples}) draws {@code n} images with replacement from the
 * {@code n} evaluated images and evaluates both models on that same draw (paired), as pycocotools
 * would evaluate a dataset holding each drawn image as many times as it was drawn
 * ({@link CocoMatching#accumulate(int[])}); its difference is B's value minus A's.
 *
 * <p><b>Draw.</b> {@code root = new java.util.SplittableRandom(seed)}; resample {@code r}'s generator
 * is the {@code (r+1)}-th {@code root.split()} (splits taken in order {@code r = 0, 1, ...});
 * then {@code n} times {@code weights[g.nextInt(n)]++}, where index {@code i} is the {@code i}-th
 * image id in ascending order ({@link CocoMatching#imageIds()}). The draws do not depend on the
 * detections, on the thread count or on scheduling: two comparisons with the same seed over the same
 * images use the same resamples.
 *
 * <p><b>Interval.</b> The {@code confidence} percentile interval of the resampled differences:
 * the quantiles {@code q = (1 - confidence) / 2} and {@code (1 + confidence) / 2} (computed in
 * double, as written) with numpy's default {@code 'linear'} method: over the {@code m} sorted
 * values, {@code h = (m - 1) * q}, {@code i = floor(h)}, {@code g = h - i}, {@code d = x[i+1] - x[i]},
 * value {@code x[i] + d * g} when {@code g < 0.5}, else {@code x[i+1] - d * (1 - g)}; bit for bit
 * {@code numpy.quantile(deltas, [(1 - c) / 2, (1 + c) / 2])}. {@code pBBetter} is the fraction of
 * resamples where B's value is strictly above A's.
 *
 * <p><b>No ground truth.</b> pycocotools gives -1 where there is no ground truth (a category, or an
 * area range in every category). Whether a value is -1 depends on the ground truth and the draw
 * only, so it is the same for A and B. A stat's mean skips the categories a resample left without
 * ground truth, exactly as pycocotools does on that resampled dataset, so the stat's interval is
 * the bootstrap of the stat as pycocotools computes it. A resample in which the value itself is
 * -1 (a category drawn without any of its ground truth; APs with no small object drawn) has no
 * difference: it is left out, and the interval and {@code pBBetter} are over the remaining ones
 * ({@link Delta#resamples()} says how many), i.e. conditional on the value being defined. A value
 * that is -1 on the full set has no difference, interval or {@code pBBetter} (NaN; null in JSON).
 *
 * <p>Immutable; thread-safe. {@link #compare} uses {@link Bootstrap#threads()} threads of its own
 * and may be called from several threads at once.
 */
public final class ModelComparison {

    /**
     * The bootstrap's settings.
     *
     * @param resamples the number of resamples, at least 1 ({@link #DEFAULT_RESAMPLES} by default)
     * @param seed the seed of the draws (0 by default)
     * @param confidence the interval's coverage, in (0, 1) (0.95 by default)
     * @param threads threads evaluating resamples, at least 1 (the available processors by
     *     default); the numbers do not depend on it
     */
    public record Bootstrap(int resamples, long seed, double confidence, int threads) {

        /**
         * 1000 resamples: at val2017 scale (5000 images, 80 categories, 361k detections per model)
         * a resample of both models takes about 65 ms of CPU, so 1000 take about 40-50 s on two
         * cores. The Monte Carlo error of a 95% percentile end point at 1000 resamples is a few
         * percent of the interval's width; 200 resamples (about 10 s) give a rough interval.
         */
        public static final int DEFAULT_RESAMPLES = 1000;

        /**
         * Checks the values.
         *
         * @param resamples the number of resamples, at least 1
         * @param seed the seed of the draws; any value
         * @param confidence the interval's coverage, in (0, 1)
         * @param threads threads evaluating resamples, at least 1
         * @throws IllegalArgumentException for a value out of range, with a one-line reason
         */
        public Bootstrap {
            if (resamples < 1) {
                throw new IllegalArgumentException("the bootstrap needs at least 1 resample, got " + resamples);
            }
            if (!(confidence > 0 && confidence < 1)) {
                throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
        }

        /**
         * {@value #DEFAULT_RESAMPLES} resamples, seed 0, 95% intervals, every available processor.
         *
         * @return the default settings; {@code threads} is {@code Runtime.availableProcessors()} at the call
         */
        public static Bootstrap defaults() {
            return new Bootstrap(DEFAULT_RESAMPLES, 0, 0.95, Runtime.getRuntime().availableProcessors());
        }

        /**
         * These settings with {@code n} resamples.
         *
         * @param n the number of resamples, at least 1
         * @return a new instance; this one is unchanged
         * @throws IllegalArgumentException when {@code n < 1}
         */
        public Bootstrap withResamples(int n) {
            return new Bootstrap(n, seed, confidence, threads);
        }

        /**
         * These settings with another seed.
         *
         * @param s the seed of the draws
         * @return a new instance; this one is unchanged
         */
        public Bootstrap withSeed(long s) {
            return new Bootstrap(resamples, s, confidence, threads);
        }

        /**
         * These settings with another confidence.
         *
         * @param c the interval's coverage, in (0, 1), e.g. 0.9 for a 90% interval
         * @return a new instance; this one is unchanged
         * @throws IllegalArgumentException for {@code c} outside (0, 1)
         */
        public Bootstrap withConfidence(double c) {
            return new Bootstrap(resamples, seed, c, threads);
        }

        /**
         * These settings with another thread count (the numbers stay the same).
         *
         * @param n threads evaluating resamples, at least 1
         * @return a new instance; this one is unchanged
         * @throws IllegalArgumentException when {@code n < 1}
         */
        public Bootstrap withThreads(int n) {
            return new Bootstrap(resamples, seed, confidence, n);
        }
    }

    /**
     * One value of both models and its difference.
     *
     * @param name the stat's name ({@link CocoEvalResult#STAT_NAMES}), or {@code AP} / {@code AP50} for a category
     * @param a model A's value on the full set (-1: no ground truth)
     * @param b model B's value on the full set (-1: no ground truth)
     * @param delta {@code b - a}; NaN when there is no ground truth
     * @param low the interval's lower end; NaN when no resample has a difference
     * @param high the interval's upper end; NaN when no resample has a difference
     * @param pBBetter the fraction of resamples (of those with a difference) where B is above A; NaN without any
     * @param resamples the resamples with a difference (those whose draw has ground truth for this value)
     */
    public record Delta(String name, double a, double b, double delta, double low, double high, double pBBetter,
            int resamples) {

        /**
         * Whether the interval {@code [low, high]} contains {@code x}.
         *
         * @param x a difference (B - A), e.g. 0 to ask whether the change is significant at this confidence
         * @return true when {@code low <= x <= high} (ends included); false when the interval is NaN
         */
        public boolean intervalContains(double x) {
            return low <= x && x <= high;
        }
    }

    /**
     * One category's AP@[.50:.95] and AP@.50 differences.
     *
     * @param categoryId the category's id
     * @param ap its AP (area all, maxDets 100)
     * @param ap50 its AP at IoU 0.50
     */
    public record ClassDelta(long categoryId, Delta ap, Delta ap50) {}

    private final Bootstrap options;
    private final int images;
    private final List<Delta> stats;
    private final List<ClassDelta> classes;

    private ModelComparison(Bootstrap options, int images, List<Delta> stats, List<ClassDelta> classes) {
        this.options = options;
        this.images = images;
        this.stats = stats;
        this.classes = classes;
    }

    /**
     * {@link #compare(CocoMatching, CocoMatching, Bootstrap)} with {@link Bootstrap#defaults()}.
     *
     * @param a model A's matching (the baseline)
     * @param b model B's matching, against the same ground truth and parameters
     * @return the comparison, differences B - A
     * @throws IllegalArgumentException when the two cannot be compared (see the three-argument form)
     */
    public static ModelComparison compare(CocoMatching a, CocoMatching b) {
        return compare(a, b, Bootstrap.defaults());
    }

    /**
     * Compares model B against model A (differences B - A) with a paired bootstrap over images.
     *
     * @param a model A's matching (the baseline); only read
     * @param b model B's matching; only read
     * @param options resamples, seed, confidence and threads
     * @return the comparison: both full evaluations and the bootstrap intervals
     * @throws IllegalArgumentException (one line) when the two were not matched against the same
     *     ground truth with the same parameters, images and categories
     * @throws IllegalStateException when the calling thread is interrupted while waiting for the
     *     resamples (its interrupt flag is set again)
     */
    public static ModelComparison compare(CocoMatching a, CocoMatching b, Bootstrap options) {
        String difference = a.groundTruthDifference(b);
        if (difference != null) {
            throw new IllegalArgumentException("the two results cannot be compared: " + difference);
        }
        int n = a.imageIds().length;
        int K = a.categoryIds().length;
        int S = CocoEvalResult.STAT_NAMES.size();
        int R = options.resamples();
        CocoEvalResult fullA = a.accumulate();
        CocoEvalResult fullB = b.accumulate();

        SplittableRandom root = new SplittableRandom(options.seed());
        SplittableRandom[] generators = new SplittableRandom[R];
        for (int r = 0; r < R; r++) {
            generators[r] = root.split();
        }
        // [r * S + s] and [r * K + k]: B - A in resample r, NaN where undefined
        double[] stat = new double[R * S];
        double[] ap = new double[R * K];
        double[] ap50 = new double[R * K];
        Runnable all = () -> IntStream.range(0, R).parallel().forEach(r -> {
            int[] w = draw(generators[r], n);
            CocoEvalResult ra = a.accumulate(w);
            CocoEvalResult rb = b.accumulate(w);
            double[] sa = ra.stats();
            double[] sb = rb.stats();
            for (int s = 0; s < S; s++) {
                stat[r * S + s] = difference(sa[s], sb[s]);
            }
            for (int k = 0; k < K; k++) {
                ap[r * K + k] = difference(ra.categoryAp(k), rb.categoryAp(k));
                ap50[r * K + k] = difference(ra.categoryAp50(k), rb.categoryAp50(k));
            }
        });
        ForkJoinPool pool = new ForkJoinPool(options.threads());
        try {
            pool.submit(all).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the bootstrap was interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }

        double[] sa = fullA.stats();
        double[] sb = fullB.stats();
        List<Delta> stats = new ArrayList<>();
        for (int s = 0; s < S; s++) {
            stats.add(delta(CocoEvalResult.STAT_NAMES.get(s), sa[s], sb[s], column(stat, R, S, s), options.confidence()));
        }
        long[] catIds = a.categoryIds();
        List<ClassDelta> classes = new ArrayList<>();
        for (int k = 0; k < K; k++) {
            classes.add(new ClassDelta(catIds[k],
                    delta("AP", fullA.categoryAp(k), fullB.categoryAp(k), column(ap, R, K, k), options.confidence()),
                    delta("AP50", fullA.categoryAp50(k), fullB.categoryAp50(k), column(ap50, R, K, k), options.confidence())));
        }
        return new ModelComparison(options, n, List.copyOf(stats), List.copyOf(classes));
    }

    /** The image weights of resample {@code r} (see the class comment); for tests. */
    static int[] resampleWeights(long seed, int r, int images) {
        SplittableRandom root = new SplittableRandom(seed);
        SplittableRandom g = root.split();
        for (int i = 0; i < r; i++) {
            g = root.split();
        }
        return draw(g, images);
    }

    /** {@code n} draws with replacement from {@code n} images: how often each was drawn. */
    private static int[] draw(SplittableRandom g, int n) {
        int[] w = new int[n];
        for (int j = 0; j < n; j++) {
            w[g.nextInt(n)]++;
        }
        return w;
    }

    /** B - A, or NaN where either is -1 (no ground truth). */
    private static double difference(double a, double b) {
        return a > -1 && b > -1 ? b - a : Double.NaN;
    }

    private static double[] column(double[] values, int rows, int width, int col) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            out[r] = values[r * width + col];
        }
        return out;
    }

    private static Delta delta(String name, double a, double b, double[] resampled, double confidence) {
        double[] defined = Arrays.stream(resampled).filter(v -> !Double.isNaN(v)).sorted().toArray();
        int m = defined.length;
        double d = difference(a, b);
        if (Double.isNaN(d) || m == 0) {
            return new Delta(name, a, b, d, Double.NaN, Double.NaN, Double.NaN, m);
        }
        long better = Arrays.stream(defined).filter(v -> v > 0).count();
        return new Delta(name, a, b, d, quantile(defined, (1 - confidence) / 2), quantile(defined, (1 + confidence) / 2),
                (double) better / m, m);
    }

    /** numpy's {@code quantile(x, q)} (method 'linear') of ascending {@code sorted}, bit for bit. */
    static double quantile(double[] sorted, double q) {
        int m = sorted.length;
        double h = (m - 1) * q;
        double below = Math.floor(h);
        int i = (int) below;
        int j = Math.min(i + 1, m - 1);
        double g = h - below;
        double x = sorted[i];
        double y = sorted[j];
        double diff = y - x;
        return g >= 0.5 ? y - diff * (1 - g) : x + diff * g;
    }

    /**
     * The settings used.
     *
     * @return the {@code options} given to {@link #compare(CocoMatching, CocoMatching, Bootstrap)}
     */
    public Bootstrap options() {
        return options;
    }

    /**
     * The number of evaluated images (each resample draws this many).
     *
     * @return the length of {@link CocoMatching#imageIds()}
     */
    public int images() {
        return images;
    }

    /**
     * The 12 stats, in {@link CocoEvalResult#STAT_NAMES} order.
     *
     * @return an unmodifiable list; values are COCO's, in [0, 1] (-1 without ground truth)
     */
    public List<Delta> stats() {
        return stats;
    }

    /**
     * Per category (ascending id, as evaluated): AP and AP50.
     *
     * @return an unmodifiable list, one entry per evaluated category
     */
    public List<ClassDelta> classes() {
        return classes;
    }

    /**
     * {@link #toJson(Map)} without category names.
     *
     * @return a new JSON tree, every {@code name} of {@code per_class} empty
     */
    public ObjectNode toJson() {
        return toJson(Map.of());
    }

    /**
     * {@code {"method", "images", "resamples", "seed", "confidence", "stats": [{name, a, b, delta,
     * low, high, p_b_better, resamples}], "per_class": [{id, name, AP: {...}, AP50: {...}}]}};
     * undefined numbers (NaN) are null.
     *
     * @param names category id to display name; an id without one gets {@code ""}
     * @return a new JSON tree
     */
    public ObjectNode toJson(Map<Long, String> names) {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("method", "paired bootstrap over images, percentile interval (numpy 'linear'), differences B - A");
        root.put("images", images);
        root.put("resamples", options.resamples());
        root.put("seed", options.seed());
        root.put("confidence", options.confidence());
        ArrayNode s = root.putArray("stats");
        for (Delta d : stats) {
            put(s.addObject(), d);
        }
        ArrayNode pc = root.putArray("per_class");
        for (ClassDelta c : classes) {
            ObjectNode o = pc.addObject();
            o.put("id", c.categoryId());
            o.put("name", names.getOrDefault(c.categoryId(), ""));
            put(o.putObject("AP"), c.ap());
            put(o.putObject("AP50"), c.ap50());
        }
        return root;
    }

    private static void put(ObjectNode o, Delta d) {
        o.put("name", d.name());
        number(o, "a", d.a());
        number(o, "b", d.b());
        number(o, "delta", d.delta());
        number(o, "low", d.low());
        number(o, "high", d.high());
        number(o, "p_b_better", d.pBBetter());
        o.put("resamples", d.resamples());
    }

    private static void number(ObjectNode o, String key, double v) {
        if (Double.isNaN(v)) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }

    /**
     * {@link #toText(Map)} without category names.
     *
     * @return the table, category names left blank
     */
    public String toText() {
        return toText(Map.of());
    }

    /**
     * A table for the terminal: one row per stat (A, B, B - A, interval, P(B > A)), then one row
     * per category (AP and AP50 the same way); {@code n/a} where there is no ground truth, and a
     * {@code *} where the interval is over fewer resamples than drawn (a footnote says why).
     *
     * @param names category id to display name (cut to 24 characters); an id without one gets a blank name
     * @return the table, each line ending with a newline
     */
    public String toText(Map<Long, String> names) {
        StringBuilder out = new StringBuilder();
        String level = percent(options.confidence());
        String ci = level + " interval";
        out.append(String.format(Locale.ROOT,
                "B - A: paired bootstrap over %d images, %d resamples (seed %d), %s percentile intervals%n",
                images, options.resamples(), options.seed(), level));
        out.append(String.format(Locale.ROOT, "%-6s %7s %7s %8s  %-19s %7s%n", "stat", "A", "B", "B - A", ci, "P(B>A)"));
        boolean partial = false;
        for (Delta d : stats) {
            out.append(String.format(Locale.ROOT, "%-6s %s%n", d.name(), row(d)));
            partial |= d.resamples() < options.resamples() && !Double.isNaN(d.delta());
        }
        int nameWidth = 4;
        for (ClassDelta c : classes) {
            nameWidth = Math.max(nameWidth, names.getOrDefault(c.categoryId(), "").length());
        }
        nameWidth = Math.min(nameWidth, 24);
        out.append(String.format(Locale.ROOT, "%nper class%n%6s %-" + nameWidth + "s  %-6s %7s %7s %8s  %-19s %7s%n",
                "id", "name", "", "A", "B", "B - A", ci, "P(B>A)"));
        for (ClassDelta c : classes) {
            String name = names.getOrDefault(c.categoryId(), "");
            if (name.length() > nameWidth) {
                name = name.substring(0, nameWidth);
            }
            out.append(String.format(Locale.ROOT, "%6d %-" + nameWidth + "s  %-6s %s%n", c.categoryId(), name, "AP", row(c.ap())));
            out.append(String.format(Locale.ROOT, "%6s %-" + nameWidth + "s  %-6s %s%n", "", "", "AP50", row(c.ap50())));
            partial |= c.ap().resamples() < options.resamples() && !Double.isNaN(c.ap().delta());
        }
        if (partial) {
            out.append("* over the resamples whose draw has ground truth for that value (count after the interval)\n");
        }
        return out.toString();
    }

    /** 0.95 -> "95%", 0.999 -> "99.9%". */
    private static String percent(double confidence) {
        return java.math.BigDecimal.valueOf(confidence * 100).round(new java.math.MathContext(10)).stripTrailingZeros().toPlainString() + "%";
    }

    private String row(Delta d) {
        if (Double.isNaN(d.delta())) {
            return String.format(Locale.ROOT, "%7s %7s %8s  %s", "n/a", "n/a", "n/a", "n/a (no ground truth)");
        }
        String interval = Double.isNaN(d.low()) ? "n/a"
                : String.format(Locale.ROOT, "[%+.4f, %+.4f]", d.low(), d.high());
        String text = String.format(Locale.ROOT, "%7.4f %7.4f %+8.4f  %-19s %7.3f", d.a(), d.b(), d.delta(), interval, d.pBBetter());
        if (d.resamples() < options.resamples()) {
            text += String.format(Locale.ROOT, " * %d of %d", d.resamples(), options.resamples());
        }
        return text;
    }
}
