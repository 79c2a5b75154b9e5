package org.resvision.spark;

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
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvaluator;
import org.resvision.tools.EvalCommandsTest;
import org.resvision.tools.VideoFixtures;

/**
 * The three jobs in local mode against the single-process commands on the same inputs: the same
 * annotation bytes, the same results.json bytes, the same evaluation numbers; a task that dies
 * on its first attempt, a corrupt video, a re-run.
 */
class SparkJobsTest {

    @TempDir static Path dir;
    static VideoFixtures.Detector detector;
    static Path videos;

    record Run(int code, String out, String err) {}

    static Run spark(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = SparkMain.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @BeforeAll
    static void fixtures() throws Exception {
        detector = VideoFixtures.detector(dir.resolve("model"));
        videos = dir.resolve("videos");
        VideoFixtures.video(videos.resolve("a.avi"), 9);
        VideoFixtures.video(videos.resolve("sub/b.avi"), 6);
        VideoFixtures.video(videos.resolve("c.avi"), 7);
        VideoFixtures.video(videos.resolve("d.avi"), 5);
        Files.write(videos.resolve("broken.mp4"), new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 1, 2, 3});
    }

    private static List<String> files(Path d) throws Exception {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void annotateVideosWritesWhatTheCommandWritesExactlyOnce() throws Exception {
        Path single = dir.resolve("single");
        EvalCommandsTest.Run ref = EvalCommandsTest.run("annotate-video", "--config", detector.config().toString(), "--weights",
                detector.weights().toString(), "--score-thresh", "0", "--stride", "2", "--batch", "3", "--track", videos.toString(), "--out",
                single.toString());
        assertEquals(0, ref.code(), ref.err());

        Path out = dir.resolve("spark-videos");
        int loadsBefore = ModelSpec.loads();
        Run r = spark("annotate-videos", "--master", "local[2,2]", "--conf", "spark.resvision.test.failFirstAttempt=c", "--config",
                detector.config().toString(), "--weights", detector.weights().toString(), "--score-thresh", "0", "--stride", "2", "--batch", "3",
                "--track", videos.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("summary: 5 videos: 4 annotated, 0 partial, 0 already done, 1 failed"), r.out());
        assertTrue(ModelSpec.loads() - loadsBefore <= 1, "one model for the executor's tasks: " + (ModelSpec.loads() - loadsBefore));
        assertTrue(r.err().contains("annotate-videos: skipped file:" + videos.resolve("broken.mp4") + ": " + videos.resolve("broken.mp4")
                + ": not a readable video"), r.err());
        // the command's files, nothing more (no temporary files of the attempt that died), plus the summary
        List<String> expected = new ArrayList<>(files(single));
        expected.add("_summary");
        expected.sort(null);
        assertEquals(expected, files(out));
        assertEquals(List.of("summary.json", "summary.parquet"), files(out.resolve("_summary")));
        for (String stem : List.of("a", "b", "c", "d")) {
            assertArrayEquals(Files.readAllBytes(single.resolve(stem + ".jsonl")), Files.readAllBytes(out.resolve(stem + ".jsonl")), stem);
            assertEquals(VideoFixtures.frames(single.resolve(stem + ".mp4")), VideoFixtures.frames(out.resolve(stem + ".mp4")), stem);
        }
        JsonNode summary = new ObjectMapper().readTree(out.resolve("_summary/summary.json").toFile());
        assertEquals(5, summary.size());
        int retried = 0;
        for (JsonNode v : summary) {
            String name = Path.of(v.get("video").asText().replace("file:", "")).getFileName().toString();
            switch (name) {
                case "broken.mp4" -> {
                    assertEquals("failed", v.get("status").asText());
                    assertTrue(v.get("reason").asText().startsWith(videos.resolve("broken.mp4") + ": not a readable video"), v.toString());
                }
                case "a.avi" -> {
                    assertEquals("done", v.get("status").asText());
                    assertEquals(9, v.get("frames").asInt());
                    assertEquals(5, v.get("processed_frames").asInt()); // 0, 2, 4, 6, 8
                }
                default -> assertEquals("done", v.get("status").asText(), v.toString());
            }
            retried += v.get("attempt").asInt();
        }
        assertEquals(1, retried, "c's second attempt is the one reported");
        try (SparkSession s = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate()) {
            List<Row> rows = s.read().parquet(out.resolve("_summary/summary.parquet").toString()).orderBy("video").collectAsList();
            assertEquals(5, rows.size());
            assertEquals("done", rows.get(0).getAs("status"));
            assertEquals(9, (int) rows.get(0).getAs("frames"));
            assertEquals("failed", rows.get(1).getAs("status")); // by URI: a.avi, broken.mp4, c.avi, d.avi, sub/b.avi
        }

        // a re-run skips what is committed
        Run again = spark("annotate-videos", "--master", "local[2]", "--config", detector.config().toString(), "--weights",
                detector.weights().toString(), videos.resolve("a.avi").toString(), "--out", out.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("1 already done"), again.out());

        // --fail-fast: the corrupt video fails the job, in one line
        Run fast = spark("annotate-videos", "--master", "local[1]", "--config", detector.config().toString(), "--weights",
                detector.weights().toString(), "--fail-fast", videos.resolve("broken.mp4").toString(), "--out", dir.resolve("ff").toString());
        assertEquals(1, fast.code());
        assertEquals(1, fast.err().lines().count(), fast.err());
        assertTrue(fast.err().contains("not a readable video"), fast.err());
    }

    @Test
    void predictImagesWritesWhatPredictWrites() throws Exception {
        Path data = dir.resolve("synth");
        assertEquals(0, EvalCommandsTest.run("synth", "--format", "coco", "--images", "9", "--size", "128x96", "--out", data.toString()).code());
        Path ann = data.resolve("coco/annotations/instances_val.json");
        CocoDataset gt = CocoReader.readDataset(ann);
        List<String> images = new ArrayList<>();
        gt.images().forEach(im -> images.add(data.resolve("coco/images").resolve(im.fileName()).toString()));
        Path single = dir.resolve("predict.json");
        List<String> cmd = new ArrayList<>(List.of("predict", "--config", detector.config().toString(), "--weights", detector.weights().toString(),
                "--score-thresh", "0.05", "--batch", "2", "--coco", ann.toString(), "--out", single.toString()));
        cmd.addAll(images);
        EvalCommandsTest.Run ref = EvalCommandsTest.run(cmd.toArray(String[]::new));
        assertEquals(0, ref.code(), ref.err());

        Path out = dir.resolve("spark-predict");
        Run r = spark("predict-images", "--master", "local[2]", "--config", detector.config().toString(), "--weights",
                detector.weights().toString(), "--score-thresh", "0.05", "--batch", "2", "--partitions", "3", "coco:" + ann, "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        byte[] expected = Files.readAllBytes(single);
        assertArrayEquals(expected, Files.readAllBytes(out.resolve("results.json")));
        JsonNode json = new ObjectMapper().readTree(expected);
        assertTrue(json.size() > 20, "enough detections to compare: " + json.size());
        try (SparkSession s = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate()) {
            List<Row> rows = s.read().parquet(out.resolve("results.parquet").toString()).orderBy("result_index").collectAsList();
            assertEquals(json.size(), rows.size());
            for (int i = 0; i < rows.size(); i++) {
                JsonNode j = json.get(i);
                Row row = rows.get(i);
                assertEquals(j.get("image_id").asLong(), (long) row.getAs("image_id"));
                assertEquals(j.get("category_id").asLong(), (long) row.getAs("category_id"));
                assertEquals(j.get("file_name").asText(), row.getAs("file_name"));
                assertEquals(j.get("score").asDouble(), (double) row.getAs("score"));
                List<Double> b = row.getList(row.fieldIndex("bbox"));
                for (int k = 0; k < 4; k++) {
                    assertEquals(j.get("bbox").get(k).asDouble(), b.get(k));
                }
            }
        }

        // a folder of images, no dataset: predict's output for the same images in the same (sorted) order
        Path folderOut = dir.resolve("spark-predict-folder");
        Run f = spark("predict-images", "--master", "local[2]", "--config", detector.config().toString(), "--weights",
                detector.weights().toString(), "--score-thresh", "0.05", data.resolve("coco/images").toString(), "--out", folderOut.toString());
        assertEquals(0, f.code(), f.err());
        List<String> sorted;
        try (Stream<Path> s = Files.list(data.resolve("coco/images"))) {
            sorted = s.map(Path::toString).sorted().toList();
        }
        Path singleFolder = dir.resolve("predict-folder.json");
        List<String> cmd2 = new ArrayList<>(List.of("predict", "--config", detector.config().toString(), "--weights",
                detector.weights().toString(), "--score-thresh", "0.05", "--out", singleFolder.toString()));
        cmd2.addAll(sorted);
        assertEquals(0, EvalCommandsTest.run(cmd2.toArray(String[]::new)).code());
        assertArrayEquals(Files.readAllBytes(singleFolder), Files.readAllBytes(folderOut.resolve("results.json")));

        // the Parquet evaluated: coco-eval's numbers on results.json
        CocoDataset gtFull = CocoReader.readDataset(ann);
        double[] want = CocoEvaluator.evaluate(gtFull, CocoReader.readResults(single), CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX)).stats();
        Run ev = spark("evaluate", "--master", "local[2]", "--gt", ann.toString(), "--results", out.resolve("results.parquet").toString(),
                "--partitions", "4", "--json");
        assertEquals(0, ev.code(), ev.err());
        assertStats(want, ev.out());
    }

    private static void assertStats(double[] want, String jsonOut) throws Exception {
        JsonNode stats = new ObjectMapper().readTree(jsonOut).get("stats");
        double[] got = new double[want.length];
        for (int i = 0; i < want.length; i++) {
            got[i] = stats.isArray() ? stats.get(i).asDouble() : stats.get(org.resvision.eval.coco.CocoEvalResult.STAT_NAMES.get(i)).asDouble();
        }
        assertArrayEquals(want, got, jsonOut);
    }

    @Test
    void evaluateGivesCocoEvalsNumbersOnEveryShardCount() throws Exception {
        Path fixture = Path.of(System.getProperty("resvision.shared.dir"), "fixtures", "coco-eval", "10-realistic-200");
        JsonNode expected = new ObjectMapper().readTree(fixture.resolve("expected.json").toFile());
        for (String type : List.of("bbox", "segm")) {
            boolean segm = type.equals("segm");
            CocoDataset gt = CocoReader.readDataset(fixture.resolve("gt.json"), segm);
            double[] want = CocoEvaluator.evaluate(gt, CocoReader.readResults(fixture.resolve("dt.json"), segm),
                    CocoEvalParams.defaults(CocoEvalParams.IouType.parse(type))).stats();
            for (int i = 0; i < want.length; i++) { // and pycocotools'
                assertEquals(expected.get(type).get("stats").get(i).asDouble(), want[i], 1e-12, type + " stat " + i);
            }
            for (String partitions : segm ? List.of("3") : List.of("1", "7")) {
                Run r = spark("evaluate", "--master", "local[2]", "--gt", fixture.resolve("gt.json").toString(), "--results",
                        fixture.resolve("dt.json").toString(), "--iou-type", type, "--partitions", partitions, "--json");
                assertEquals(0, r.code(), r.err());
                assertStats(want, r.out());
            }
        }
        // coco-eval's text summary, line for line
        EvalCommandsTest.Run ref = EvalCommandsTest.run("coco-eval", "--gt", fixture.resolve("gt.json").toString(), "--dt",
                fixture.resolve("dt.json").toString());
        Run text = spark("evaluate", "--master", "local[2]", "--gt", fixture.resolve("gt.json").toString(), "--results",
                fixture.resolve("dt.json").toString(), "--partitions", "5");
        assertEquals(ref.out(), text.out());
    }

    @Test
    void badInputIsOneLine() {
        Run noMaster = spark("evaluate", "--gt", "x.json", "--results", "y.json");
        assertEquals(2, noMaster.code());
        assertTrue(noMaster.err().contains("no Spark master"), noMaster.err());
        Run missing = spark("evaluate", "--master", "local[1]", "--gt", dir.resolve("nope.json").toString(), "--results", "y.json");
        assertEquals(1, missing.code());
        assertEquals(1, missing.err().lines().count(), missing.err());
        assertTrue(missing.err().contains("nope.json"), missing.err());
        Run unknown = spark("paint");
        assertEquals(2, unknown.code());
        Run noVideos = spark("annotate-videos", "--master", "local[1]", "--weights", detector.weights().toString(), "--config",
                detector.config().toString(), dir.resolve("model").toString(), "--out", dir.resolve("none").toString());
        assertEquals(1, noVideos.code());
        assertTrue(noVideos.err().contains("no videos found"), noVideos.err());
        Run noModel = spark("annotate-videos", "--master", "local[1]", "--config", detector.config().toString(), "--weights",
                dir.resolve("missing.safetensors").toString(), videos.resolve("a.avi").toString(), "--out", dir.resolve("nomodel").toString());
        assertEquals(1, noModel.code());
        assertEquals(1, noModel.err().lines().count(), noModel.err());
        assertTrue(noModel.err().startsWith("resvision spark annotate-videos: error: ") && noModel.err().contains("missing.safetensors"),
                noModel.err());
    }
}
