package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

/**
 * {@code kill -9} at seeded random moments of {@code train} (a checkpoint every iteration), the second
 * kill of each trial while a checkpoint is being written: after every kill the run folder holds only complete checkpoints, and
 * resuming after several kills ends with exactly the weights of an uninterrupted run.
 */
class TrainingFaultTest {

    static final String CONFIG = """
            {"task": "detection", "model": "fasterrcnn_resnet18_fpn_small", "num_classes": 5,
             "fpn_channels": 32, "representation_size": 64, "min_size": 96, "max_size": 128,
             "rpn_pre_nms_top_n_train": 200, "rpn_post_nms_top_n_train": 100, "rpn_pre_nms_top_n_test": 100,
             "rpn_post_nms_top_n_test": 50, "box_batch_size_per_image": 32, "batch_size": 2,
             "iterations": 12, "warmup_iters": 2, "milestones": [9], "lr": 0.01, "log_every": 1, "checkpoint_every": 1}
            """;

    @TempDir static Path dir;
    static Path config;
    static Path annotations;
    static Path reference;

    @BeforeAll
    static void dataAndUninterruptedRun() throws Exception {
        assertEquals(0, EvalCommandsTest.run("synth", "--format", "coco", "--images", "12", "--size", "128x96", "--out",
                dir.resolve("data").toString()).code());
        // a name without "train": no evaluation at the checkpoints, which only slows the test
        annotations = Files.copy(dir.resolve("data/coco/annotations/instances_train.json"), dir.resolve("data/coco/annotations/fault.json"));
        config = Files.writeString(dir.resolve("det.json"), CONFIG);
        reference = dir.resolve("reference");
        Process p = train(reference, false);
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the uninterrupted run did not finish");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("reference.log")));
    }

    /** {@code resvision train} in a child JVM, as the launcher runs it; output to RUN.log. */
    static Process train(Path run, boolean resume) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xms64m", "-Xmn32m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "train", "--config", config.toString(), "--data", "coco:" + annotations, "--out", run.toString()));
        if (resume) {
            cmd.add("--resume");
        }
        File log = dir.resolve(run.getFileName() + ".log").toFile();
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    }

    @Test
    void killedAtRandomMomentsThenResumedEndsWithTheUninterruptedWeights() throws Exception {
        int allKills = 0;
        int allMidWrite = 0;
        for (int seed = 1; seed <= 5; seed++) {
            Random random = new Random(seed);
            Path run = dir.resolve("trial-" + seed);
            int kills = 0;
            int midWrite = 0;
            for (int attempt = 0; attempt < 3; attempt++) {
                Process p = train(run, true);
                long waitMs = 1000 + random.nextInt(3500); // JVM and libtorch start take ~1.5 s, 12 iterations ~6 s more
                boolean finished = attempt == 1
                        ? !killWhileWriting(p, run) // the second kill lands inside a checkpoint write
                        : p.waitFor(waitMs, TimeUnit.MILLISECONDS);
                if (finished) {
                    break; // finished before the kill
                }
                p.destroyForcibly(); // SIGKILL
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
                kills++;
                midWrite += leftovers(run) > 0 ? 1 : 0;
                assertOnlyCompleteCheckpoints(run, "trial " + seed + " after kill " + kills + " at " + waitMs + " ms");
            }
            Process last = train(run, true);
            assertTrue(last.waitFor(180, TimeUnit.SECONDS), "trial " + seed + ": the resumed run did not finish");
            assertEquals(0, last.exitValue(), "trial " + seed + ": " + Files.readString(dir.resolve(run.getFileName() + ".log")));
            assertSameWeights(reference.resolve("model.safetensors"), run.resolve("model.safetensors"), "trial " + seed);
            System.out.printf("trial %d: %d kills (%d mid-checkpoint), final weights identical to the uninterrupted run%n", seed, kills,
                    midWrite);
            allKills += kills;
            allMidWrite += midWrite;
        }
        // the test means something only if the kills happened, and some inside a write
        assertTrue(allKills >= 10 && allMidWrite >= 3, allKills + " kills, " + allMidWrite + " mid-checkpoint");
    }

    /** Waits until {@code p} is writing a checkpoint (a temporary pair folder exists); false if it finished first. */
    static boolean killWhileWriting(Process p, Path run) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && System.nanoTime() < deadline) {
            Path folder = run.resolve("checkpoints");
            if (Files.isDirectory(folder)) {
                try (Stream<Path> s = Files.list(folder)) {
                    if (s.anyMatch(f -> f.getFileName().toString().startsWith(".tmp-"))) {
                        return true;
                    }
                } catch (java.io.UncheckedIOException | java.nio.file.NoSuchFileException e) {
                    // the listing raced with a rename: look again
                }
            }
            Thread.sleep(2);
        }
        return p.isAlive();
    }

    /** How many temporary files and pair folders an interrupted checkpoint write left in the run. */
    static long leftovers(Path run) throws Exception {
        long n = 0;
        for (Path d : List.of(run, run.resolve("checkpoints"))) {
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    n += s.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(".tmp-") || f.endsWith(".tmp")).count();
                }
            }
        }
        return n;
    }

    /** The run's checkpoints are complete pairs of one iteration, and the run's model is one of them. */
    static void assertOnlyCompleteCheckpoints(Path run, String when) throws Exception {
        Path folder = run.resolve("checkpoints");
        if (!Files.isDirectory(folder)) {
            return; // killed before the first checkpoint
        }
        try (Stream<Path> s = Files.list(folder); NDManager m = NDManager.newBaseManager()) {
            for (Path pair : s.filter(p -> p.getFileName().toString().startsWith("iter-")).toList()) {
                StateDict model = WeightsIO.load(pair.resolve("model.safetensors"), m);
                StateDict opt = WeightsIO.load(pair.resolve("optimizer.safetensors"), m);
                String it = String.valueOf(Integer.parseInt(pair.getFileName().toString().substring(5)));
                assertEquals(it, model.metadata().get("iteration"), when + ": " + pair);
                assertEquals(it, opt.metadata().get("iteration"), when + ": " + pair);
            }
            if (Files.exists(run.resolve("model.safetensors"))) {
                assertTrue(WeightsIO.load(run.resolve("model.safetensors"), m).size() > 0, when);
            }
        }
    }

    static void assertSameWeights(Path want, Path got, String what) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict a = WeightsIO.load(want, m);
            StateDict b = WeightsIO.load(got, m);
            assertEquals(a.size(), b.size(), what);
            for (var e : a) {
                assertArrayEquals(bytes(e.getValue()),
                        bytes(b.get(e.getKey())), what + ": " + e.getKey() + " differs from the uninterrupted run");
            }
        }
    }

    static byte[] bytes(ai.djl.ndarray.NDArray a) {
        java.nio.ByteBuffer bb = a.toByteBuffer();
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        return out;
    }
}
