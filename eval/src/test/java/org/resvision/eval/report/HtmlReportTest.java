package org.resvision.eval.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page without a browser: sections, escaping, determinism, size, the atomic write. */
class HtmlReportTest {

    static ReportData full;
    static String html;

    @BeforeAll
    static void render() throws Exception {
        full = SyntheticReport.full();
        html = HtmlReport.render(full);
    }

    @Test
    void everySectionIsRenderedOnceAndLinked() {
        for (String id : List.of("summary", "comparison", "worst", "tide", "pr", "confusion", "calibration", "f1")) {
            assertEquals(1, count(html, "<section id=\"" + id + "\">"), id);
            assertEquals(1, count(html, "<a href=\"#" + id + "\">"), id);
        }
        assertEquals(8, count(html, "<section "));
        assertTrue(html.contains("<title>true car, predicted truck: "), "confusion cells have hover titles");
        assertEquals(80 * 4 + 4, count(html, "aria-label=\"Precision-recall curves of "), "a chart per class and area, and overall");
    }

    @Test
    void aMissingSectionIsNotRendered() {
        ReportData only = ReportData.of("only <the> summary", full.summary());
        String page = HtmlReport.render(only);
        assertEquals(1, count(page, "<section "));
        assertTrue(page.contains("<section id=\"summary\">"));
        assertTrue(page.contains("<title>only &lt;the&gt; summary</title>"));
        for (String id : List.of("comparison", "worst", "tide", "pr", "confusion", "calibration", "f1")) {
            assertFalse(page.contains("id=\"" + id + "\""), id);
        }
        // an empty per-class list and no second model render too
        Summary bare = new Summary("m", List.of("AP"), new double[] {-1}, null, null, List.of());
        String minimal = HtmlReport.render(ReportData.of("t", bare).withBestF1(List.of()).withWorstClasses(WorstClasses.of(List.of(), 5)));
        assertTrue(minimal.contains("<td>\u2013</td>"), "AP -1 is a dash");
    }

    @Test
    void degenerateDataRendersEverySectionWithoutNaN() {
        double nan = Double.NaN;
        Summary summary = new Summary("m", List.of("AP", "AR"), new double[] {nan, -1}, "n", new double[] {0.5, Double.POSITIVE_INFINITY},
                List.of(new Summary.ClassRow("", nan, -1, 0, 0)));
        ReportData d = ReportData.of("", summary)
                .withSubtitle("")
                .withComparison(new Comparison("a", "b", List.of(new Comparison.Stat("AP", nan, nan, nan, nan, nan)),
                        List.of(new Comparison.ClassDelta("x", -1, -1, nan), new Comparison.ClassDelta("y", 0.2, 0.1, -0.1))))
                .withWorstClasses(new WorstClasses(List.of()))
                .withTide(new Tide(List.of(new Tide.ErrorType("Cls", nan, 0), new Tide.ErrorType("Loc", -0.5, 3)), List.of(), null))
                .withPrCurves(new PrCurves(new double[] {0, 1}, List.of(new PrCurves.Curve("all", "all",
                        new double[] {nan, nan}, new double[] {1, 0}, new double[] {nan, 0.5})), List.of()))
                .withConfusion(new Confusion(List.of("background"), new long[][] {{0}}, nan, 0))
                .withReliability(new Reliability(List.of(new Reliability.Bin(0, 1, 0, nan, nan), new Reliability.Bin(0.5, 0.5, 3, nan, 2)), nan, nan))
                .withBestF1(List.of(new BestF1("z", nan, -1, 0, 1)));
        String page = HtmlReport.render(d);
        assertEquals(8, count(page, "<section "));
        for (String bad : List.of("NaN", "Infinity", "E-", "E+", "null")) {
            assertFalse(page.contains(bad), () -> bad + " in " + page.substring(Math.max(0, page.indexOf(bad) - 200), page.indexOf(bad) + 50));
        }
        Summary empty = new Summary("m", List.of(), new double[0], null, null, List.of());
        String minimal = HtmlReport.render(ReportData.of("t", empty).withComparison(new Comparison("a", "b", List.of(), List.of()))
                .withTide(new Tide(List.of(), List.of(), null)).withConfusion(new Confusion(List.of(), new long[0][], 0.5, 0.5))
                .withReliability(new Reliability(List.of(), 0, 0)));
        assertEquals(5, count(minimal, "<section "));
    }

    @Test
    void everyTextIsEscaped() {
        assertFalse(html.contains("<script"), "no script element, and the hostile class name is escaped");
        assertFalse(html.contains(SyntheticReport.HOSTILE));
        assertTrue(html.contains(Html.esc(SyntheticReport.HOSTILE)));
        assertFalse(html.contains("hot <dog>"));
        assertTrue(html.contains("hot &lt;dog&gt; &amp; &quot;bun&quot;"));
        assertTrue(html.contains("caf\u00e9 \u2615 &#39;toothbrush&#39;"));
        assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&#39;\uFFFD\uFFFD\uD83D\uDE00", Html.esc("<a href=\"x\">&'\u0001\uD800\uD83D\uDE00"));
        // every '&' starts a character reference
        Matcher m = Pattern.compile("&(?!(amp|lt|gt|quot|#39);)").matcher(html);
        assertFalse(m.find(), () -> "raw & at " + m.start() + ": " + html.substring(Math.max(0, m.start() - 40), m.start() + 40));
    }

    @Test
    void selfContained() {
        assertFalse(html.contains("http:"), "no URL (inline SVG needs no namespace)");
        assertFalse(html.contains("https:"));
        assertFalse(html.contains("url("));
        assertFalse(html.contains("@import"));
        Matcher src = Pattern.compile("(src|href)=\"([^\"]*)\"").matcher(html);
        while (src.find()) {
            String v = src.group(2);
            assertTrue(v.startsWith("#") || v.equals("data:,"), "a link to " + v);
        }
    }

    @Test
    void theSameDataGivesTheSameBytesInAnyLocale() throws Exception {
        Locale before = Locale.getDefault();
        try {
            for (Locale l : List.of(Locale.GERMANY, Locale.forLanguageTag("ar-EG-u-nu-arab"), Locale.forLanguageTag("hi-IN-u-nu-deva"),
                    Locale.forLanguageTag("tr-TR"))) {
                Locale.setDefault(l);
                assertEquals(html, HtmlReport.render(full), l.toString());
            }
        } finally {
            Locale.setDefault(before);
        }
        assertTrue(html.contains("<td>" + Num.score(full.summary().stats()[0]) + "</td>"));
    }

    @Test
    void underTwoMegabytes() {
        int bytes = html.getBytes(StandardCharsets.UTF_8).length;
        System.out.println("HtmlReportTest: the full report (80 classes, every section) is " + bytes + " bytes");
        assertTrue(bytes < 2_000_000, bytes + " bytes");
        assertTrue(bytes > 100_000, "every section is there: " + bytes + " bytes");
    }

    @Test
    void writtenAtomically(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("report.html");
        Files.writeString(file, "old");
        HtmlReport.write(full, file);
        assertArrayEquals(html.getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void recordsRefuseInconsistentData() {
        assertThrows(IllegalArgumentException.class, () -> new Confusion(List.of("a", "background"), new long[][] {{1, 2}}, 0.5, 0.3));
        assertThrows(IllegalArgumentException.class, () -> new Confusion(List.of("a", "background"), new long[][] {{1, 2}, {3}}, 0.5, 0.3));
        assertThrows(IllegalArgumentException.class, () -> new Summary("m", List.of("AP", "AP50"), new double[] {0.1}, null, null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Summary("m", List.of("AP"), new double[] {0.1}, "other", null, List.of()));
        double[] three = new double[3];
        assertThrows(IllegalArgumentException.class,
                () -> new PrCurves(new double[101], List.of(new PrCurves.Curve("x", "all", three, three, three)), List.of()));
        assertThrows(NullPointerException.class, () -> ReportData.of("t", null));
    }

    @Test
    void numbersAreFormattedWithoutLocale() {
        assertEquals("0.371", Num.score(0.3715), "as Python's '{:0.3f}' (and pycocotools' summary): 0.3715 is 0.37149999...");
        assertEquals("0.372", Num.score(0.37249999));
        assertEquals("\u2013", Num.score(-1));
        assertEquals("\u2013", Num.score(Double.NaN));
        assertEquals("+0.012", Num.signed(0.012));
        assertEquals("\u22120.004", Num.signed(-0.004));
        assertEquals("+0.000", Num.signed(-0.0000001));
        assertEquals("12.5%", Num.percent(0.125));
        assertEquals("-0.5", Num.coord(-0.5));
        assertEquals("-1.5", Num.coord(-1.5));
        assertEquals("3", Num.coord(2.96));
        assertEquals("0", Num.coord(-0.04));
    }

    @Test
    void summaryCountsTheEvaluatedImagesOnly() throws Exception {
        var gt = SyntheticReport.groundTruth();
        var dt = SyntheticReport.detections(gt, 11, 1.0);
        var params = org.resvision.eval.coco.CocoEvalParams.defaults(org.resvision.eval.coco.CocoEvalParams.IouType.BBOX);
        Summary all = Summary.from("m", org.resvision.eval.coco.CocoEvaluator.evaluate(gt, dt, params), gt, dt);
        assertEquals(gt.annotations().size(), all.classes().stream().mapToLong(Summary.ClassRow::numGt).sum());
        assertEquals(dt.size(), all.classes().stream().mapToLong(Summary.ClassRow::numDets).sum());
        var one = params.withImageIds(new long[] {1});
        Summary first = Summary.from("m", org.resvision.eval.coco.CocoEvaluator.evaluate(gt, dt, one), gt, dt);
        assertEquals(gt.annotations().stream().filter(a -> a.imageId() == 1).count(),
                first.classes().stream().mapToLong(Summary.ClassRow::numGt).sum());
        assertEquals(dt.stream().filter(d -> d.imageId() == 1).count(), first.classes().stream().mapToLong(Summary.ClassRow::numDets).sum());
    }

    @Test
    void worstClassesAreTheLowestApWithGroundTruth() {
        List<Summary.ClassRow> rows = List.of(new Summary.ClassRow("a", 0.5, 0.7, 3, 4), new Summary.ClassRow("b", -1, -1, 0, 2),
                new Summary.ClassRow("c", 0.1, 0.2, 5, 5), new Summary.ClassRow("d", 0.1, 0.3, 1, 1));
        assertEquals(List.of("c", "d"), WorstClasses.of(rows, 2).rows().stream().map(Summary.ClassRow::name).toList());
        assertEquals(3, WorstClasses.of(rows, 10).rows().size());
    }

    static int count(String s, String sub) {
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + 1)) {
            n++;
        }
        return n;
    }
}
