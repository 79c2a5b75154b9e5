package org.resvision.eval.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.resvision.data.io.AtomicFiles;

/**
 * The report page: one self-contained HTML file (inline CSS and SVG, no script, no external URL)
 * with a navigation bar and one section per present part of {@link ReportData}. The same data
 * always gives the same bytes, whatever the default locale.
 *
 * <p>Stateless; safe to call from several threads at once.
 */
public final class HtmlReport {

    private HtmlReport() {}

    /**
     * The page's HTML.
     *
     * @param data the sections to render; a {@code null} section is left out of the page and its navigation
     * @return the whole document, from {@code <!DOCTYPE html>} to {@code </html>} and a final newline; every
     *     text from {@code data} (titles, names) is HTML-escaped
     */
    public static String render(ReportData data) {
        List<Section> sections = sections(data);
        StringBuilder b = new StringBuilder(256 * 1024);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta name=\"generator\" content=\"ResVision coco-eval\">\n")
                .append("<link rel=\"icon\" href=\"data:,\">\n")
                .append("<title>").append(Html.esc(data.title())).append("</title>\n<style>\n").append(Style.CSS);
        for (Section s : sections) {
            b.append(s.css());
        }
        b.append("</style>\n</head>\n<body>\n<header>\n<h1>").append(Html.esc(data.title())).append("</h1>\n");
        if (data.subtitle() != null) {
            b.append("<p class=\"sub\">").append(Html.esc(data.subtitle())).append("</p>\n");
        }
        b.append("<nav>");
        for (Section s : sections) {
            b.append("<a href=\"#").append(s.id()).append("\">").append(Html.esc(s.title())).append("</a>");
        }
        b.append("</nav>\n</header>\n<main>\n");
        for (Section s : sections) {
            b.append("<section id=\"").append(s.id()).append("\">\n<h2>").append(Html.esc(s.title())).append("</h2>\n")
                    .append(s.body()).append("\n</section>\n");
        }
        b.append("</main>\n<footer>ResVision COCO evaluation report</footer>\n</body>\n</html>\n");
        return b.toString();
    }

    /**
     * Renders the page and writes it to {@code file} (UTF-8) atomically.
     *
     * @param data the sections to render
     * @param file the target; replaced if it exists, its parent folder created if missing
     * @throws IOException when the file cannot be written or renamed into place; {@code file} is then
     *     unchanged
     */
    public static void write(ReportData data, Path file) throws IOException {
        byte[] bytes = render(data).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, tmp -> Files.write(tmp, bytes));
    }

    /** The sections present, in page order. */
    private static List<Section> sections(ReportData d) {
        List<Section> s = new ArrayList<>();
        s.add(new SummarySection(d.summary()));
        if (d.comparison() != null) {
            s.add(new ComparisonSection(d.comparison()));
        }
        if (d.worstClasses() != null) {
            s.add(new WorstClassesSection(d.worstClasses()));
        }
        if (d.tide() != null) {
            s.add(new TideSection(d.tide()));
        }
        if (d.prCurves() != null) {
            s.add(new PrCurveSection(d.prCurves()));
        }
        if (d.confusion() != null) {
            s.add(new ConfusionSection(d.confusion()));
        }
        if (d.reliability() != null) {
            s.add(new ReliabilitySection(d.reliability()));
        }
        if (d.bestF1() != null) {
            s.add(new BestF1Section(d.bestF1()));
        }
        return s;
    }
}
