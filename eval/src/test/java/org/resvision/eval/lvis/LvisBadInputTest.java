package org.resvision.eval.lvis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.coco.CocoFormatException;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalException;

/** What lvis-api would crash on (or silently misread) is one line naming the file and the record. */
class LvisBadInputTest {

    @TempDir Path dir;

    static final String IMG = "{\"id\": 5, \"width\": 10, \"height\": 10, \"neg_category_ids\": %s, \"not_exhaustive_category_ids\": %s}";
    static final String ANN = "{\"id\": 1, \"image_id\": 5, \"category_id\": 2, \"bbox\": [1, 1, 4, 4], \"area\": 16,"
            + " \"segmentation\": [[1, 1, 5, 1, 5, 5, 1, 5]]}";

    Path gt(String image, String frequency) throws Exception {
        Path f = dir.resolve("gt.json");
        Files.writeString(f, "{\"images\": [" + image + "], \"annotations\": [" + ANN + "], \"categories\": ["
                + "{\"id\": 2, \"name\": \"a\", \"frequency\": \"f\"}, {\"id\": 3, \"name\": \"b\"" + frequency + "}]}");
        return f;
    }

    @Test
    void missingFrequencyNamesTheCategory() throws Exception {
        Path f = gt(IMG.formatted("[]", "[]"), "");
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> LvisDataset.read(f));
        assertEquals(f + ": category #2 (id 3) has no 'frequency' (r, c or f), which LVIS evaluation needs", e.getMessage());
        Path g = gt(IMG.formatted("[]", "[]"), ", \"frequency\": \"x\"");
        e = assertThrows(CocoFormatException.class, () -> LvisDataset.read(g));
        assertEquals(g + ": category #2 (id 3) has frequency 'x', not r, c or f", e.getMessage());
    }

    @Test
    void unknownCategoryInANegListNamesTheImage() throws Exception {
        Path f = gt(IMG.formatted("[3, 77]", "[]"), ", \"frequency\": \"r\"");
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> LvisDataset.read(f));
        assertEquals(f + ": image #1 (id 5): neg_category_ids holds 77, which is not a category", e.getMessage());
        Path g = gt(IMG.formatted("[3]", "[9]"), ", \"frequency\": \"r\"");
        e = assertThrows(CocoFormatException.class, () -> LvisDataset.read(g));
        assertEquals(g + ": image #1 (id 5): not_exhaustive_category_ids holds 9, which is not a category", e.getMessage());
    }

    @Test
    void missingNegListNamesTheImage() throws Exception {
        Path f = gt("{\"id\": 5, \"width\": 10, \"height\": 10, \"not_exhaustive_category_ids\": []}", ", \"frequency\": \"r\"");
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> LvisDataset.read(f));
        assertEquals(f + ": image #1 (id 5) has no 'neg_category_ids', which LVIS evaluation needs", e.getMessage());
    }

    @Test
    void detectionOfAnUnknownImageIsRefused() throws Exception {
        LvisDataset gt = LvisDataset.read(gt(IMG.formatted("[3]", "[]"), ", \"frequency\": \"r\""));
        List<CocoResult> dt = List.of(new CocoResult(5, 2, new double[] {1, 1, 4, 4}, 0.9, null),
                new CocoResult(6, 2, new double[] {1, 1, 4, 4}, 0.8, null));
        CocoEvalException e = assertThrows(CocoEvalException.class,
                () -> LvisEvaluator.evaluate(gt, dt, LvisEvaluator.IouType.BBOX));
        assertTrue(e.getMessage().startsWith("detection #2: image_id 6 is not in the ground truth"), e.getMessage());
        assertTrue(!e.inGroundTruth());
    }

    /** The smallest case by hand: one hit, one FP on a neg category, one unevaluated category, one not-exhaustive FP. */
    @Test
    void federatedRulesByHand() throws Exception {
        // image 5: GT cat 2; neg [3]; not exhaustive [2]
        LvisDataset gt = LvisDataset.read(gt(IMG.formatted("[3]", "[2]"), ", \"frequency\": \"r\""));
        List<CocoResult> dt = List.of(
                new CocoResult(5, 2, new double[] {1, 1, 4, 4}, 0.9, null), // hit
                new CocoResult(5, 2, new double[] {6, 6, 3, 3}, 0.95, null)); // FP on a not-exhaustive category: ignored
        LvisEvalResult r = LvisEvaluator.evaluate(gt, dt, LvisEvaluator.IouType.BBOX);
        assertEquals(1.0, r.get("AP"), 1e-12);
        assertEquals(1.0, r.get("APf"), 1e-12);
        assertEquals(-1.0, r.get("APr")); // cat 3 has no GT
        LvisEvalResult neg = LvisEvaluator.evaluate(gt, List.of(
                new CocoResult(5, 2, new double[] {1, 1, 4, 4}, 0.9, null),
                new CocoResult(5, 3, new double[] {6, 6, 3, 3}, 0.95, null)), LvisEvaluator.IouType.BBOX);
        assertEquals(1.0, neg.get("AP"), 1e-12); // an FP of cat 3 lowers nothing: cat 3 has no GT, so no AP
    }

    /** lvis-api crashes on an empty results list; here it is no detections: AP 0 where there is GT, -1 elsewhere. */
    @Test
    void emptyResultsAreNoDetections() throws Exception {
        LvisDataset gt = LvisDataset.read(gt(IMG.formatted("[3]", "[]"), ", \"frequency\": \"r\""));
        LvisEvalResult r = LvisEvaluator.evaluate(gt, List.of(), LvisEvaluator.IouType.SEGM);
        assertEquals(0.0, r.get("AP"));
        assertEquals(0.0, r.get("AR@300"));
        assertEquals(-1.0, r.get("APr"));
        assertEquals(-1.0, r.get("APl"));
    }
}
