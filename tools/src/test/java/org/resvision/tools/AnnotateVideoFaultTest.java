package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 during annotate-video, five seeded trials: a child process annotating two clips is
 * killed at a random moment (0-1.5 s) after it starts the first or the second clip; the output folder then holds only whole
 * outputs (a visible annotations file equals an uninterrupted run's, a visible video decodes to
 * every frame; temporary and lock files are hidden and the next run removes them), and a re-run
 * finishes with exactly an uninterrupted run's outputs.
 */
class AnnotateVideoFaultTest {

    private static final int FRAMES = 12;

    @TempDir Path dir;

    @Test
    void killedRunsLeaveOnlyWholeOutputsAndARerunFinishesThem() throws Exception {
        VideoFixtures.Detector det = VideoFixtures.detector(dir);
        Path in = dir.resolve("in");
        VideoFixtures.video(in.resolve("a.avi"), FRAMES);
        VideoFixtures.video(in.resolve("b.avi"), FRAMES);
        Path ref = dir.resolve("ref");
        assertEquals(0, EvalCommandsTest.run(args(det, in, ref)).code());
        List<String> whole = visible(ref);
        assertEquals(List.of("a.jsonl", "a.mp4", "b.jsonl", "b.mp4"), whole);

        Random random = new Random(23);
        for (int trial = 0; trial < 5; trial++) {
            Path out = dir.resolve("out" + trial);
            Path log = dir.resolve("trial" + trial + ".log");
            Process p = VideoFixtures.start(log, args(det, in, out));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String clip = random.nextBoolean() ? "[1/2]" : "[2/2]"; // the first clip has started, or the first is done
            while (!(Files.exists(log) && Files.readString(log).contains(clip)) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            int delay = random.nextInt(1500);
            Thread.sleep(delay);
            boolean killed = p.isAlive();
            p.destroyForcibly(); // SIGKILL
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            String what = "trial " + trial + ":\n" + Files.readString(log);
            try (var s = Files.list(out)) {
                System.out.printf("fault trial %d: %s %d ms after %s started; left: %s; it said: %s%n", trial, killed ? "killed" : "finished before",
                        delay, clip, s.map(f -> f.getFileName().toString()).sorted().toList(), Files.readString(log).lines()
                                .filter(l -> l.contains(": done,")).toList());
            }
            for (String name : visible(out)) {
                assertTrue(whole.contains(name), what + "\nunexpected " + name);
                assertWhole(ref, out, name, what);
            }
            EvalCommandsTest.Run again = EvalCommandsTest.run(args(det, in, out));
            assertEquals(0, again.code(), again.err());
            assertEquals("", again.err().strip(), what);
            try (var s = Files.list(out)) {
                assertEquals(whole, s.map(f -> f.getFileName().toString()).sorted().toList(), what + "\nrerun:\n" + again.out());
            }
            for (String name : whole) {
                assertWhole(ref, out, name, what);
            }
        }
    }

    private static String[] args(VideoFixtures.Detector det, Path in, Path out) {
        return new String[] {"annotate-video", "--config", det.config().toString(), "--weights", det.weights().toString(), "--score-thresh",
            "0.3", "--batch", "2", in.toString(), "--out", out.toString()};
    }

    /** The files a user sees (not hidden), sorted. */
    private static List<String> visible(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (var s = Files.list(folder)) {
            return s.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    private static void assertWhole(Path ref, Path out, String name, String what) throws Exception {
        if (name.endsWith(".jsonl")) {
            assertArrayEquals(Files.readAllBytes(ref.resolve(name)), Files.readAllBytes(out.resolve(name)), what + "\n" + name);
        } else {
            assertFalse(name.contains(".partial."), what);
            assertEquals(FRAMES, VideoFixtures.frames(out.resolve(name)), what + "\n" + name);
        }
    }
}
