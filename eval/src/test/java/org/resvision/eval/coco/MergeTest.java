package org.resvision.eval.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.coco.Segmentation;

/**
 * {@link CocoMatching#merge}: shards of disjoint images merge into exactly the evaluation of the
 * concatenated results over the union (precision, recall and stats bit for bit, weighted
 * accumulations, per-detection and per-GT accessors), and what cannot merge exactly is refused.
 */
class MergeTest {

    static Stream<Arguments> cases() throws Exception {
        return PycocotoolsFixturesTest.cases();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void anySplitOfTheImagesMergesIntoTheWholeSet(String caseName, String iouType) throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve(caseName);
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoEvalParams defaults = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(iouType));
        GroundTruthMasks masks = defaults.iouType() == CocoEvalParams.IouType.SEGM ? GroundTruthMasks.of(gt) : null;
        long[] images = gt.images().stream().mapToLong(CocoImage::id).distinct().toArray();
        Random rnd = new Random(caseName.hashCode() * 31L + iouType.hashCode());
        int merged = 0;
        for (CocoEvalParams params : List.of(defaults, defaults.withMaxDets(new int[] {1, 2, 3}))) {
            for (int trial = 0; trial < 6; trial++) {
                int S = 2 + trial % 3; // 2, 3 or 4 shards
                int[] shardOf = new int[images.length];
                for (int i = 0; i < images.length; i++) {
                    // trial 1, 4: shard 1 evaluates no image; the others: any shard
                    shardOf[i] = trial % 3 == 1 ? (rnd.nextInt(S - 1) == 0 ? 0 : 2 + rnd.nextInt(S - 2)) : rnd.nextInt(S);
                }
                int noResults = trial % 2 == 0 ? rnd.nextInt(S) : -1; // a shard whose images have no results
                Map<Long, Integer> owner = new HashMap<>();
                List<List<Long>> shardImages = new ArrayList<>();
                for (int s = 0; s < S; s++) {
                    shardImages.add(new ArrayList<>());
                }
                for (int i = 0; i < images.length; i++) {
                    owner.put(images[i], shardOf[i]);
                    shardImages.get(shardOf[i]).add(images[i]);
                }
                List<List<CocoResult>> shardResults = new ArrayList<>();
                for (int s = 0; s < S; s++) {
                    shardResults.add(new ArrayList<>());
                }
                for (CocoResult r : dt) {
                    int s = owner.get(r.imageId());
                    if (s != noResults) {
                        shardResults.get(s).add(r);
                    }
                }
                List<CocoResult> concatenated = new ArrayList<>();
                List<CocoMatching> shards = new ArrayList<>();
                for (int s = 0; s < S; s++) {
                    concatenated.addAll(shardResults.get(s));
                    long[] ids = shardImages.get(s).stream().mapToLong(Long::longValue).toArray();
                    // odd trials: shards without kept outcomes (the merge has them made)
                    shards.add(CocoEvaluator.match(gt, masks, shardResults.get(s), params.withImageIds(ids), null, trial % 2 == 0));
                }
                String what = caseName + " " + iouType + " maxDets " + Arrays.toString(params.maxDets()) + " trial " + trial
                        + " (" + S + " shards)";
                CocoMatching whole = CocoEvaluator.match(gt, masks, concatenated, params);
                CocoMatching m = CocoMatching.merge(shards);
                assertSameMatching(whole, m, what);
                WeightedAccumulationTest.assertBitEqual(whole.accumulate(), m.accumulate(), what);
                WeightedAccumulationTest.assertBitEqual(whole.accumulate(null, true), m.accumulate(null, true), what + " by sorting");
                if (noResults < 0) {
                    // the results in their file order: each image's detections keep their relative order
                    WeightedAccumulationTest.assertBitEqual(CocoEvaluator.match(gt, masks, dt, params).accumulate(), m.accumulate(),
                            what + " vs the results file");
                }
                for (int b = 0; b < 3; b++) { // bootstrap resamples: the walk on the merged records
                    int[] w = new int[images.length];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = rnd.nextInt(3);
                    }
                    WeightedAccumulationTest.assertBitEqual(whole.accumulate(w), m.accumulate(w), what + " weights " + b);
                }
                merged++;
            }
        }
        assertEquals(12, merged);
    }

    /** Everything a matching gives, equal. */
    static void assertSameMatching(CocoMatching want, CocoMatching got, String what) {
        assertNull(want.groundTruthDifference(got), what);
        assertArrayEquals(want.imageIds(), got.imageIds(), what);
        assertArrayEquals(want.params().imageIds() == null ? want.imageIds() : want.params().imageIds(), got.params().imageIds(), what);
        assertEquals(want.warnings(), got.warnings(), what + ": warnings");
        assertEquals(want.detectionCount(), got.detectionCount(), what);
        int T = want.params().iouThresholds().length;
        for (int d = 0; d < want.detectionCount(); d++) {
            assertEquals(want.detectionImage(d), got.detectionImage(d), what + " detection " + d);
            assertEquals(want.detectionCategory(d), got.detectionCategory(d), what + " detection " + d);
            assertEquals(Double.doubleToRawLongBits(want.detectionScore(d)), Double.doubleToRawLongBits(got.detectionScore(d)));
            assertEquals(Double.doubleToRawLongBits(want.detectionArea(d)), Double.doubleToRawLongBits(got.detectionArea(d)));
            assertEquals(want.detectionMask(d), got.detectionMask(d), what + " detection " + d);
            for (int t = 0; t < T; t++) {
                assertEquals(want.status(d, t), got.status(d, t), what + " detection " + d + " t " + t);
                assertEquals(want.matchedGroundTruth(d, t), got.matchedGroundTruth(d, t), what + " detection " + d + " t " + t);
            }
        }
        for (int g = 0; g < want.groundTruthCount(); g++) {
            assertEquals(want.groundTruthImage(g), got.groundTruthImage(g), what + " gt " + g);
            assertEquals(want.groundTruthCategory(g), got.groundTruthCategory(g), what + " gt " + g);
        }
        if (want.detectionCount() > 0 && want.groundTruthCount() > 0) {
            int[] ds = java.util.stream.IntStream.range(0, want.detectionCount())
                    .filter(d -> !want.segm() || want.detectionMask(d) != null).limit(20).toArray();
            int[] gs = java.util.stream.IntStream.range(0, Math.min(want.groundTruthCount(), 20)).toArray();
            assertTrue(Arrays.deepEquals(want.iou(ds, gs), got.iou(ds, gs)), what + ": iou");
        }
    }

    @Test
    void incrementalWorkersMergeIntoOneEvaluator() throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve("10-realistic-200");
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoEvalParams params = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);
        Map<Long, List<CocoResult>> byImage = new java.util.LinkedHashMap<>();
        gt.images().forEach(im -> byImage.put(im.id(), new ArrayList<>()));
        dt.forEach(r -> byImage.get(r.imageId()).add(r));
        CocoEvaluator all = new CocoEvaluator(gt, params);
        List<CocoEvaluator> workers = List.of(new CocoEvaluator(gt, params), new CocoEvaluator(gt, params), new CocoEvaluator(gt, params));
        int n = 0;
        for (Map.Entry<Long, List<CocoResult>> e : byImage.entrySet()) {
            if (n++ % 5 == 4) {
                continue; // not processed by anyone
            }
            all.process(e.getKey(), e.getValue());
            workers.get((int) (e.getKey() % 3)).process(e.getKey(), e.getValue());
        }
        List<CocoMatching> shards = new ArrayList<>();
        for (CocoEvaluator w : workers) {
            shards.add(w.matching());
        }
        CocoMatching m = CocoMatching.merge(shards);
        WeightedAccumulationTest.assertBitEqual(all.evaluate(), m.accumulate(), "workers");
        WeightedAccumulationTest.assertBitEqual(all.matching().accumulate(), m.accumulate(), "workers' matching");
        assertTrue(m.timings().containsKey("merge"));
        // one image processed by two workers
        workers.get(0).process(byImage.keySet().iterator().next() + 0, List.of());
        workers.get(1).process(byImage.keySet().iterator().next() + 0, List.of());
        List<CocoMatching> overlapping = List.of(workers.get(0).matching(), workers.get(1).matching());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CocoMatching.merge(overlapping));
        assertTrue(e.getMessage().contains("is evaluated by shards 0 and 1"), e.getMessage());
    }

    /** Shards matched elsewhere (a Spark executor) come back serialized: their merge is the same, bbox and segm. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"bbox", "segm"})
    void serializedShardsMergeAsTheOriginals(String type) throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve("10-realistic-200");
        boolean segm = type.equals("segm");
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"), segm);
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"), segm);
        CocoEvalParams params = CocoEvalParams.defaults(CocoEvalParams.IouType.parse(type));
        long[] ids = gt.images().stream().mapToLong(CocoImage::id).sorted().toArray();
        List<CocoMatching> shards = new ArrayList<>();
        List<CocoMatching> travelled = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            long[] mine = Arrays.copyOfRange(ids, ids.length * s / 3, ids.length * (s + 1) / 3);
            java.util.Set<Long> own = new java.util.HashSet<>();
            for (long id : mine) {
                own.add(id);
            }
            CocoMatching m = CocoEvaluator.match(gt, null, dt.stream().filter(r -> own.contains(r.imageId())).toList(),
                    params.withImageIds(mine));
            shards.add(m);
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (java.io.ObjectOutputStream o = new java.io.ObjectOutputStream(bytes)) {
                o.writeObject(m);
            }
            try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
                travelled.add((CocoMatching) in.readObject());
            }
        }
        CocoEvalResult whole = CocoEvaluator.evaluate(gt, dt, params);
        WeightedAccumulationTest.assertBitEqual(whole, CocoMatching.merge(shards).accumulate(), type + " shards");
        WeightedAccumulationTest.assertBitEqual(whole, CocoMatching.merge(travelled).accumulate(), type + " serialized shards");
    }

    // ---- refusals ------------------------------------------------------------------------------

    private static CocoDataset tiny() {
        List<CocoImage> images = List.of(new CocoImage(1, "a.jpg", 100, 100), new CocoImage(2, "b.jpg", 100, 100),
                new CocoImage(3, "c.jpg", 100, 100));
        List<CocoAnnotation> anns = List.of(
                new CocoAnnotation(1, 1, 1, new double[] {0, 0, 10, 10}, 100, false, null),
                new CocoAnnotation(2, 2, 1, new double[] {5, 5, 20, 20}, 400, false, null),
                new CocoAnnotation(3, 3, 2, new double[] {10, 10, 30, 30}, 900, false, null),
                new CocoAnnotation(4, 1, 2, new double[] {50, 50, 30, 30}, 900, false, null));
        return new CocoDataset(images, anns, List.of(new CocoCategory(1, "a", ""), new CocoCategory(2, "b", "")));
    }

    private static CocoResult box(long image, long cat, double score) {
        return new CocoResult(image, cat, new double[] {0, 0, 10, 10}, score, null);
    }

    private static IllegalArgumentException refused(List<CocoMatching> shards, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CocoMatching.merge(shards));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e;
    }

    @Test
    void mismatchesAreRefused() throws Exception {
        CocoDataset gt = tiny();
        CocoEvalParams p = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);
        CocoMatching a = CocoEvaluator.match(gt, null, List.of(box(1, 1, 0.9)), p.withImageIds(new long[] {1}));
        CocoMatching b = CocoEvaluator.match(gt, null, List.of(box(2, 1, 0.8), box(3, 2, 0.7)), p.withImageIds(new long[] {2, 3}));
        CocoMatching.merge(List.of(a, b)); // fine
        assertThrows(IllegalArgumentException.class, () -> CocoMatching.merge(List.of()));
        // overlapping images
        CocoMatching b2 = CocoEvaluator.match(gt, null, List.of(box(2, 1, 0.8)), p.withImageIds(new long[] {1, 2}));
        refused(List.of(a, b2), "image id 1 is evaluated by shards 0 and 1");
        // other parameters
        CocoMatching c = CocoEvaluator.match(gt, null, List.of(), p.withMaxDets(new int[] {1, 10, 50}).withImageIds(new long[] {3}));
        refused(List.of(a, c), "evaluation parameters differ");
        CocoMatching d = CocoEvaluator.match(gt, null, List.of(), p.withCategoryIds(new long[] {1}).withImageIds(new long[] {3}));
        refused(List.of(a, d), "evaluated categories differ");
        CocoEvalParams segm = CocoEvalParams.defaults(CocoEvalParams.IouType.SEGM);
        CocoDataset gtMasks = withPolygons(gt);
        CocoMatching e = CocoEvaluator.match(gtMasks, null, List.of(), segm.withImageIds(new long[] {3}));
        refused(List.of(a, e), "IoU types differ");
        // another ground truth (one area changed); the same content in another object merges
        List<CocoAnnotation> anns = new ArrayList<>(gt.annotations());
        CocoAnnotation x = anns.get(2);
        anns.set(2, new CocoAnnotation(x.id(), x.imageId(), x.categoryId(), x.bbox(), 901, x.iscrowd(), x.segmentation()));
        CocoDataset other = new CocoDataset(gt.images(), anns, gt.categories());
        CocoMatching f = CocoEvaluator.match(other, null, List.of(), p.withImageIds(new long[] {3}));
        refused(List.of(a, f), "ground truths differ");
        CocoDataset same = new CocoDataset(gt.images(), new ArrayList<>(gt.annotations()), gt.categories());
        CocoMatching.merge(List.of(a, CocoEvaluator.match(same, null, List.of(), p.withImageIds(new long[] {3}))));
        // a detection of another shard's image: the concatenation would count it
        CocoMatching g = CocoEvaluator.match(gt, null, List.of(box(2, 1, 0.8), box(1, 2, 0.5)), p.withImageIds(new long[] {2, 3}));
        refused(List.of(a, g), "shard 1's detection #2 is for image 1, which shard 0 evaluates");
        // ... unless its category is not evaluated (not counted either way), or no shard evaluates its image
        CocoEvalParams cat1 = p.withCategoryIds(new long[] {1});
        CocoMatching.merge(List.of(CocoEvaluator.match(gt, null, List.of(box(1, 1, 0.9)), cat1.withImageIds(new long[] {1})),
                CocoEvaluator.match(gt, null, List.of(box(1, 2, 0.9), box(3, 1, 0.4)), cat1.withImageIds(new long[] {2}))));
        // loadRes branches: the first result with a bbox in one shard, without in another
        Segmentation.Polygons poly = new Segmentation.Polygons(new double[][] {{0, 0, 0, 10, 10, 10, 10, 0}});
        CocoMatching h = CocoEvaluator.match(gtMasks, null, List.of(new CocoResult(1, 1, new double[] {0, 0, 10, 10}, 0.9, poly)),
                segm.withImageIds(new long[] {1}));
        CocoMatching i = CocoEvaluator.match(gtMasks, null, List.of(new CocoResult(2, 1, null, 0.9, poly)),
                segm.withImageIds(new long[] {2}));
        CocoMatching empty = CocoEvaluator.match(gtMasks, null, List.of(), segm.withImageIds(new long[] {3}));
        refused(List.of(h, empty, i), "shard 0's first result has a bbox, shard 2's has none");
        CocoMatching.merge(List.of(empty, i)); // an empty shard takes no branch
    }

    @Test
    void mergedDetectionsAreTheConcatenation() throws Exception {
        CocoDataset gt = tiny();
        CocoEvalParams p = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);
        List<CocoResult> ra = List.of(box(3, 2, 0.3), box(1, 1, 0.9), box(7, 1, 0.1)); // image 7: not in the GT's evaluated ones
        List<CocoResult> rb = List.of(box(2, 1, 0.8), box(2, 9, 0.8)); // category 9: not in the GT
        CocoDataset gt7 = new CocoDataset(new ArrayList<>(gt.images()) {
            {
                add(new CocoImage(7, "g.jpg", 100, 100));
            }
        }, gt.annotations(), gt.categories());
        CocoMatching a = CocoEvaluator.match(gt7, null, ra, p.withImageIds(new long[] {1, 3}));
        CocoMatching b = CocoEvaluator.match(gt7, null, rb, p.withImageIds(new long[] {2}));
        CocoMatching m = CocoMatching.merge(List.of(b, a));
        List<CocoResult> all = new ArrayList<>(rb);
        all.addAll(ra);
        CocoMatching whole = CocoEvaluator.match(gt7, null, all, p.withImageIds(new long[] {1, 2, 3}));
        assertSameMatching(whole, m, "tiny");
        assertEquals(5, m.detectionCount());
        assertEquals(-1, m.detectionImage(1), "category 9 is not evaluated");
        assertEquals(-1, m.detectionImage(4), "image 7 is not evaluated");
        assertEquals(1, whole.warnings().size());
        WeightedAccumulationTest.assertBitEqual(whole.accumulate(), m.accumulate(), "tiny");
        // one shard: the same matching
        assertSameMatching(a, CocoMatching.merge(List.of(a)), "one shard");
    }

    private static CocoDataset withPolygons(CocoDataset gt) {
        List<CocoAnnotation> anns = new ArrayList<>();
        for (CocoAnnotation a : gt.annotations()) {
            double[] b = a.bbox();
            anns.add(new CocoAnnotation(a.id(), a.imageId(), a.categoryId(), b, a.area(), a.iscrowd(), new Segmentation.Polygons(
                    new double[][] {{b[0], b[1], b[0], b[1] + b[3], b[0] + b[2], b[1] + b[3], b[0] + b[2], b[1]}})));
        }
        return new CocoDataset(gt.images(), anns, gt.categories());
    }
}
