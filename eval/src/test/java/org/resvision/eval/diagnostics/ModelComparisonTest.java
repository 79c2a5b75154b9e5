package org.resvision.eval.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvaluator;
import org.resvision.eval.coco.CocoMatching;
import org.resvision.eval.diagnostics.ModelComparison.Bootstrap;
import org.resvision.eval.diagnostics.ModelComparison.ClassDelta;
import org.resvision.eval.diagnostics.ModelComparison.Delta;

/** Paired bootstrap comparison of two models: its numbers against an independent bootstrap over copied images, and its properties. */
class ModelComparisonTest {

    private static final CocoEvalParams BBOX = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);

    static Path fixtures() {
        String shared = System.getProperty("resvision.shared.dir");
        Path f = (shared == null ? Path.of("../../shared") : Path.of(shared)).resolve("fixtures/coco-eval");
        if (!Files.isDirectory(f)) {
            throw new IllegalStateException("pycocotools fixtures not found at " + f.toAbsolutePath()
                    + " (set -Dresvision.shared.dir to the shared/ folder)");
        }
        return f;
    }

    /** A second model: every detection's score and box jittered (seeded), some dropped. */
    static List<CocoResult> perturbed(List<CocoResult> dt, long seed) {
        Random rnd = new Random(seed);
        List<CocoResult> out = new ArrayList<>();
        for (CocoResult r : dt) {
            if (rnd.nextInt(20) == 0) {
                continue;
            }
            double[] b = r.bbox();
            double[] nb = {b[0] + rnd.nextGaussian() * 0.03 * b[2], b[1] + rnd.nextGaussian() * 0.03 * b[3],
                b[2] * (1 + rnd.nextGaussian() * 0.03), b[3] * (1 + rnd.nextGaussian() * 0.03)};
            double s = Math.round(Math.min(0.999, Math.max(0.001, r.score() + rnd.nextGaussian() * 0.05)) * 1000) / 1000.0;
            out.add(new CocoResult(r.imageId(), r.categoryId(), nb, s, null));
        }
        return out;
    }

    /**
     * A hand-built scene: {@code images} images of 200x200, categories cat/dog/bird; every image has
     * a medium cat and a large dog, every seventh image a medium bird (a rare class, so resamples
     * without birds exist), every fifth image a crowd cat; no small objects (APs and ARs are -1).
     * Model A finds the cat and dog of even images, a shifted cat on odd ones, some false positives
     * and score ties; with {@code complete} it also finds everything it missed (a strictly better
     * model B).
     */
    static final class Scene {
        final List<CocoImage> images = new ArrayList<>();
        final List<CocoAnnotation> anns = new ArrayList<>();
        final List<CocoResult> a = new ArrayList<>();
        final List<CocoResult> extra = new ArrayList<>();

        Scene(int n, long seed) {
            Random rnd = new Random(seed);
            for (int i = 1; i <= n; i++) {
                long img = 7L * i;
                images.add(new CocoImage(img, "s" + i + ".jpg", 200, 200));
                double cx = 5 + rnd.nextInt(40);
                ann(img, 1, cx, 10, 40, 40, false);
                double dx = 60 + rnd.nextInt(20);
                ann(img, 2, dx, 60, 110, 110, false);
                if (i % 7 == 0) {
                    ann(img, 3, 10, 120, 35, 35, false);
                }
                if (i % 5 == 0) {
                    ann(img, 1, 150, 0, 50, 50, true);
                    a.add(new CocoResult(img, 1, new double[] {155, 5, 30, 30}, 0.7, null)); // on the crowd: ignored
                }
                double tie = rnd.nextInt(3) * 0.25 + 0.25; // ties across images
                if (i % 2 == 0) {
                    a.add(new CocoResult(img, 1, new double[] {cx + 1, 10, 40, 40}, tie, null));
                    a.add(new CocoResult(img, 2, new double[] {dx, 62, 110, 106}, 0.6, null));
                    extra.add(new CocoResult(img, 1, new double[] {cx, 10, 40, 40}, 0.99, null));
                } else {
                    a.add(new CocoResult(img, 1, new double[] {cx + 25, 10, 40, 40}, tie, null)); // IoU < .5
                    a.add(new CocoResult(img, 2, new double[] {dx + 8, 60, 110, 110}, tie, null));
                    extra.add(new CocoResult(img, 1, new double[] {cx, 10, 40, 40}, 0.99, null));
                }
                if (i % 14 == 0) {
                    a.add(new CocoResult(img, 3, new double[] {12, 121, 35, 33}, 0.5, null));
                }
                if (i % 7 == 0) {
                    extra.add(new CocoResult(img, 3, new double[] {10, 120, 35, 35}, 0.98, null));
                }
                a.add(new CocoResult(img, 1 + rnd.nextInt(3), new double[] {rnd.nextInt(150), rnd.nextInt(150), 45, 45},
                        rnd.nextInt(4) * 0.25, null)); // a false positive, maybe tied
            }
        }

        private void ann(long img, long cat, double x, double y, double w, double h, boolean crowd) {
            anns.add(new CocoAnnotation(anns.size() + 1, img, cat, new double[] {x, y, w, h}, w * h, crowd, null));
        }

        CocoDataset gt() {
            return new CocoDataset(images, anns,
                    List.of(new CocoCategory(1, "cat", ""), new CocoCategory(2, "dog", ""), new CocoCategory(3, "bird", "")));
        }

        List<CocoResult> b() {
            List<CocoResult> out = new ArrayList<>(a);
            out.addAll(extra);
            return out;
        }
    }

    private static Map<Long, String> names(CocoDataset gt) {
        Map<Long, String> names = new HashMap<>();
        gt.categories().forEach(c -> names.put(c.id(), c.name()));
        return names;
    }

    @Test
    void theIntervalContainsThePointDifferenceInATypicalCase() throws Exception {
        Path dir = fixtures().resolve("10-realistic-200");
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoMatching a = CocoEvaluator.match(gt, null, dt, BBOX);
        CocoMatching b = CocoEvaluator.match(gt, null, perturbed(dt, 3), BBOX);
        ModelComparison c = ModelComparison.compare(a, b, Bootstrap.defaults().withResamples(300));

        assertArrayEquals(a.accumulate().stats(), c.stats().stream().mapToDouble(Delta::a).toArray(), 0.0, "A's point estimates");
        assertArrayEquals(b.accumulate().stats(), c.stats().stream().mapToDouble(Delta::b).toArray(), 0.0, "B's point estimates");
        for (Delta d : c.stats()) {
            assertEquals(d.b() - d.a(), d.delta(), 0.0, d.name());
            assertTrue(d.low() < d.high(), d.name() + " has a non-degenerate interval");
            assertTrue(d.intervalContains(d.delta()), d.name() + ": " + d);
            assertEquals(300, d.resamples(), d.name());
        }
        assertTrue(c.stats().get(0).delta() != 0, "the perturbation changes AP");
        int contained = 0;
        int defined = 0;
        for (ClassDelta k : c.classes()) {
            if (!Double.isNaN(k.ap().delta())) {
                defined++;
                contained += k.ap().intervalContains(k.ap().delta()) ? 1 : 0;
            }
        }
        assertTrue(defined > 50 && contained >= 0.9 * defined, contained + " of " + defined + " class intervals hold their point difference");
    }

    @Test
    void identicalModelsDifferByZeroWithAZeroInterval() throws Exception {
        Scene s = new Scene(24, 1);
        CocoMatching a = CocoEvaluator.match(s.gt(), null, s.a, BBOX);
        CocoMatching a2 = CocoEvaluator.match(s.gt(), null, new ArrayList<>(s.a), BBOX);
        ModelComparison c = ModelComparison.compare(a, a2, Bootstrap.defaults().withResamples(50));
        int checked = 0;
        for (Delta d : allDeltas(c)) {
            if (d.a() == -1) {
                assertTrue(Double.isNaN(d.delta()), d.toString());
                continue;
            }
            assertEquals(0.0, d.delta(), 0.0, d.toString());
            assertEquals(0.0, d.low(), 0.0, d.toString());
            assertEquals(0.0, d.high(), 0.0, d.toString());
            assertEquals(0.0, d.pBBetter(), 0.0, d.toString());
            checked++;
        }
        assertTrue(checked >= 10 + 6, "stats and classes checked: " + checked);
    }

    @Test
    void aModelWithExtraTruePositivesOnEveryImageIsBetterInEveryResample() throws Exception {
        Scene s = new Scene(30, 2);
        CocoMatching a = CocoEvaluator.match(s.gt(), null, s.a, BBOX);
        CocoMatching b = CocoEvaluator.match(s.gt(), null, s.b(), BBOX);
        ModelComparison c = ModelComparison.compare(a, b, Bootstrap.defaults().withResamples(200));
        for (String name : List.of("AP", "AP50", "AP75", "APm", "AR10", "AR100", "ARm")) {
            Delta d = c.stats().get(CocoEvalResult.STAT_NAMES.indexOf(name));
            assertTrue(d.delta() > 0, name + " " + d);
            assertTrue(d.low() > 0 && d.high() >= d.low(), name + ": the interval is positive and excludes 0: " + d);
            assertEquals(1.0, d.pBBetter(), 0.0, name);
            assertEquals(200, d.resamples(), name);
        }
        ClassDelta cat = c.classes().get(0);
        assertTrue(cat.ap().low() > 0 && cat.ap50().low() > 0, "the cat class improves: " + cat);
        // no small object: APs and ARs have no ground truth, hence no difference
        for (String name : List.of("APs", "ARs")) {
            Delta d = c.stats().get(CocoEvalResult.STAT_NAMES.indexOf(name));
            assertEquals(-1.0, d.a(), 0.0);
            assertTrue(Double.isNaN(d.delta()) && Double.isNaN(d.low()) && Double.isNaN(d.high()), name + " " + d);
            assertEquals(0, d.resamples());
        }
        JsonNode aps = c.toJson().get("stats").get(CocoEvalResult.STAT_NAMES.indexOf("APs"));
        assertTrue(aps.get("delta").isNull() && aps.get("low").isNull() && aps.get("p_b_better").isNull(), aps.toString());
        assertEquals(-1.0, aps.get("a").asDouble(), 0.0);
    }

    @Test
    void theSameSeedGivesTheSameNumbersAnotherSeedOtherIntervals() throws Exception {
        Path dir = fixtures().resolve("09-bbox-only-dets-generated");
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoMatching a = CocoEvaluator.match(gt, null, dt, BBOX);
        CocoMatching b = CocoEvaluator.match(gt, null, perturbed(dt, 9), BBOX);
        Bootstrap o = new Bootstrap(100, 5, 0.95, 2);
        ObjectNode first = ModelComparison.compare(a, b, o).toJson(names(gt));
        ObjectNode again = ModelComparison.compare(a, b, o).toJson(names(gt));
        assertEquals(first, again);
        assertEquals(ModelComparison.compare(a, b, o).toText(names(gt)), ModelComparison.compare(a, b, o).toText(names(gt)));

        ModelComparison other = ModelComparison.compare(a, b, o.withSeed(6));
        JsonNode ap = first.get("stats").get(0);
        Delta ap6 = other.stats().get(0);
        assertEquals(ap.get("delta").asDouble(), ap6.delta(), 0.0, "point estimates do not depend on the seed");
        assertTrue(ap.get("low").asDouble() != ap6.low() || ap.get("high").asDouble() != ap6.high(), "another seed, other resamples");
        assertFalse(Arrays.equals(ModelComparison.resampleWeights(5, 0, 30), ModelComparison.resampleWeights(6, 0, 30)));
        assertFalse(Arrays.equals(ModelComparison.resampleWeights(5, 0, 30), ModelComparison.resampleWeights(5, 1, 30)));
    }

    @Test
    void theThreadCountDoesNotChangeTheResult() throws Exception {
        Scene s = new Scene(40, 4);
        CocoMatching a = CocoEvaluator.match(s.gt(), null, s.a, BBOX);
        CocoMatching b = CocoEvaluator.match(s.gt(), null, perturbed(s.b(), 4), BBOX);
        Bootstrap o = new Bootstrap(120, 11, 0.9, 1);
        ObjectNode one = ModelComparison.compare(a, b, o).toJson();
        assertEquals(one, ModelComparison.compare(a, b, o.withThreads(2)).toJson());
        assertEquals(one, ModelComparison.compare(a, b, o.withThreads(5)).toJson());
    }

    @Test
    void inputsOverOtherGroundTruthAreRefused() throws Exception {
        Scene s = new Scene(12, 5);
        CocoDataset gt = s.gt();
        CocoMatching a = CocoEvaluator.match(gt, null, s.a, BBOX);

        List<CocoAnnotation> moved = new ArrayList<>(gt.annotations());
        CocoAnnotation x = moved.get(3);
        moved.set(3, new CocoAnnotation(x.id(), x.imageId(), x.categoryId(),
                new double[] {x.bbox()[0] + 1, x.bbox()[1], x.bbox()[2], x.bbox()[3]}, x.area(), x.iscrowd(), null));
        CocoDataset otherBox = new CocoDataset(gt.images(), moved, gt.categories());
        List<CocoAnnotation> fewer = new ArrayList<>(gt.annotations());
        fewer.remove(5);
        CocoDataset otherCount = new CocoDataset(gt.images(), fewer, gt.categories());
        long[] someImages = Arrays.copyOf(a.imageIds(), 6);

        Map<String, CocoMatching> others = new java.util.LinkedHashMap<>();
        others.put("ground truths differ", CocoEvaluator.match(otherBox, null, s.a, BBOX));
        others.put("evaluated annotations", CocoEvaluator.match(otherCount, null, s.a, BBOX));
        others.put("evaluated images differ", CocoEvaluator.match(gt, null, s.a, BBOX.withImageIds(someImages)));
        others.put("evaluated categories differ", CocoEvaluator.match(gt, null, s.a, BBOX.withCategoryIds(new long[] {1, 2})));
        others.put("evaluation parameters differ", CocoEvaluator.match(gt, null, s.a, BBOX.withMaxDets(new int[] {1, 10, 50})));
        for (Map.Entry<String, CocoMatching> e : others.entrySet()) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> ModelComparison.compare(a, e.getValue()));
            assertTrue(ex.getMessage().contains(e.getKey()) && !ex.getMessage().contains("\n"), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ModelComparison.compare(e.getValue(), a));
        }
        // the same ground truth read twice, other detections: comparable
        CocoMatching again = CocoEvaluator.match(new CocoDataset(gt.images(), gt.annotations(), gt.categories()), null, s.b(), BBOX);
        ModelComparison.compare(a, again, Bootstrap.defaults().withResamples(2));

        assertThrows(IllegalArgumentException.class, () -> new Bootstrap(0, 0, 0.95, 1));
        assertThrows(IllegalArgumentException.class, () -> new Bootstrap(10, 0, 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Bootstrap(10, 0, 0.95, 0));
    }

    /**
     * The API's intervals equal a bootstrap computed here from scratch: each resample's datasets
     * built by copying images (ids renumbered in order), evaluated by {@link CocoEvaluator#evaluate},
     * differences collected, sorted and cut at numpy's linear quantiles.
     */
    @ParameterizedTest
    @ValueSource(strings = {"scene", "09-bbox-only-dets-generated"})
    void theIntervalsEqualABootstrapOverCopiedImages(String which) throws Exception {
        CocoDataset gt;
        List<CocoResult> dtA;
        List<CocoResult> dtB;
        if (which.equals("scene")) {
            Scene s = new Scene(10, 7);
            gt = s.gt();
            dtA = s.a;
            dtB = perturbed(s.b(), 7);
        } else {
            Path dir = fixtures().resolve(which);
            gt = CocoReader.readDataset(dir.resolve("gt.json"));
            dtA = CocoReader.readResults(dir.resolve("dt.json"));
            dtB = perturbed(dtA, 8);
        }
        CocoMatching a = CocoEvaluator.match(gt, null, dtA, BBOX);
        CocoMatching b = CocoEvaluator.match(gt, null, dtB, BBOX);
        int R = 9;
        long seed = 42;
        double confidence = 0.8;
        ModelComparison c = ModelComparison.compare(a, b, new Bootstrap(R, seed, confidence, 2));

        long[] ids = a.imageIds();
        int K = a.categoryIds().length;
        double[][] stat = new double[12][R];
        double[][] ap = new double[K][R];
        double[][] ap50 = new double[K][R];
        for (int r = 0; r < R; r++) {
            int[] w = ModelComparison.resampleWeights(seed, r, ids.length);
            assertEquals(ids.length, Arrays.stream(w).sum(), "n draws");
            Copies copies = new Copies(gt, ids, w);
            CocoEvalResult ra = CocoEvaluator.evaluate(copies.gt, copies.results(dtA), BBOX);
            CocoEvalResult rb = CocoEvaluator.evaluate(copies.gt, copies.results(dtB), BBOX);
            for (int s = 0; s < 12; s++) {
                stat[s][r] = diff(ra.stats()[s], rb.stats()[s]);
            }
            for (int k = 0; k < K; k++) {
                ap[k][r] = diff(ra.categoryAp(k), rb.categoryAp(k));
                ap50[k][r] = diff(ra.categoryAp50(k), rb.categoryAp50(k));
            }
        }
        int partial = 0;
        for (int s = 0; s < 12; s++) {
            assertSameBootstrap(stat[s], confidence, c.stats().get(s), which + " " + CocoEvalResult.STAT_NAMES.get(s));
        }
        for (int k = 0; k < K; k++) {
            assertSameBootstrap(ap[k], confidence, c.classes().get(k).ap(), which + " AP of class " + k);
            assertSameBootstrap(ap50[k], confidence, c.classes().get(k).ap50(), which + " AP50 of class " + k);
            Delta d = c.classes().get(k).ap();
            partial += !Double.isNaN(d.delta()) && d.resamples() < R ? 1 : 0;
        }
        if (which.equals("scene")) {
            assertTrue(partial > 0, "some resample left the birds without ground truth");
        }
    }

    private static double diff(double a, double b) {
        return a == -1 || b == -1 ? Double.NaN : b - a;
    }

    private static void assertSameBootstrap(double[] deltas, double confidence, Delta got, String what) {
        double[] defined = Arrays.stream(deltas).filter(v -> !Double.isNaN(v)).toArray();
        Arrays.sort(defined);
        assertEquals(defined.length, got.resamples(), what + " resamples");
        if (Double.isNaN(got.delta()) || defined.length == 0) {
            assertTrue(Double.isNaN(got.low()) && Double.isNaN(got.high()), what);
            return;
        }
        assertEquals(numpyQuantile(defined, (1 - confidence) / 2), got.low(), 0.0, what + " low");
        assertEquals(numpyQuantile(defined, (1 + confidence) / 2), got.high(), 0.0, what + " high");
        assertEquals((double) Arrays.stream(defined).filter(v -> v > 0).count() / defined.length, got.pBBetter(), 0.0, what + " P(B>A)");
    }

    /** numpy/lib/function_base.py, _quantile with method 'linear' and _lerp, transcribed. */
    private static double numpyQuantile(double[] arr, double q) {
        int n = arr.length;
        double virtualIndex = (n - 1) * q;
        double previousIndex = Math.floor(virtualIndex);
        int prev = virtualIndex >= n - 1 ? n - 1 : (int) previousIndex;
        int next = virtualIndex >= n - 1 ? n - 1 : (int) previousIndex + 1;
        double gamma = virtualIndex - previousIndex;
        double a = arr[prev];
        double b = arr[next];
        double diffBA = b - a;
        double lerp = a + diffBA * gamma;
        if (gamma >= 0.5) {
            lerp = b - diffBA * (1 - gamma);
        }
        return lerp;
    }

    @Test
    void quantilesAreNumpys() {
        // numpy 2.4: np.quantile(x, q) for these x and q (printed with repr)
        double[] x = {-0.3, -0.1, 0.0, 0.1, 0.2, 0.7, 1.3};
        assertEquals(-0.26999999999999996, ModelComparison.quantile(x, 0.025), 0.0);
        assertEquals(1.2099999999999997, ModelComparison.quantile(x, 0.975), 0.0);
        assertEquals(0.1, ModelComparison.quantile(x, 0.5), 0.0);
        assertEquals(-0.3, ModelComparison.quantile(x, 0.0), 0.0);
        assertEquals(1.3, ModelComparison.quantile(x, 1.0), 0.0);
        assertEquals(0.25, ModelComparison.quantile(new double[] {0.25}, 0.975), 0.0);
        double[] y = new double[1000];
        for (int i = 0; i < y.length; i++) {
            y[i] = i * 0.001 - 0.2;
        }
        assertEquals(-0.175025, ModelComparison.quantile(y, (1 - 0.95) / 2), 0.0); // q = 0.025000000000000022
        assertEquals(0.774025, ModelComparison.quantile(y, (1 + 0.95) / 2), 0.0);
        assertEquals(-0.17502500000000001, ModelComparison.quantile(y, 0.025), 0.0); // another q, another last bit
    }

    @Test
    void theDrawIsTheDocumentedSplittableRandomSequence() {
        // resample r: the (r+1)-th split of new SplittableRandom(seed), then n times weights[nextInt(n)]++
        java.util.SplittableRandom root = new java.util.SplittableRandom(3);
        root.split();
        java.util.SplittableRandom second = root.split();
        int[] w = new int[8];
        for (int j = 0; j < 8; j++) {
            w[second.nextInt(8)]++;
        }
        assertArrayEquals(w, ModelComparison.resampleWeights(3, 1, 8));
        // and the numbers themselves, so a change of the JDK's SplittableRandom would show
        assertArrayEquals(new int[] {2, 1, 1, 1, 1, 1, 0, 1}, ModelComparison.resampleWeights(0, 0, 8));
    }

    @Test
    void jsonAndTextCarryEveryValue() throws Exception {
        Scene s = new Scene(15, 6);
        CocoDataset gt = s.gt();
        CocoMatching a = CocoEvaluator.match(gt, null, s.a, BBOX);
        CocoMatching b = CocoEvaluator.match(gt, null, s.b(), BBOX);
        ModelComparison c = ModelComparison.compare(a, b, Bootstrap.defaults().withResamples(40).withSeed(3));
        ObjectNode json = c.toJson(names(gt));
        assertEquals(15, json.get("images").asInt());
        assertEquals(40, json.get("resamples").asInt());
        assertEquals(3, json.get("seed").asLong());
        assertEquals(12, json.get("stats").size());
        for (int i = 0; i < 12; i++) {
            JsonNode st = json.get("stats").get(i);
            Delta d = c.stats().get(i);
            assertEquals(CocoEvalResult.STAT_NAMES.get(i), st.get("name").asText());
            for (String key : List.of("a", "b", "delta", "low", "high", "p_b_better", "resamples")) {
                assertTrue(st.has(key), key);
            }
            if (!Double.isNaN(d.delta())) {
                assertEquals(d.low(), st.get("low").asDouble(), 0.0);
                assertEquals(d.high(), st.get("high").asDouble(), 0.0);
                assertEquals(d.pBBetter(), st.get("p_b_better").asDouble(), 0.0);
            }
        }
        JsonNode bird = json.get("per_class").get(2);
        assertEquals(3, bird.get("id").asLong());
        assertEquals("bird", bird.get("name").asText());
        assertEquals(c.classes().get(2).ap().delta(), bird.get("AP").get("delta").asDouble(), 0.0);
        assertEquals(c.classes().get(2).ap50().high(), bird.get("AP50").get("high").asDouble(), 0.0);
        assertTrue(bird.get("AP").get("resamples").asInt() < 40, "some resamples have no bird");

        String text = c.toText(names(gt));
        assertTrue(text.contains("15 images, 40 resamples (seed 3), 95% percentile intervals"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("APs ") && l.contains("n/a")), text);
        assertTrue(text.lines().anyMatch(l -> l.contains(" bird ") && l.contains("AP ")), text);
        assertTrue(text.contains(String.format(java.util.Locale.ROOT, "%+.4f", c.stats().get(0).delta())), text);
        assertTrue(text.contains("* over the resamples"), text);
        assertNotEquals(-1, text.indexOf("per class"));
    }

    private static List<Delta> allDeltas(ModelComparison c) {
        List<Delta> out = new ArrayList<>(c.stats());
        for (ClassDelta k : c.classes()) {
            out.add(k.ap());
            out.add(k.ap50());
        }
        return out;
    }

    /** A resampled dataset: image i held w[i] times, new ids 1, 2, ... in (image, copy) order, records in file order. */
    private static final class Copies {
        final CocoDataset gt;
        final Map<Long, long[]> newIds = new HashMap<>(); // old image id -> its copies' ids

        Copies(CocoDataset source, long[] sortedIds, int[] w) {
            long next = 1;
            List<CocoImage> images = new ArrayList<>();
            for (int i = 0; i < sortedIds.length; i++) {
                CocoImage im = source.image(sortedIds[i]);
                long[] copies = new long[w[i]];
                for (int c = 0; c < w[i]; c++) {
                    copies[c] = next++;
                    images.add(new CocoImage(copies[c], im.fileName(), im.width(), im.height()));
                }
                newIds.put(sortedIds[i], copies);
            }
            List<CocoAnnotation> anns = new ArrayList<>();
            for (CocoAnnotation a : source.annotations()) {
                for (long id : newIds.getOrDefault(a.imageId(), new long[0])) {
                    anns.add(new CocoAnnotation(anns.size() + 1, id, a.categoryId(), a.bbox(), a.area(), a.iscrowd(), a.segmentation()));
                }
            }
            gt = new CocoDataset(images, anns, source.categories());
        }

        List<CocoResult> results(List<CocoResult> dt) {
            List<CocoResult> out = new ArrayList<>();
            for (CocoResult r : dt) {
                for (long id : newIds.get(r.imageId())) {
                    out.add(new CocoResult(id, r.categoryId(), r.bbox(), r.score(), r.segmentation()));
                }
            }
            return out;
        }
    }
}
