package org.resvision.eval.tide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoEvalParams.IouType;

/** The API around the analysis: settings, bad input, warnings, JSON, the text table, concurrency. */
class TideTest {

    private static final double EXACT = 1e-12;

    @Test
    void settingsOutOfRangeAreOneLineErrors() {
        assertEquals("TIDE's positive threshold must be in (0, 1], got 0.0",
                assertThrows(IllegalArgumentException.class, () -> new TideParams(IouType.BBOX, 0, 0, 100)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TideParams(IouType.BBOX, 1.5, 0.1, 100));
        assertEquals("TIDE's background threshold must be in [0, 0.5], got 0.6",
                assertThrows(IllegalArgumentException.class, () -> new TideParams(IouType.BBOX, 0.5, 0.6, 100)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TideParams(IouType.BBOX, 0.5, -0.1, 100));
        assertThrows(IllegalArgumentException.class, () -> TideParams.defaults(IouType.BBOX).withMaxDets(0));
        assertThrows(IllegalArgumentException.class, () -> new TideParams(null, 0.5, 0.1, 100));
        TideParams p = TideParams.defaults(IouType.SEGM);
        assertEquals(0.5, p.posThreshold());
        assertEquals(0.1, p.backgroundThreshold());
        assertEquals(100, p.maxDets());
        assertEquals("mask", p.modeName());
    }

    @Test
    void badInputIsAOneLineError() {
        TideCases c = new TideCases(1).gt(1, 1, 0, 0, 10, 10).det(9, 1, 0.5, 0, 0, 10, 10);
        CocoEvalException e = assertThrows(CocoEvalException.class, c::tide);
        assertEquals("detection #1 is for image id 9, which is not in the ground truth", e.getMessage());

        TideCases nan = new TideCases(1).gt(1, 1, 0, 0, 10, 10).det(1, 1, Double.NaN, 0, 0, 10, 10);
        assertEquals("detection #1 (image 1) has no score (NaN)", assertThrows(CocoEvalException.class, nan::tide).getMessage());

        CocoDataset gt = new TideCases(1).gt(1, 1, 0, 0, 10, 10).dataset();
        List<CocoResult> noBox = List.of(new CocoResult(1, 1, null, 0.5, null));
        assertEquals("detection #1 (image 1) has no bbox (bbox evaluation)", assertThrows(CocoEvalException.class,
                () -> Tide.evaluate(gt, noBox, TideParams.defaults(IouType.BBOX))).getMessage());
        assertEquals("detection #1 (image 1) has no segmentation (segm evaluation)", assertThrows(CocoEvalException.class,
                () -> Tide.evaluate(gt, noBox, TideParams.defaults(IouType.SEGM))).getMessage());

        CocoEvalException nothing = assertThrows(CocoEvalException.class, () -> new TideCases(1).tide());
        assertTrue(nothing.getMessage().startsWith("TIDE has nothing to evaluate"), nothing.getMessage());
        assertTrue(!nothing.getMessage().contains("\n"));
    }

    /** A category not in the GT is a class of its own with AP 0 (tidecv), and a warning. */
    @Test
    void detectionsOfUnknownCategoriesCountAsAClass() throws Exception {
        TideResult r = new TideCases(1).gt(1, 1, 0, 0, 10, 10).det(1, 1, 0.9, 0, 0, 10, 10).det(2, 99, 0.5, 0, 0, 10, 10).tide();
        assertEquals(50, r.ap(), EXACT);
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).startsWith("1 detections of categories not in the ground truth"), r.warnings().get(0));
        long[] cats = r.categoryIds();
        assertEquals(99, cats[1]);
        assertEquals(1, r.count(1, TideError.BKG));
        assertEquals(0, r.count(0, TideError.BKG));
    }

    /** Annotations of images the GT does not list are left out with a warning (tidecv cannot read such a file). */
    @Test
    void annotationsOfUnlistedImagesAreLeftOut() throws Exception {
        TideResult r = new TideCases(1).gt(1, 1, 0, 0, 10, 10).gt(7, 1, 0, 0, 10, 10).det(1, 1, 0.9, 0, 0, 10, 10).tide();
        assertEquals(100, r.ap(), EXACT);
        assertEquals(0, r.count(TideError.MISS));
        assertEquals(List.of("1 annotations of images not in 'images' not evaluated (the first: image 7;"
                + " tidecv cannot read such a file)"), r.warnings());
    }

    @Test
    void groundTruthProblemsSayWhere() {
        CocoDataset gt = new CocoDataset(new TideCases(1).dataset().images(),
                List.of(new org.resvision.data.coco.CocoAnnotation(5, 1, 1, new double[] {0, 0, 10, 10}, 100, false, null)),
                new TideCases(1).dataset().categories());
        CocoEvalException e = assertThrows(CocoEvalException.class, () -> Tide.evaluate(gt, List.of(), TideParams.defaults(IouType.SEGM)));
        assertEquals("annotation 5 (image 1) has no segmentation (segm evaluation)", e.getMessage());
        assertTrue(e.inGroundTruth());
    }

    /** At most maxDets detections per image over all classes, the top-scored (COCO: per class). */
    @Test
    void maxDetsCutsPerImageOverAllClasses() throws Exception {
        TideCases c = new TideCases(1, 2, 3).gt(1, 1, 0, 0, 10, 10).gt(1, 2, 20, 0, 10, 10).gt(1, 3, 40, 0, 10, 10)
                .det(1, 3, 0.7, 40, 0, 10, 10).det(1, 1, 0.9, 0, 0, 10, 10).det(1, 2, 0.8, 20, 0, 10, 10);
        TideResult all = c.tide();
        assertEquals(100, all.ap(), EXACT);
        TideResult two = Tide.evaluate(c.dataset(), c.detections(), TideParams.defaults(IouType.BBOX).withMaxDets(2));
        assertEquals(200.0 / 3, two.ap(), 1e-9, "class 3's only detection is cut");
        assertEquals(1, two.count(TideError.MISS));
    }

    /**
     * Where a fix leaves no class to average, tidecv divides by zero; that mAP is 0 here. (Only
     * possible when AP is 0: a true positive survives every fix.)
     */
    @Test
    void aFixThatLeavesNoClassCountsAsZero() throws Exception {
        // the only detection is inside a crowd (left out of AP) and a Loc error on the only GT:
        // fixing false negatives leaves class 1 with neither GT nor detections
        TideResult r = new TideCases(1).crowd(1, 1, 0, 0, 50, 50).gt(1, 1, 45, 45, 20, 20)
                .det(1, 1, 0.6, 30, 30, 25, 25).tide();
        assertEquals(0, r.ap(), EXACT);
        assertEquals(0, r.dAp(TideSpecialError.FALSE_NEG), EXACT);
        assertEquals(0, r.dAp(TideSpecialError.FALSE_POS), EXACT, "nothing to re-score");
    }

    @Test
    void jsonUsesTidecvNames() throws Exception {
        TideResult r = new TideCases(1, 2).gt(1, 1, 0, 0, 10, 10).gt(1, 2, 20, 20, 10, 10)
                .det(1, 1, 0.9, 0, 0, 10, 10).det(1, 2, 0.8, 0, 0, 10, 10).det(1, 1, 0.7, 60, 60, 10, 10).tide();
        ObjectNode j = r.toJson();
        assertEquals("bbox", j.get("mode").asText());
        assertEquals(r.ap(), j.get("ap").asDouble(), 0);
        for (TideError e : TideError.values()) {
            assertEquals(r.dAp(e), j.get("main").get(e.shortName()).asDouble(), 0);
            assertEquals(r.count(e), j.get("counts").get(e.shortName()).asInt());
        }
        assertEquals(r.dAp(TideSpecialError.FALSE_POS), j.get("special").get("FalsePos").asDouble(), 0);
        assertEquals(r.dAp(TideSpecialError.FALSE_NEG), j.get("special").get("FalseNeg").asDouble(), 0);
        assertEquals(1, j.get("counts").get("Cls").asInt());
        assertEquals(1, j.get("counts").get("Bkg").asInt());
        assertEquals(1, j.get("per_category").get(1).get("counts").get("Cls").asInt(), "the Cls error under its own class, 2");
        assertEquals(1, j.get("per_category").get(0).get("counts").get("Bkg").asInt());
        assertEquals(List.of("Cls", "Loc", "Both", "Dupe", "Bkg", "Miss"),
                List.of(TideError.values()).stream().map(TideError::shortName).toList());
    }

    /** Python's '{:.2f}': the exact binary value, half-even, sign kept. */
    @Test
    void numbersPrintAsPythonPrintsThem() {
        assertEquals("0.12", TideTable.fixed2(0.125));
        assertEquals("0.38", TideTable.fixed2(0.375));
        assertEquals("0.01", TideTable.fixed2(0.015)); // 0.01499999999999999944...
        assertEquals("-0.00", TideTable.fixed2(-1e-15));
        assertEquals("  5.00", TideTable.fixed6x2(5));
        assertEquals(List.of("  Title", "==========", "  A     B  ", "----------", "  1   100  ", "=========="), // as tidecv prints it
                TideTable.lines(List.of(List.of("A", "B"), List.of("1", "100")), "Title"));
    }

    @Test
    void concurrentRunsAgree() throws Exception {
        TideCases c = new TideCases(1, 2);
        for (int i = 0; i < 40; i++) {
            c.gt(1 + i % 5, 1 + i % 2, i, i, 10 + i % 7, 12).det(1 + i % 5, 1 + (i / 3) % 2, (i % 9) / 10.0, i + 1, i, 10, 12);
        }
        CompletableFuture<TideResult> a = CompletableFuture.supplyAsync(() -> run(c));
        TideResult b = run(c);
        assertEquals(b.toJson().toString().replaceAll("\"warnings\".*", ""), a.get().toJson().toString().replaceAll("\"warnings\".*", ""));
    }

    private static TideResult run(TideCases c) {
        try {
            return c.tide();
        } catch (CocoEvalException e) {
            throw new IllegalStateException(e);
        }
    }
}
