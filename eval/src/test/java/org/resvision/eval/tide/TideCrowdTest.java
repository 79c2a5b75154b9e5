package org.resvision.eval.tide;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * One test per behaviour eval/TIDE.md documents for crowd annotations (tidecv's ignore regions),
 * each against pycocotools' treatment (our CocoEvaluator) where they differ or agree. AP is in
 * percent; with one GT and one detection the AP of 101 recall samples is 0 or 100 exactly.
 */
class TideCrowdTest {

    private static final double EXACT = 1e-12;

    /** C1: a crowd region ignores a detection only at crowd-IoU > 0.5; pycocotools at >= 0.5. */
    @Test
    void crowdIouExactlyAtThePositiveThresholdIsNotIgnored() throws Exception {
        // crowd-IoU of [40,0,20,10] with [0,0,50,50] = 100 / 200 = 0.5 exactly
        TideCases c = new TideCases(1).crowd(1, 1, 0, 0, 50, 50).gt(1, 1, 60, 60, 30, 30)
                .det(1, 1, 0.9, 40, 0, 20, 10).det(1, 1, 0.8, 60, 60, 30, 30);
        TideResult r = c.tide();
        assertEquals(1, r.count(TideError.BKG), "the detection at crowd-IoU 0.5 is a background false positive");
        assertEquals(50, r.ap(), EXACT, "a false positive above the true positive: precision 1/2 at every recall");
        assertEquals(100, c.cocoAp50(), EXACT, "pycocotools ignores it");

        TideCases inside = new TideCases(1).crowd(1, 1, 0, 0, 50, 50).gt(1, 1, 60, 60, 30, 30)
                .det(1, 1, 0.9, 40, 0, 19, 10).det(1, 1, 0.8, 60, 60, 30, 30); // crowd-IoU 90 / 190 > 0.5
        assertEquals(100, inside.tide().ap(), EXACT);
        assertEquals(100, inside.cocoAp50(), EXACT);
    }

    /** C2: ignored detections are left out of AP, as in pycocotools, but still get an error type. */
    @Test
    void ignoredDetectionsAreCountedAsErrors() throws Exception {
        TideCases c = new TideCases(1).crowd(1, 1, 0, 0, 100, 100).gt(1, 1, 10, 10, 20, 20)
                .det(1, 1, 0.9, 10, 10, 20, 20)    // TP, inside the crowd all the same
                .det(1, 1, 0.8, 10, 10, 20, 21)    // ignored; a duplicate of the matched GT
                .det(1, 1, 0.7, 60, 60, 20, 20);   // ignored; far from every GT
        TideResult r = c.tide();
        assertEquals(100, r.ap(), EXACT);
        assertEquals(100, c.cocoAp50(), EXACT);
        assertEquals(1, r.count(TideError.DUPE));
        assertEquals(1, r.count(TideError.BKG));
        assertEquals(0, r.dAp(TideError.DUPE), EXACT, "fixing errors that were never in AP changes nothing");
        assertEquals(0, r.dAp(TideError.BKG), EXACT);
    }

    /** C3: the Loc (or Cls) oracle can turn an ignored detection into a true positive. */
    @Test
    void anIgnoredDetectionCanBeFixedIntoATruePositive() throws Exception {
        // [30,30,25,25]: crowd-IoU 400 / 625 = 0.64 (ignored); IoU with the GT 100 / 925 = 0.108 (Loc)
        TideCases c = new TideCases(1).crowd(1, 1, 0, 0, 50, 50).gt(1, 1, 45, 45, 20, 20)
                .det(1, 1, 0.6, 30, 30, 25, 25);
        TideResult r = c.tide();
        assertEquals(0, r.ap(), EXACT);
        assertEquals(0, c.cocoAp50(), EXACT);
        assertEquals(1, r.count(TideError.LOC));
        assertEquals(0, r.count(TideError.MISS), "a GT claimed by a Loc error is not a miss");
        assertEquals(100, r.dAp(TideError.LOC), EXACT);
        assertEquals(0, r.dAp(TideError.MISS), EXACT);
    }

    /** C4: crowd regions take no part in error types: a detection on a crowd of another class is Bkg, not Cls. */
    @Test
    void crowdRegionsAreInvisibleToErrorTypes() throws Exception {
        TideCases c = new TideCases(1, 2).crowd(1, 1, 0, 0, 50, 50).gt(1, 2, 60, 60, 30, 30)
                .det(1, 2, 0.9, 0, 0, 50, 50).det(1, 2, 0.8, 60, 60, 30, 30);
        TideResult r = c.tide();
        assertEquals(0, r.count(TideError.CLS));
        assertEquals(1, r.count(TideError.BKG));
        assertEquals(c.cocoAp50(), r.ap(), EXACT, "a crowd of another class ignores nothing, in both");
    }

    /** C5: in an image whose only GT are crowds, every detection is Bkg, ignored or not. */
    @Test
    void imagesWithOnlyCrowdsMakeBackground() throws Exception {
        TideCases c = new TideCases(1).crowd(1, 1, 0, 0, 50, 50).gt(2, 1, 10, 10, 20, 20)
                .det(1, 1, 0.9, 10, 10, 20, 20)    // ignored
                .det(1, 1, 0.8, 60, 60, 20, 20)    // false positive above the TP
                .det(2, 1, 0.7, 10, 10, 20, 20);   // TP
        TideResult r = c.tide();
        assertEquals(2, r.count(TideError.BKG));
        assertEquals(50, r.ap(), EXACT);
        assertEquals(r.ap(), c.cocoAp50(), 1e-9, "pycocotools agrees on AP");
    }

    /**
     * C6: a category whose only GT are crowds is left out of pycocotools' mean; TIDE leaves it out
     * only when all its detections are ignored, and else averages it in as AP 0.
     */
    @Test
    void crowdOnlyCategoriesCountWhenADetectionEscapes() throws Exception {
        TideCases escapes = new TideCases(1, 2).gt(1, 1, 10, 10, 20, 20).det(1, 1, 0.9, 10, 10, 20, 20)
                .crowd(2, 2, 0, 0, 50, 50).det(2, 2, 0.8, 60, 60, 20, 20);
        TideResult r = escapes.tide();
        assertEquals(50, r.ap(), EXACT);
        assertEquals(100, escapes.cocoAp50(), EXACT);
        assertEquals(50, r.dAp(TideError.BKG), EXACT, "removing the background error empties the class: it leaves the mean");

        TideCases inside = new TideCases(1, 2).gt(1, 1, 10, 10, 20, 20).det(1, 1, 0.9, 10, 10, 20, 20)
                .crowd(2, 2, 0, 0, 50, 50).det(2, 2, 0.8, 10, 10, 20, 20);
        assertEquals(100, inside.tide().ap(), EXACT);
        assertEquals(100, inside.cocoAp50(), EXACT);
    }

    /**
     * C7, as pycocotools: crowds are never GT (no miss, not in the GT count), one crowd ignores
     * any number of detections, crowd-IoU divides by the detection's area, and a detection that
     * matches a GT stays a true positive inside a crowd.
     */
    @Test
    void whereCrowdsActAsInPycocotools() throws Exception {
        TideCases c = new TideCases(1).crowd(1, 1, 0, 0, 100, 100).crowd(2, 1, 0, 0, 10, 10)
                .gt(1, 1, 20, 20, 20, 20).gt(3, 1, 10, 10, 20, 20)
                .det(1, 1, 0.95, 50, 50, 5, 5).det(1, 1, 0.94, 60, 60, 5, 5).det(1, 1, 0.93, 70, 70, 5, 5)
                .det(1, 1, 0.9, 20, 20, 20, 20)
                .det(2, 1, 0.99, 2, 2, 6, 6)       // crowd-IoU 36 / 36 = 1 (plain IoU 36 / 100): ignored
                .det(2, 1, 0.98, 0, 0, 10, 40)     // crowd-IoU 100 / 400 = 0.25: a false positive
                .det(3, 1, 0.5, 10, 10, 20, 20);
        TideResult r = c.tide();
        assertEquals(0, r.count(TideError.MISS));
        assertEquals(c.cocoAp50(), r.ap(), 1e-9);
        assertEquals(100 * 2.0 / 3, r.ap(), 1e-9, "one false positive ranks above two true positives");
    }
}
