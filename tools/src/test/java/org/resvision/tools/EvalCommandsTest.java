package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** coco-eval and voc-eval as a user runs them: output, exit codes, one-line errors. */
public class EvalCommandsTest {

    @TempDir Path dir;

    /** A command line's exit code and what it printed. */
    public record Run(int code, String out, String err) {}

    /** Runs a command line in this JVM, capturing stdout and stderr (the corpus and the command tests use it). */
    public static Run run(String... args) {
        return run(() -> Main.run(args));
    }

    /** Runs {@code main} with stdout and stderr captured. */
    static Run run(java.util.function.IntSupplier main) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int code = main.getAsInt();
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static Path fixture(String name) {
        return Path.of(System.getProperty("resvision.shared.dir", "../../shared"), "fixtures/coco-eval", name);
    }

    @Test
    void jsonStatsAreThePycocotoolsNumbers() throws Exception {
        Path c = fixture("02-crowd");
        Run r = run("coco-eval", "--gt", c.resolve("gt.json").toString(), "--dt", c.resolve("dt.json").toString(),
                "--iou-type", "segm", "--json", "--per-class");
        assertEquals(0, r.code(), r.err());
        JsonNode got = new ObjectMapper().readTree(r.out());
        JsonNode want = new ObjectMapper().readTree(c.resolve("expected.json").toFile()).get("segm").get("stats");
        for (int i = 0; i < 12; i++) {
            assertEquals(want.get(i).asDouble(), got.get("stats").get(i).asDouble(), 1e-4, "stat " + i);
        }
        assertEquals(3, got.get("per_category").size());
    }

    @Test
    void summaryPerClassTableAndPlots() throws Exception {
        Path c = fixture("10-realistic-200");
        Path plots = dir.resolve("plots");
        Run r = run("coco-eval", "--gt", c.resolve("gt.json").toString(), "--dt", c.resolve("dt.json").toString(),
                "--per-class", "--plot", plots.toString());
        assertEquals(0, r.code(), r.err());
        String first = new ObjectMapper().readTree(c.resolve("expected.json").toFile()).get("bbox").get("summary_text").get(0).asText();
        assertTrue(r.out().startsWith(first + "\n"), r.out());
        assertTrue(r.out().contains("category"), "per-class table header");
        try (var files = Files.list(plots)) {
            long pngs = files.filter(p -> p.toString().endsWith(".png")).count();
            assertTrue(pngs > 10, "overall + one per category with GT, got " + pngs);
        }
        assertTrue(Files.size(plots.resolve("overall.png")) > 1000);
    }

    @Test
    void badInputGetsOneLineAndANonZeroExit() throws Exception {
        Path c = fixture("01-basic-perfect");
        String gt = c.resolve("gt.json").toString();
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "[{\"image_id\": 1, \"category_id\": 1,\n \"bbox\": [1, 2, 3, 4] \"score\": 0.5}]");
        Run r = run("coco-eval", "--gt", gt, "--dt", broken.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("resvision coco-eval: error: " + broken + ":2:"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        Path unknown = dir.resolve("unknown.json");
        Files.writeString(unknown, "[{\"image_id\": 424242, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]");
        Run u = run("coco-eval", "--gt", gt, "--dt", unknown.toString());
        assertEquals(1, u.code());
        assertTrue(u.err().contains("image id 424242, which is not in the ground truth"), u.err());

        Path empty = dir.resolve("empty.json");
        Files.writeString(empty, "[]");
        Run e = run("coco-eval", "--gt", gt, "--dt", empty.toString(), "--json");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.err().contains("holds no detections"), e.err());
        assertEquals(0.0, new ObjectMapper().readTree(e.out()).get("stats").get(0).asDouble(), 0.0);

        Path boxes = dir.resolve("boxes.json");
        Files.writeString(boxes, "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]");
        Run s = run("coco-eval", "--gt", gt, "--dt", boxes.toString(), "--iou-type", "segm");
        assertEquals(2, s.code());
        assertTrue(s.err().contains("--box-masks"), s.err());
        assertEquals(0, run("coco-eval", "--gt", gt, "--dt", boxes.toString(), "--iou-type", "segm", "--box-masks").code());
        assertEquals(2, run("coco-eval", "--gt", gt, "--dt", boxes.toString(), "--max-dets", "1,10").code());
    }

    @Test
    void theDjlPathPrintsTheJavaPathsNumbers() throws Exception {
        for (String type : new String[] {"bbox", "segm"}) {
            Path c = fixture("10-realistic-200");
            String[] argv = {"coco-eval", "--gt", c.resolve("gt.json").toString(), "--dt", c.resolve("dt.json").toString(),
                "--iou-type", type, "--per-class"};
            Run host = run(argv);
            String[] cpu = java.util.Arrays.copyOf(argv, argv.length + 2);
            cpu[argv.length] = "--device";
            cpu[argv.length + 1] = "cpu";
            Run djl = run(cpu);
            assertEquals(0, djl.code(), djl.err());
            assertEquals(host.out(), djl.out(), type);
        }
        Run bad = run("coco-eval", "--gt", "g.json", "--dt", "d.json", "--device", "tpu");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--device must be java, cpu, gpu or gpu:N, got 'tpu'"), bad.err());
        Run none = run("coco-eval", "--gt", "g.json", "--dt", "d.json", "--device", "gpu:7");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("--device gpu:7: DJL's PyTorch engine sees"), none.err());
        Run lvis = run("coco-eval", "--protocol", "lvis", "--gt", "g.json", "--dt", "d.json", "--device", "cpu");
        assertEquals(2, lvis.code());
        assertTrue(lvis.err().contains("--device does not apply to --protocol lvis"), lvis.err());
    }

    @Test
    void customMaxDetsChangeTheFirstApRow() throws Exception {
        Path c = fixture("04-maxdets-cut");
        Run r = run("coco-eval", "--gt", c.resolve("gt.json").toString(), "--dt", c.resolve("dt.json").toString(),
                "--max-dets", "1,10,200");
        assertEquals(0, r.code(), r.err());
        String first = r.out().lines().findFirst().orElse("");
        assertTrue(first.contains("maxDets=200 ] = "), r.out());
        assertTrue(!first.endsWith("-1.000"), "pycocotools prints -1 here (its first row keeps maxDets=100): " + first);
    }

    @Test
    void vocEvalPrintsApPerClassAndMap() throws Exception {
        Path voc = dir.resolve("VOC");
        Files.createDirectories(voc.resolve("ImageSets/Main"));
        Files.createDirectories(voc.resolve("Annotations"));
        Files.writeString(voc.resolve("ImageSets/Main/test.txt"), "a\nb\n");
        Files.writeString(voc.resolve("Annotations/a.xml"), "<annotation>"
                + obj("dog", 1, 1, 10, 10, 0) + obj("dog", 20, 20, 30, 30, 1) + "</annotation>");
        Files.writeString(voc.resolve("Annotations/b.xml"), "<annotation>" + obj("dog", 1, 1, 10, 10, 0) + "</annotation>");
        Path res = dir.resolve("results");
        Files.createDirectories(res);
        Files.writeString(res.resolve("comp4_det_test_dog.txt"),
                "a 0.9 1 1 10 10\na 0.8 1 1 10 10\na 0.7 20 20 30 30\nb 0.6 50 50 60 60\nb 0.5 1 1 10 10\n");
        Run r = run("voc-eval", "--voc", voc.toString(), "--split", "test", "--results", res.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("AP for dog          = 0.7500"), r.out());
        assertTrue(r.out().contains("Mean AP = 0.7500"), r.out());
        Run r07 = run("voc-eval", "--voc", voc.toString(), "--split", "test", "--results", res.toString(), "--metric", "07");
        assertTrue(r07.out().contains("AP for dog          = 0.7727"), r07.out());
        Files.writeString(res.resolve("comp4_det_test_cat.txt"), "zzz 0.5 1 1 2 2\n");
        Run bad = run("voc-eval", "--voc", voc.toString(), "--split", "test", "--results", res.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("image 'zzz', which is not in split test"), bad.err());
    }

    @Test
    void synthDrawsTheVideoLargerAndDropsHiddenShapes() throws Exception {
        Path out = dir.resolve("synth-video");
        Run r = run("synth", "--format", "coco", "--images", "5", "--size", "96x72", "--objects", "2,4", "--object-size", "0.3,0.6",
                "--min-visible", "0.5", "--video", "--frames", "3", "--video-size", "384x288", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        try (org.bytedeco.opencv.opencv_videoio.VideoCapture cap = new org.bytedeco.opencv.opencv_videoio.VideoCapture(
                out.resolve("video/moving.avi").toString())) {
            assertEquals(384, cap.get(org.bytedeco.opencv.global.opencv_videoio.CAP_PROP_FRAME_WIDTH), 0);
            assertEquals(288, cap.get(org.bytedeco.opencv.global.opencv_videoio.CAP_PROP_FRAME_HEIGHT), 0);
        }
        // the video starts from a scene with three shapes or more, all in its first frame
        JsonNode frames = new ObjectMapper().readTree(out.resolve("video/moving.frames.json").toFile());
        assertEquals(384, frames.get("width").asInt());
        assertTrue(frames.get("frames").get(0).get("objects").size() >= 3, frames.get("frames").get(0).toString());
        Run bad = run("synth", "--format", "coco", "--images", "5", "--min-visible", "1.5", "--out", out.toString());
        assertEquals(2, bad.code());
        assertEquals("resvision synth: --min-visible must be a number in [0, 1], got '1.5' (see 'resvision synth --help')\n", bad.err());
    }

    @Test
    void synthMinContrastReachesTheScenes() throws Exception {
        byte[] byDefault = synthImages("default");
        byte[] none = synthImages("0", "--min-contrast", "0");
        byte[] apart = synthImages("100", "--min-contrast", "100");
        // 0 is the default; at 100 some of the 20 scenes' colours are drawn again
        assertArrayEquals(byDefault, none);
        assertFalse(Arrays.equals(none, apart));
        Run bad = run("synth", "--format", "coco", "--images", "5", "--min-contrast", "151", "--out", dir.resolve("bad").toString());
        assertEquals(2, bad.code());
        assertEquals("resvision synth: --min-contrast must be a number in [0, 150], got '151' (see 'resvision synth --help')\n", bad.err());
    }

    /** The 20 JPEG files of a synth run with the demo's options and {@code extra}, concatenated. */
    private byte[] synthImages(String name, String... extra) throws Exception {
        Path out = dir.resolve("synth-contrast-" + name);
        List<String> args = new ArrayList<>(List.of("synth", "--format", "coco", "--images", "20", "--size", "96x72", "--objects", "2,4",
                "--object-size", "0.3,0.6", "--background", "plain", "--min-visible", "0.5", "--out", out.toString()));
        args.addAll(List.of(extra));
        Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 1; i <= 20; i++) {
            all.write(Files.readAllBytes(out.resolve(String.format("coco/images/%06d.jpg", i))));
        }
        return all.toByteArray();
    }

    @Test
    void vocEvalReadsTheClassesOfTheFolderSynthWrites() throws Exception {
        Path out = dir.resolve("synth");
        assertEquals(0, run("synth", "--format", "voc", "--images", "10", "--size", "64x48", "--out", out.toString()).code());
        Path voc = out.resolve("voc");
        // every ground-truth box of the val split as a detection: AP 1 for every class it has
        StringBuilder json = new StringBuilder("[");
        for (String id : org.resvision.data.voc.VocReader.split(voc, "val")) {
            for (org.resvision.data.voc.VocObject o : org.resvision.data.voc.VocReader.annotation(voc, id).objects()) {
                double[] b = o.box();
                json.append(json.length() > 1 ? ", " : "").append(String.format(java.util.Locale.ROOT,
                        "{\"image_id\": \"%s\", \"category\": \"%s\", \"score\": 1, \"bbox\": [%s, %s, %s, %s]}", id, o.name(), b[0], b[1], b[2], b[3]));
            }
        }
        Path res = Files.writeString(dir.resolve("res.json"), json.append("]").toString());
        Run r = run("voc-eval", "--voc", voc.toString(), "--split", "val", "--results", res.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(5, r.out().lines().count(), r.out()); // circle, rectangle, triangle, star (labels.txt's order), mean
        assertTrue(r.out().startsWith("AP for circle"), r.out());
        assertTrue(r.out().contains("AP for star"), r.out());
        assertTrue(r.out().contains("Mean AP = 1.0000"), r.out());

        // without labels.txt: the names found, sorted; with an unknown name in labels.txt's place, an error naming it
        Files.delete(voc.resolve("labels.txt"));
        Run found = run("voc-eval", "--voc", voc.toString(), "--split", "val", "--results", res.toString());
        assertEquals(0, found.code(), found.err());
        assertTrue(found.out().contains("Mean AP = 1.0000"), found.out());
        Files.writeString(voc.resolve("labels.txt"), "circle\nrectangle\ntriangle\n");
        Run missing = run("voc-eval", "--voc", voc.toString(), "--split", "val", "--results", res.toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("class 'star' is not in " + voc.resolve("labels.txt")), missing.err());
    }

    @Test
    void vocEvalIouOutsideZeroToOneIsAUsageError() throws Exception {
        for (String iou : new String[] {"2", "0", "-0.5", "NaN"}) {
            Run r = run("voc-eval", "--voc", dir.toString(), "--results", dir.toString(), "--iou", iou);
            assertEquals(2, r.code(), iou + ": " + r.err());
            assertEquals("resvision voc-eval: --iou must be a number in (0, 1], got " + iou + " (see 'resvision voc-eval --help')",
                    r.err().strip());
        }
    }

    static String obj(String name, int x1, int y1, int x2, int y2, int difficult) {
        return "<object><name>" + name + "</name><difficult>" + difficult + "</difficult><bndbox><xmin>" + x1
                + "</xmin><ymin>" + y1 + "</ymin><xmax>" + x2 + "</xmax><ymax>" + y2 + "</ymax></bndbox></object>";
    }
}
