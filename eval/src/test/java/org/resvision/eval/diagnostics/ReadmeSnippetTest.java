package org.resvision.eval.diagnostics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvaluator;
import org.resvision.eval.coco.CocoMatching;
import org.resvision.eval.coco.GroundTruthMasks;
import org.resvision.eval.report.EvaluationReport;
import org.resvision.eval.report.HtmlReport;

/** The README's diagnostics snippet, as written there, on a fixture: it runs and prints what it says. */
class ReadmeSnippetTest {

    @TempDir Path dir;

    @Test
    void readmeSnippetRuns() throws Exception {
        Path f = DiagnosticsTest.fixtures().resolve("10-realistic-200");
        CocoDataset gt = CocoReader.readDataset(f.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(f.resolve("dt.json"));
        List<CocoResult> dtB = new ArrayList<>();
        for (CocoResult x : dt) {
            dtB.add(new CocoResult(x.imageId(), x.categoryId(), x.bbox(), x.score() * x.score(), x.segmentation()));
        }
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        Path cwd = dir;
        try {
            // ---- README, "Diagnostics" (report path made absolute for the test) ----
            CocoMatching m = CocoEvaluator.match(gt, null, dt, CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX));
            CocoEvalResult r = m.accumulate();
            Diagnostics d = Diagnostics.compute(m, r, Diagnostics.Options.defaults(), GroundTruthMasks.none(gt), dt);
            System.out.println(d.tide().summaryText("model A"));           // TIDE; d.confusion(), d.operatingPoints(), d.calibration()
            ModelComparison c = ModelComparison.compare(m, CocoEvaluator.match(gt, null, dtB, m.params()));
            System.out.println(c.toText());
            HtmlReport.write(EvaluationReport.build("model A", null, "A", r, gt, dt, Map.of(), d), cwd.resolve("report.html"));
            // ----
        } finally {
            System.setOut(out);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("-- model A --") && text.contains("Main Errors"), text);
        assertTrue(text.contains("AP50"), text);
        assertTrue(Files.readString(dir.resolve("report.html")).contains("Error breakdown (TIDE)"));
    }
}
