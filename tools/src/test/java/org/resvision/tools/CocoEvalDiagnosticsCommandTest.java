package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.tools.EvalCommandsTest.Run;

/** coco-eval --diagnostics as a user runs it: the sections of --json agree with each other and with the plain run. */
class CocoEvalDiagnosticsCommandTest {

    @TempDir Path dir;

    private static final Path CASE = EvalCommandsTest.fixture("10-realistic-200");

    private static Run cocoEval(String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "coco-eval";
        args[1] = "--gt=" + CASE.resolve("gt.json");
        args[2] = "--dt";
        args[3] = CASE.resolve("dt.json").toString();
        System.arraycopy(more, 0, args, 4, more.length);
        return EvalCommandsTest.run(args);
    }

    @Test
    void jsonSectionsAgree() throws Exception {
        Run plain = cocoEval("--json");
        Run r = cocoEval("--json", "--diagnostics", "--confusion-score", "0.3");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(new ObjectMapper().readTree(plain.out()).get("stats"), j.get("stats"), "diagnostics leave the stats alone");
        JsonNode d = j.get("diagnostics");

        JsonNode cm = d.get("confusion");
        assertEquals(0.3, cm.get("score_threshold").asDouble(), 1e-6);
        int K = cm.get("category_ids").size();
        assertEquals(K + 1, cm.get("labels").size());
        assertEquals("background", cm.get("labels").get(K).asText());
        long gtCounted = 0;
        for (int k = 0; k < K; k++) {
            for (JsonNode v : cm.get("counts").get(k)) {
                gtCounted += v.asLong();
            }
        }
        JsonNode overall = d.get("operating_points").get("overall");
        assertEquals(gtCounted, overall.get("tp").asLong() + overall.get("fn").asLong(), "GT in the matrix = TP + FN of the operating point");
        assertTrue(overall.get("f").asDouble() > 0.3 && overall.get("f").asDouble() < 1, overall.toString());

        JsonNode cal = d.get("calibration");
        long binned = 0;
        for (JsonNode b : cal.get("bins")) {
            binned += b.get("count").asLong();
        }
        assertEquals(cal.get("count").asLong(), binned);
        assertTrue(cal.get("ece").asDouble() > 0 && cal.get("ece").asDouble() <= cal.get("mce").asDouble());

        JsonNode tide = d.get("tide");
        assertEquals("bbox", tide.get("mode").asText(), tide.toString());
        assertTrue(tide.get("ap").asDouble() > 10 && tide.get("ap").asDouble() < 100, "tidecv's AP50 in percent: " + tide.get("ap"));
        assertEquals(6, tide.get("main").size(), tide.get("main").toString());

        JsonNode curves = d.get("pr_curves");
        assertEquals(101, curves.get("recall").size());
        JsonNode all50 = curves.get("overall").get("all").get("iou50");
        assertEquals(101, all50.size());
        double mean = 0;
        for (JsonNode v : all50) {
            mean += v.asDouble() / 101;
        }
        assertEquals(j.get("stats").get(1).asDouble(), mean, 1e-5, "AP50 is the mean of the overall IoU-0.5 curve");
    }

    @Test
    void textSummaryAndPerClassTable() {
        Run r = cocoEval("--diagnostics", "--per-class");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Best F1 at IoU 0.50, all classes"), r.out());
        assertTrue(r.out().contains("Calibration at IoU 0.50: ECE"), r.out());
        assertTrue(r.out().contains("Confusions at IoU 0.50, score >= 0.50"), r.out());
        assertTrue(r.out().contains("score>="), "per-class table with operating points");
    }

    @Test
    void scoresThatAreNotProbabilitiesSkipCalibrationOnly() throws Exception {
        ArrayNode dt = (ArrayNode) new ObjectMapper().readTree(CASE.resolve("dt.json").toFile());
        for (JsonNode n : dt) {
            ((ObjectNode) n).put("score", n.get("score").asDouble() * 10);
        }
        Path scaled = dir.resolve("scaled.json");
        Files.writeString(scaled, dt.toString());
        Run r = EvalCommandsTest.run("coco-eval", "--gt", CASE.resolve("gt.json").toString(), "--dt", scaled.toString(),
                "--diagnostics", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode cal = new ObjectMapper().readTree(r.out()).get("diagnostics").get("calibration");
        assertTrue(cal.get("skipped").asText().contains("outside [0, 1]"), cal.toString());
    }

    /** The fixture's results with every score moved by a seeded amount (another model of the same quality). */
    private Path otherModel() throws Exception {
        ArrayNode dt = (ArrayNode) new ObjectMapper().readTree(CASE.resolve("dt.json").toFile());
        java.util.Random rnd = new java.util.Random(3);
        for (JsonNode n : dt) {
            ((ObjectNode) n).put("score", Math.min(1, Math.max(0, n.get("score").asDouble() + 0.2 * rnd.nextGaussian())));
        }
        Path b = dir.resolve("b.json");
        Files.writeString(b, dt.toString());
        return b;
    }

    @Test
    void compareGivesDeltasWithIntervalsAndAReport() throws Exception {
        Path b = otherModel();
        Path report = dir.resolve("out/report.html");
        Run r = cocoEval("--json", "--compare", b.toString(), "--bootstrap", "100", "--seed", "5", "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        JsonNode cmp = j.get("comparison");
        assertEquals(100, cmp.get("resamples").asInt());
        assertEquals(5, cmp.get("seed").asLong());
        JsonNode ap = cmp.get("stats").get(0);
        assertEquals("AP", ap.get("name").asText());
        assertEquals(j.get("stats").get(0).asDouble(), ap.get("a").asDouble(), 0.0, "A is the evaluated file");
        assertEquals(ap.get("b").asDouble() - ap.get("a").asDouble(), ap.get("delta").asDouble(), 1e-12);
        assertTrue(ap.get("low").asDouble() <= ap.get("delta").asDouble() && ap.get("delta").asDouble() <= ap.get("high").asDouble(), ap.toString());
        assertTrue(ap.get("delta").asDouble() != 0, "scores moved: AP changed");
        // the same seed gives the same intervals
        assertEquals(cmp, new ObjectMapper().readTree(cocoEval("--json", "--compare", b.toString(), "--bootstrap", "100", "--seed", "5").out()).get("comparison"));
        String html = Files.readString(report);
        assertTrue(html.contains("Comparison: b.json against dt.json"), "the report compares the two files");
        for (String section : new String[] {"Error breakdown (TIDE)", "Confusion matrix", "Score calibration", "Best F1 per class",
                "Precision", "Worst classes"}) {
            assertTrue(html.contains(section), "the report has " + section);
        }

        // a model against itself: every delta and interval is 0
        JsonNode self = new ObjectMapper().readTree(cocoEval("--json", "--compare", CASE.resolve("dt.json").toString(), "--bootstrap", "20").out())
                .get("comparison").get("stats");
        for (JsonNode s : self) {
            if (!s.get("delta").isNull()) {
                assertEquals(0.0, s.get("delta").asDouble(), 0.0, s.toString());
                assertEquals(0.0, s.get("high").asDouble() - s.get("low").asDouble(), 0.0, s.toString());
            }
        }
    }

    @Test
    void compareErrorsNameTheSecondFile() throws Exception {
        Path b = dir.resolve("b.json");
        Files.writeString(b, "[{\"image_id\": 999999, \"category_id\": 1, \"bbox\": [0, 0, 5, 5], \"score\": 0.5}]");
        Run r = cocoEval("--compare", b.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.code() != 0 && r.err().contains(b.toString()) && r.err().contains("999999"), r.err());
        Run alone = cocoEval("--bootstrap", "10");
        assertEquals(2, alone.code(), alone.err());
        assertTrue(alone.err().contains("--compare"), alone.err());
    }

    @Test
    void segmOfBoxesWithBoxMasksGetsTideOnTheBoxMasks() throws Exception {
        Path c = EvalCommandsTest.fixture("09-bbox-only-dets-generated");
        Run r = EvalCommandsTest.run("coco-eval", "--gt", c.resolve("gt.json").toString(), "--dt", c.resolve("dt.json").toString(),
                "--iou-type", "segm", "--box-masks", "--diagnostics", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode tide = new ObjectMapper().readTree(r.out()).get("diagnostics").get("tide");
        assertEquals("mask", tide.get("mode").asText(), tide.toString());
        assertTrue(tide.get("ap").asDouble() > 0, tide.toString());
    }

    @Test
    void badDiagnosticOptionsAreOneLineErrors() {
        for (String[] bad : new String[][] {{"--confusion-iou", "0.52"}, {"--match-iou", "2"}, {"--f-beta", "0"},
                {"--calibration-bins", "0"}, {"--confusion-score", "NaN"}}) {
            Run r = cocoEval("--diagnostics", bad[0], bad[1]);
            assertEquals(2, r.code(), String.join(" ", bad) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(bad[0]), r.err());
        }
    }
}
