package org.resvision.eval.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full report (80 classes, every section) in a real headless chromium: no console error, no
 * exception, no failed load, no request but the file itself, every section laid out, no
 * horizontal overflow, and a screenshot that is not blank. Negative controls first prove that
 * the detector catches an injected console error, an uncaught exception and a failed load.
 * chromium is required: test.sh installs it (Debian's {@code chromium}).
 *
 * <p>The full-page screenshot is kept as {@code target/report-browser/report.png} (with the page);
 * {@code -Dresvision.report.docs=docs/report.png} also writes it as the README's small palette PNG.
 */
@Timeout(90)
class ReportBrowserTest {

    static final int WIDTH = 1280;

    static HeadlessChromium browser;
    static String reportHtml;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        Path chromium = HeadlessChromium.executable();
        if (chromium == null) {
            fail("chromium is not installed: run ./test.sh, which installs it (apt-get install chromium), or set -Dresvision.chromium=PATH");
        }
        browser = new HeadlessChromium(chromium, WIDTH, 900);
        reportHtml = HtmlReport.render(SyntheticReport.full());
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            List<ProcessHandle> procs = browser.processes();
            Path home = browser.home();
            browser.close();
            for (ProcessHandle p : procs) {
                assertFalse(p.isAlive(), "browser process " + p.pid() + " left running");
            }
            assertTrue(procs.size() >= 2, "the browser's child processes were seen: " + procs.size());
            assertFalse(Files.exists(home), "the temporary profile is deleted");
        }
    }

    private static URI page(String name, String html) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, html);
        return f.toUri();
    }

    @Test
    void theDetectorCatchesInjectedErrors() throws Exception {
        String head = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\"></head><body><p>control</p>";
        assertEquals(List.of(), browser.load(page("clean.html", head + "<script>console.log('fine')</script></body></html>"), 150),
                "a clean page reports nothing");
        List<String> console = browser.load(page("console.html", head + "<script>console.error('injected-console-error')</script></body></html>"), 150);
        assertTrue(console.stream().anyMatch(s -> s.contains("injected-console-error")), console::toString);
        List<String> thrown = browser.load(page("throw.html", head + "<script>throw new Error('injected-exception')</script></body></html>"), 150);
        assertTrue(thrown.stream().anyMatch(s -> s.contains("injected-exception")), thrown::toString);
        List<String> missing = browser.load(page("missing.html", head + "<img src=\"no-such-image.png\"></body></html>"), 150);
        assertFalse(missing.isEmpty(), "a failed load is reported");
        assertTrue(browser.requests().stream().anyMatch(u -> u.endsWith("no-such-image.png")), browser.requests()::toString);
        // the real page, with an error injected at its very end
        String injected = reportHtml.replace("</body>", "<script>console.error('injected-into-report')</script></body>");
        List<String> late = browser.load(page("injected-report.html", injected), 300);
        assertTrue(late.stream().anyMatch(s -> s.contains("injected-into-report")), late::toString);
    }

    @Test
    void theFullReportRendersWithoutErrors() throws Exception {
        Path report = dir.resolve("report.html");
        HtmlReport.write(SyntheticReport.full(), report);
        assertEquals(reportHtml, Files.readString(report), "the same data, the same page");
        URI uri = report.toUri();
        List<String> problems = browser.load(uri, 300);
        assertEquals(List.of(), problems, "errors reported by chromium");
        assertEquals(List.of(uri.toString()), browser.requests(), "the page requests nothing but itself");

        JsonNode layout = browser.evaluate("""
                ({sections: [...document.querySelectorAll('section')].filter(s => s.getBoundingClientRect().height > 60).length,
                  svgs: document.querySelectorAll('svg').length,
                  emptySvgs: [...document.querySelectorAll('svg')].filter(s => s.getBoundingClientRect().width === 0
                      && s.closest('.panel') && getComputedStyle(s.closest('.panel')).display !== 'none').length,
                  overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                  visiblePanels: [...document.querySelectorAll('.tabs>div.panel')].filter(p => getComputedStyle(p).display !== 'none').length,
                  heading: document.querySelector('h1').textContent,
                  hostile: [...document.querySelectorAll('td')].some(td => td.textContent === %s)})
                """.formatted(jsString(SyntheticReport.HOSTILE)));
        assertEquals(8, layout.get("sections").asInt(), layout::toString);
        assertTrue(layout.get("svgs").asInt() > 300, layout::toString);
        assertEquals(0, layout.get("emptySvgs").asInt(), layout::toString);
        assertTrue(layout.get("overflow").asInt() <= 0, () -> "the page is wider than the window: " + layout);
        assertEquals(1, layout.get("visiblePanels").asInt(), "one area tab shown: " + layout);
        assertEquals("COCO evaluation: model A", layout.get("heading").asText());
        assertTrue(layout.get("hostile").asBoolean(), "the hostile class name shows as text");

        byte[] png = browser.screenshotPng();
        Path out = Path.of(System.getProperty("resvision.report.screenshot", "target/report-browser/report.png"));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, png);
        Files.copy(report, out.resolveSibling("report.html"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        BufferedImage img = HeadlessChromium.decode(png);
        assertEquals(WIDTH, img.getWidth());
        assertTrue(img.getHeight() > 3000, "the full page, not the viewport: " + img.getHeight());
        Set<Integer> colours = new HashSet<>();
        long nonWhite = 0;
        long pixels = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                colours.add(rgb);
                int r = rgb >> 16;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (r < 235 || g < 235 || b < 235) {
                    nonWhite++;
                }
                pixels++;
            }
        }
        System.out.printf("ReportBrowserTest: screenshot %dx%d, %d colours, %.1f%% not white, %s%n", img.getWidth(), img.getHeight(),
                colours.size(), 100.0 * nonWhite / pixels, out.toAbsolutePath());
        assertTrue(colours.size() > 500, "a blank or flat screenshot: " + colours.size() + " colours");
        assertTrue(nonWhite > pixels / 50, "a blank screenshot: " + nonWhite + " of " + pixels + " pixels not white");
        assertEquals(List.of(), browser.problems(), "errors reported while evaluating and capturing");
        String docs = System.getProperty("resvision.report.docs"); // eval/docs/report.png: -Dresvision.report.docs=docs/report.png
        if (docs != null && !docs.isBlank()) {
            IndexedPng.write(img, Path.of(docs));
            System.out.println("ReportBrowserTest: wrote " + Path.of(docs).toAbsolutePath() + ", " + Files.size(Path.of(docs)) + " bytes");
        }
    }

    private static String jsString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.append('"').toString();
    }
}
