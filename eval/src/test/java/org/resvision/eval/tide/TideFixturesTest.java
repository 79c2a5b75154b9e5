package org.resvision.eval.tide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalParams.IouType;

/**
 * Every case of src/test/resources/tide (made by make_cases.py, which ran tidecv 1.0.1 on them),
 * every mode it lists: AP and every dAP equal to tidecv's within 1e-9 (the contract is 0.005;
 * the implementation reproduces tidecv's arithmetic and order, so the numbers agree to the last
 * bits), error counts overall and per category exactly, and tidecv's printed summary line for line.
 */
class TideFixturesTest {

    private static final double TOLERANCE = 1e-9;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static double maxDiff;

    static Path cases() throws Exception {
        return Path.of(TideFixturesTest.class.getResource("/tide").toURI());
    }

    static Stream<Arguments> runs() throws Exception {
        List<Arguments> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(cases())) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                JsonNode exp = JSON.readTree(d.resolve("expected.json").toFile());
                exp.fieldNames().forEachRemaining(mode -> out.add(Arguments.of(d.getFileName().toString(), mode)));
            }
        }
        return out.stream();
    }

    @Test
    void theCasesAreThere() throws Exception {
        assertTrue(runs().count() >= 15, "expected the 8 TIDE cases (15 case/mode runs)");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("runs")
    void matchesTidecv(String caseName, String mode) throws Exception {
        Path dir = cases().resolve(caseName);
        JsonNode exp = JSON.readTree(dir.resolve("expected.json").toFile()).get(mode);
        JsonNode p = exp.get("params");
        TideParams params = new TideParams(IouType.parse(mode), p.get("pos_threshold").asDouble(),
                p.get("background_threshold").asDouble(), p.get("max_dets").asInt());
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        TideResult r = Tide.evaluate(gt, dt, params);
        String what = caseName + " " + mode;

        close(exp.get("ap").asDouble(), r.ap(), what + " AP");
        for (TideError e : TideError.values()) {
            close(exp.get("main").get(e.shortName()).asDouble(), r.dAp(e), what + " dAP " + e.shortName());
            assertEquals(exp.get("counts").get(e.shortName()).asInt(), r.count(e), what + " count " + e.shortName());
        }
        for (TideSpecialError e : TideSpecialError.values()) {
            close(exp.get("special").get(e.shortName()).asDouble(), r.dAp(e), what + " dAP " + e.shortName());
        }
        long[] cats = r.categoryIds();
        for (int k = 0; k < cats.length; k++) {
            JsonNode c = exp.get("per_category").get(Long.toString(cats[k]));
            for (TideError e : TideError.values()) {
                int want = c == null ? 0 : c.get(e.shortName()).asInt();
                assertEquals(want, r.count(k, e), what + " category " + cats[k] + " count " + e.shortName());
            }
        }
        List<String> summary = new ArrayList<>();
        exp.get("summary").forEach(l -> summary.add(l.asText()));
        while (summary.get(summary.size() - 1).isEmpty()) {
            summary.remove(summary.size() - 1);
        }
        assertEquals(summary, r.summaryLines("dt").subList(0, summary.size()), what + " summary");
    }

    private static void close(double want, double got, String what) {
        maxDiff = Math.max(maxDiff, Math.abs(want - got));
        assertEquals(want, got, TOLERANCE, what);
    }

    @AfterAll
    static void report() {
        System.out.println("TIDE fixtures: max |AP or dAP - tidecv| = " + maxDiff);
    }

    /** The fixtures themselves: tidecv found every error type somewhere, crowd regions and ignored detections included. */
    @Test
    void everyErrorTypeIsExercised() throws Exception {
        Map<TideError, Integer> seen = new EnumMap<>(TideError.class);
        try (Stream<Path> dirs = Files.list(cases())) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                JsonNode exp = JSON.readTree(d.resolve("expected.json").toFile());
                exp.forEach(run -> {
                    for (TideError e : TideError.values()) {
                        seen.merge(e, run.get("counts").get(e.shortName()).asInt(), Integer::sum);
                    }
                });
            }
        }
        for (TideError e : TideError.values()) {
            assertTrue(seen.get(e) >= 5, "the fixtures have only " + seen.get(e) + " " + e.shortName() + " errors");
        }
    }
}
