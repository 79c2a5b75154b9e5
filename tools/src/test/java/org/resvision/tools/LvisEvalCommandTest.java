package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code coco-eval --protocol lvis} as a user runs it, on the eval module's lvis-api fixture "both". */
class LvisEvalCommandTest {

    static final Path CASES = Path.of("../eval/src/test/resources/lvis");

    static String[] args(String... extra) {
        List<String> a = new ArrayList<>(List.of("coco-eval", "--protocol", "lvis",
                "--gt", CASES.resolve("both/gt.json").toString(), "--dt", CASES.resolve("both/dt.json").toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** The text is lvis-api's print_results output, line for line. */
    @Test
    void textIsLvisApisPrintResults() throws Exception {
        JsonNode exp = new ObjectMapper().readTree(CASES.resolve("expected.json").toFile()).get("both").get("segm");
        EvalCommandsTest.Run r = EvalCommandsTest.run(args("--iou-type", "segm"));
        assertEquals(0, r.code(), r.err());
        assertEquals(exp.get("printed").asText(), r.out());
    }

    /** --json is {"protocol": "lvis", "results": {...}} with lvis-api's names, order and values. */
    @Test
    void jsonHasLvisApisResults() throws Exception {
        JsonNode exp = new ObjectMapper().readTree(CASES.resolve("expected.json").toFile()).get("both").get("bbox").get("results");
        EvalCommandsTest.Run r = EvalCommandsTest.run(args("--json"));
        assertEquals(0, r.code(), r.err());
        JsonNode got = new ObjectMapper().readTree(r.out());
        assertEquals("lvis", got.get("protocol").asText());
        List<String> want = new ArrayList<>();
        exp.fieldNames().forEachRemaining(want::add);
        List<String> have = new ArrayList<>();
        got.get("results").fieldNames().forEachRemaining(have::add);
        assertEquals(want, have);
        for (String k : want) {
            assertEquals(exp.get(k).asDouble(), got.get("results").get(k).asDouble(), 0.0, k);
        }
    }

    /** Options of the COCO protocol, an unknown protocol and a bad IoU type: one line, exit 2. */
    @Test
    void optionsThatDoNotApplyAreOneLineUsageErrors() {
        for (String[] extra : new String[][] {{"--diagnostics"}, {"--compare", "b.json"}, {"--max-dets", "1,10,100"},
                {"--per-class"}, {"--iou-type", "keypoints"}}) {
            EvalCommandsTest.Run r = EvalCommandsTest.run(args(extra));
            assertEquals(2, r.code(), String.join(" ", extra));
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains(extra[0].equals("--iou-type") ? "--iou-type must be bbox or segm"
                    : extra[0] + " does not apply to --protocol lvis"), r.err());
        }
        EvalCommandsTest.Run two = EvalCommandsTest.run(args(new String[] {"--dt", "other.json"}));
        assertEquals(2, two.code(), two.err());
        assertTrue(two.err().contains("one --dt"), two.err());
        EvalCommandsTest.Run r = EvalCommandsTest.run("coco-eval", "--protocol", "voc", "--gt", "a", "--dt", "b");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--protocol must be coco or lvis, got 'voc'"), r.err());
    }

    /** A COCO file without 'frequency': one line naming the file and the category, exit 1. */
    @Test
    void cocoGroundTruthIsRefusedForLvis() {
        Path coco = Path.of(System.getProperty("resvision.shared.dir", "../../shared"), "fixtures/coco-eval/01-basic-perfect");
        if (!coco.toFile().isDirectory()) {
            return; // the shared fixtures are not checked out here
        }
        EvalCommandsTest.Run r = EvalCommandsTest.run("coco-eval", "--protocol", "lvis", "--gt", coco.resolve("gt.json").toString(),
                "--dt", coco.resolve("dt.json").toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(coco.resolve("gt.json") + ": category #1 (id "), r.err());
        assertTrue(r.err().contains("has no 'frequency'"), r.err());
    }
}
