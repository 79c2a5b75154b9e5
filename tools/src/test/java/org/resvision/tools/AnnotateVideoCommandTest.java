package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import org.resvision.data.video.VideoReader;
import org.resvision.nn.StateDictLoader;
import org.resvision.weights.WeightsIO;

/**
 * annotate-video on generated clips (the synthetic moving shapes) with a tiny untrained detector
 * at score threshold 0, so every processed frame has detections: frame count, size and rate
 * kept, a line per processed frame, stride respected, the three formats, resume, and a corrupt
 * input skipped with a message.
 */
class AnnotateVideoCommandTest {

    @TempDir Path dir;

    private static double meanOfFirstFrame(Path video) throws Exception {
        try (VideoReader v = VideoReader.open(video); VideoReader.VideoFrame f = v.next()) {
            var mean = org.bytedeco.opencv.global.opencv_core.mean(f.bgr());
            return mean.get(0) + mean.get(1) + mean.get(2);
        }
    }

    @Test
    void foldersOfVideosInAnnotatedVideosAndAnnotationsOut() throws Exception {
        Path in = dir.resolve("in");
        SyntheticDatasetWriter w = new SyntheticDatasetWriter(new SyntheticScenes(new SyntheticScenes.Config(96, 64, 5, 2, 3)));
        w.writeVideo(in.resolve("a.avi"), 11, 10);
        w.writeVideo(in.resolve("sub/b.avi"), 6, 8);
        Files.write(in.resolve("broken.mp4"), new byte[] {0, 0, 0, 24, 'f', 't', 'y', 'p', 1, 2, 3});
        VideoFixtures.Detector det = VideoFixtures.detector(dir);
        Path config = det.config();
        Path weights = det.weights();
        Path out = dir.resolve("out");
        EvalCommandsTest.Run r = EvalCommandsTest.run("annotate-video", "--config", config.toString(), "--weights", weights.toString(),
                "--score-thresh", "0", "--stride", "2", "--batch", "3", "--track", in.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("skipped " + in.resolve("broken.mp4") + ": " + in.resolve("broken.mp4") + ": not a readable video"), r.err());
        assertTrue(r.out().contains("summary: 2 videos annotated, 0 already done, 1 skipped (unreadable); 17 frames (9 processed"), r.out());

        try (VideoReader v = VideoReader.open(out.resolve("a.mp4"))) {
            assertEquals(96, v.width());
            assertEquals(64, v.height());
            assertEquals(10, v.frameRate(), 1e-6);
        }
        assertEquals(11, VideoFixtures.frames(out.resolve("a.mp4")));
        List<String> lines = Files.readAllLines(out.resolve("a.jsonl"));
        assertEquals(6, lines.size()); // frames 0, 2, 4, 6, 8, 10
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < lines.size(); i++) {
            JsonNode line = json.readTree(lines.get(i));
            assertEquals(2 * i, line.get("frame").asInt());
            assertEquals(0.2 * i, line.get("timestamp").asDouble(), 1e-6);
            assertTrue(line.get("detections").size() > 0);
            JsonNode d = line.get("detections").get(0);
            assertEquals(4, d.get("bbox").size());
            assertTrue(d.has("track_id") && d.has("score") && d.has("category"), d.toString());
        }
        assertEquals(3, Files.readAllLines(out.resolve("b.jsonl")).size());

        // a re-run skips finished videos, and deletes the lock file a run killed after finishing left
        // (none holds it); other formats; no video
        Files.writeString(out.resolve(".a.lock"), "");
        EvalCommandsTest.Run again = EvalCommandsTest.run("annotate-video", "--config", config.toString(), "--weights", weights.toString(),
                in.resolve("a.avi").toString(), "--out", out.toString());
        assertTrue(again.out().contains("already annotated (" + out.resolve("a.jsonl") + "), skipped"), again.out());
        assertTrue(!Files.exists(out.resolve(".a.lock")), "a stale lock of a finished output is removed");
        EvalCommandsTest.Run coco = EvalCommandsTest.run("annotate-video", "--config", config.toString(), "--weights", weights.toString(),
                "--score-thresh", "0", "--format", "coco", "--no-video", in.resolve("sub").toString(), "--out", dir.resolve("coco").toString());
        assertEquals(0, coco.code(), coco.err());
        JsonNode ds = json.readTree(dir.resolve("coco/b.json").toFile());
        assertEquals(6, ds.get("images").size());
        assertEquals(5, ds.get("images").get(5).get("frame_index").asInt());
        assertEquals("b", ds.get("images").get(0).get("video").asText());
        assertTrue(ds.get("annotations").size() >= 6 && ds.get("categories").size() == 4);
        assertTrue(!Files.exists(dir.resolve("coco/b.mp4")));
        EvalCommandsTest.Run mot = EvalCommandsTest.run("annotate-video", "--config", config.toString(), "--weights", weights.toString(),
                "--score-thresh", "0", "--format", "mot", "--track", "--no-video", in.resolve("sub/b.avi").toString(), "--out",
                dir.resolve("mot").toString());
        assertEquals(0, mot.code(), mot.err());
        String[] first = Files.readAllLines(dir.resolve("mot/b.txt")).get(0).split(",");
        assertEquals(10, first.length);
        assertEquals("1", first[0]);
        // with a segmentation model too: its class map is blended into the frames
        Path segConfig = dir.resolve("seg.json");
        Files.writeString(segConfig, "{\"task\": \"segmentation\", \"model\": \"fcn_small\", \"num_classes\": 5}");
        Path segWeights = dir.resolve("seg.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            var fcn = org.resvision.segmentation.Fcn.of(org.resvision.segmentation.SegmentationConfig.read(segConfig).model());
            fcn.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new ai.djl.ndarray.types.Shape(1, 3, 64, 64));
            WeightsIO.saveSafetensors(segWeights, StateDictLoader.export(fcn, m), Map.of());
        }
        EvalCommandsTest.Run seg = EvalCommandsTest.run("annotate-video", "--config", config.toString(), "--weights", weights.toString(),
                "--seg-config", segConfig.toString(), "--seg-weights", segWeights.toString(), "--score-thresh", "0.99",
                in.resolve("sub/b.avi").toString(), "--out", dir.resolve("seg").toString());
        assertEquals(0, seg.code(), seg.err());
        assertEquals(0, EvalCommandsTest.run("annotate-video", "--config", config.toString(), "--weights", weights.toString(),
                "--score-thresh", "0.99", in.resolve("sub/b.avi").toString(), "--out", dir.resolve("noseg").toString()).code());
        double plain = meanOfFirstFrame(dir.resolve("noseg/b.mp4"));
        double blended = meanOfFirstFrame(dir.resolve("seg/b.mp4"));
        assertTrue(Math.abs(plain - blended) > 1, plain + " vs " + blended);
        // nothing temporary is left behind
        try (var s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".")));
        }
    }

    /** annotate-video's arguments for the tiny detector (score threshold 0) on {@code input} into {@code out}. */
    private static String[] annotate(VideoFixtures.Detector det, Path input, Path out) {
        return new String[] {"annotate-video", "--config", det.config().toString(), "--weights", det.weights().toString(), "--score-thresh",
            "0", input.toString(), "--out", out.toString()};
    }

    private static List<String> names(Path folder) throws Exception {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void twoRunsIntoOneOutGiveOneCompleteOutput() throws Exception {
        VideoFixtures.Detector det = VideoFixtures.detector(dir);
        Path video = VideoFixtures.video(dir.resolve("in/a.avi"), 30);
        EvalCommandsTest.Run ref = EvalCommandsTest.run(annotate(det, video, dir.resolve("ref")));
        assertEquals(0, ref.code(), ref.err());
        byte[] expected = Files.readAllBytes(dir.resolve("ref/a.jsonl"));
        assertEquals(30, Files.readAllLines(dir.resolve("ref/a.jsonl")).size());

        // while another process (this one) holds the output's lock, a run is told so in one line, skips the
        // video and writes nothing; the same within one JVM
        Path out = Files.createDirectories(dir.resolve("out"));
        try (var ch = java.nio.channels.FileChannel.open(out.resolve(".a.lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); var held = ch.lock()) {
            Process child = VideoFixtures.start(dir.resolve("busy.log"), annotate(det, video, out));
            assertTrue(child.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
            String said = Files.readString(dir.resolve("busy.log"));
            assertEquals(0, child.exitValue(), said);
            EvalCommandsTest.Run busy = EvalCommandsTest.run(annotate(det, video, out));
            assertEquals(0, busy.code(), busy.err());
            for (String s : List.of(said, busy.err() + busy.out())) {
                assertTrue(s.contains("annotate-video: skipped " + video + ": " + out.resolve("a.jsonl") + " is being written by another process\n"),
                        s);
                assertTrue(s.contains("summary: 0 videos annotated, 0 already done, 0 skipped (unreadable), 1 skipped (being written"), s);
            }
            assertEquals("annotate-video: skipped " + video + ": " + out.resolve("a.jsonl") + " is being written by another process",
                    busy.err().strip());
            assertEquals(List.of(".a.lock"), names(out));
        }

        // two processes at once: one annotates, the other skips it (busy, or already done if it came late);
        // the stale lock file of the holder above is reused and removed
        Process[] runs = new Process[2];
        for (int i = 0; i < 2; i++) {
            runs[i] = VideoFixtures.start(dir.resolve("run" + i + ".log"), annotate(det, video, out));
        }
        String log = "";
        int codes = 0;
        for (int i = 0; i < 2; i++) {
            assertTrue(runs[i].waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
            codes += runs[i].exitValue();
            log += Files.readString(dir.resolve("run" + i + ".log"));
        }
        assertEquals(0, codes, log);
        assertEquals(1, log.split("summary: 1 videos annotated", -1).length - 1, log);
        assertEquals(1, log.split("summary: 0 videos annotated", -1).length - 1, log);
        assertTrue(log.contains("is being written by another process") || log.contains("already annotated"), log);
        assertEquals(List.of("a.jsonl", "a.mp4"), names(out));
        assertTrue(java.util.Arrays.equals(expected, Files.readAllBytes(out.resolve("a.jsonl"))), "the annotations equal one whole run's");
        assertEquals(30, VideoFixtures.frames(out.resolve("a.mp4")));
    }

    @Test
    void aVideoCutShortIsPartialAndRedoneUntilWhole() throws Exception {
        VideoFixtures.Detector det = VideoFixtures.detector(dir);
        Path whole = VideoFixtures.video(dir.resolve("whole/cut.avi"), 40);
        Path cut = VideoFixtures.truncated(whole, Files.createDirectories(dir.resolve("in")).resolve("cut.avi"));
        Path out = dir.resolve("out");
        ObjectMapper json = new ObjectMapper();
        for (int run = 0; run < 2; run++) { // a re-run redoes a partial video
            EvalCommandsTest.Run r = EvalCommandsTest.run(annotate(det, cut, out));
            assertEquals(0, r.code(), r.err());
            List<String> warning = r.err().lines().filter(l -> !l.isBlank()).toList();
            assertEquals(1, warning.size(), r.err());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "annotate-video: warning: " + java.util.regex.Pattern.quote(cut.toString()) + " ends early: (\\d+) of the 40 frames it "
                            + "declares; wrote " + java.util.regex.Pattern.quote(out.resolve("cut.partial.mp4").toString()) + ", which a re-run redoes")
                    .matcher(warning.get(0));
            assertTrue(m.matches(), warning.get(0));
            int read = Integer.parseInt(m.group(1));
            assertTrue(read >= 10 && read < 30, warning.get(0));
            assertTrue(r.out().contains("summary: 1 videos annotated, 0 already done, 0 skipped (unreadable), 1 partial"), r.out());
            assertTrue(r.out().contains(": partial, "), r.out());
            assertEquals(List.of("cut.partial.jsonl", "cut.partial.mp4"), names(out));
            List<String> lines = Files.readAllLines(out.resolve("cut.partial.jsonl"));
            JsonNode last = json.readTree(lines.get(lines.size() - 1));
            assertTrue(last.get("partial").asBoolean());
            assertEquals(read, last.get("frames").asInt());
            assertEquals(40, last.get("declared_frames").asInt());
            assertEquals(0.1 * read, last.get("seconds").asDouble(), 1e-6);
            assertEquals(VideoFixtures.frames(out.resolve("cut.partial.mp4")), lines.size() - 1);
        }
        // the whole video in its place: done, and the partial outputs are gone
        Files.copy(whole, cut, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        EvalCommandsTest.Run r = EvalCommandsTest.run(annotate(det, cut, out));
        assertEquals("", r.err().strip());
        assertEquals(List.of("cut.jsonl", "cut.mp4"), names(out));
        assertEquals(40, Files.readAllLines(out.resolve("cut.jsonl")).size());
        assertEquals(40, VideoFixtures.frames(out.resolve("cut.mp4")));

        // Matroska declares no frame count, only a duration: a cut-off mkv is found short by its time
        Path cutMkv = VideoFixtures.truncated(VideoFixtures.reencode(whole, dir.resolve("whole/m.mkv")), dir.resolve("in/m.mkv"));
        EvalCommandsTest.Run mk = EvalCommandsTest.run(annotate(det, cutMkv, out));
        assertEquals(0, mk.code(), mk.err());
        assertTrue(mk.err().strip().matches("annotate-video: warning: " + java.util.regex.Pattern.quote(cutMkv.toString())
                + " ends early: [0-3]\\.\\d\\d s of the 4\\.00 s it declares; wrote .*m\\.partial\\.mp4, which a re-run redoes"), mk.err());
        assertTrue(Files.exists(out.resolve("m.partial.jsonl")) && !Files.exists(out.resolve("m.jsonl")));
    }
}
