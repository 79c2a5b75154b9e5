package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line on picocli: generated help, version, completion, one {@code --device}, one-line usage errors. */
class CliTest {

    /** The commands that run a model, each with the arguments that reach its device check. */
    private static final List<String> MODEL_COMMANDS = List.of("train", "evaluate", "predict", "annotate-video", "features");

    @Test
    void eachCommandIsFoundByTheNameItDeclares() {
        assertEquals(13, Main.NAMES.size());
        for (String name : Main.NAMES) {
            Command c = Main.command(name);
            assertEquals(name, c.name(), "Main.command(\"" + name + "\") makes the command of that @Command name");
        }
        assertEquals(null, Main.command("coco"));
        EvalCommandsTest.Run r = EvalCommandsTest.run("coco");
        assertEquals(2, r.code());
        assertEquals("resvision: unknown command 'coco' (try --help)", r.err().strip());
    }

    @Test
    void everyCommandsHelpIsGeneratedFromItsDeclarations() {
        for (Command c : Main.commands()) {
            EvalCommandsTest.Run r = EvalCommandsTest.run(c.name(), "--help");
            assertEquals(0, r.code(), c.name());
            assertTrue(r.out().contains("Usage: resvision " + c.name()), c.name() + ":\n" + r.out());
            assertTrue(r.out().startsWith(c.summary()), c.name() + ": the summary heads the help");
            if (!c.subcommands().isEmpty()) { // a group: its help lists its commands, each has its own
                for (Command sub : c.subcommands()) {
                    assertTrue(r.out().contains(sub.name() + " ") && r.out().contains(sub.summary()), c.name() + " lists " + sub.name());
                    assertGenerated(c.name() + " " + sub.name(), sub, EvalCommandsTest.run(c.name(), sub.name(), "--help"));
                }
                continue;
            }
            assertGenerated(c.name(), c, r);
        }
        // a help text with a percent sign: written as %% in the declaration, shown once
        assertTrue(EvalCommandsTest.run("predict", "--help").out().replaceAll("\\s+", " ").contains("more than 10% unreadable"));
    }

    private static void assertGenerated(String path, Command c, EvalCommandsTest.Run r) {
        assertEquals(0, r.code(), path);
        assertTrue(r.out().contains("Usage: resvision " + path), path + ":\n" + r.out());
        assertTrue(r.out().startsWith(c.summary()), path + ": the summary heads the help");
        assertFalse(r.out().contains("%%") || r.out().matches("(?s).*%[a-zA-Z].*"), path + ": no format residue");
        CommandLine cl = Cli.commandLine(c);
        for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) {
            assertTrue(r.out().contains(o.longestName()), path + " help lists " + o.longestName());
            assertFalse(o.description().length == 0 || o.description()[0].isBlank(), path + " " + o.longestName() + " says what it does");
        }
    }

    @Test
    void benchmarksAreCommandsOfOneGroup() {
        EvalCommandsTest.Run none = EvalCommandsTest.run("bench");
        assertEquals(2, none.code());
        assertEquals("resvision bench: missing the benchmark's name (backbone, detection, fcn, conv-kernel, weights-load, data)"
                + " (see 'resvision bench --help')\n", none.err());
        EvalCommandsTest.Run unknown = EvalCommandsTest.run("bench", "gpu");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("resvision bench: unknown benchmark 'gpu' (backbone, "), unknown.err());
        EvalCommandsTest.Run badMode = EvalCommandsTest.run("bench", "fcn", "--mode", "eval");
        assertEquals(2, badMode.code());
        assertTrue(badMode.err().contains("--mode") && badMode.err().contains("eval"), badMode.err());
        EvalCommandsTest.Run small = EvalCommandsTest.run("bench", "backbone", "--size", "8");
        assertEquals(2, small.code());
        assertTrue(small.err().contains("--size must be an integer >= 32, got '8'"), small.err());
        EvalCommandsTest.Run badLr = EvalCommandsTest.run("bench", "detection", "--mode", "train", "--lr", "NaN");
        assertEquals(2, badLr.code());
        assertTrue(badLr.err().contains("--lr must be a number >= 0, got 'NaN'"), badLr.err());
        // the shared loop options, each benchmark with its own defaults
        String backboneHelp = EvalCommandsTest.run("bench", "backbone", "--help").out().replaceAll("\\s+", " ");
        String detectionHelp = EvalCommandsTest.run("bench", "detection", "--help").out().replaceAll("\\s+", " ");
        assertTrue(backboneHelp.contains("timed iterations (default: 7)") && backboneHelp.contains("first (default: 2)"), backboneHelp);
        assertTrue(detectionHelp.contains("timed iterations (default: 3)") && detectionHelp.contains("first (default: 1)"), detectionHelp);
        // one real case, small: the line the scripts parse
        EvalCommandsTest.Run one = EvalCommandsTest.run("bench", "backbone", "--arch", "resnet18", "--size", "32", "--batch", "2",
                "--iters", "3", "--warmup", "1");
        assertEquals(0, one.code(), one.err());
        assertTrue(one.out().matches("resvision infer b2 median_ms=[0-9]+\\.[0-9] min_ms=[0-9]+\\.[0-9] peak_rss_mb=[0-9]+\n"), one.out());
        double median = Double.parseDouble(one.out().replaceAll(".*median_ms=([0-9.]+) .*\n", "$1"));
        double min = Double.parseDouble(one.out().replaceAll(".*min_ms=([0-9.]+) .*\n", "$1"));
        assertTrue(min > 0 && min <= median, one.out());
        // a training step prints its loss: softmax cross-entropy of random logits over 1000 classes,
        // about ln(1000) = 6.9 (the loss had been read as log-probabilities, and went negative)
        EvalCommandsTest.Run train = EvalCommandsTest.run("bench", "backbone", "--arch", "resnet18", "--size", "32", "--batch", "2",
                "--mode", "train", "--iters", "1", "--warmup", "0");
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().matches("resvision train b2 median_ms=[0-9.]+ min_ms=[0-9.]+ peak_rss_mb=[0-9]+ loss=[0-9.]+\n"), train.out());
        double loss = Double.parseDouble(train.out().replaceAll(".*loss=([0-9.]+)\n", "$1"));
        assertTrue(loss > 5 && loss < 9, train.out());
    }

    @Test
    void everyModelCommandTakesOneDeviceOption() {
        for (String name : MODEL_COMMANDS) {
            assertTrue(EvalCommandsTest.run(name, "--help").out().contains("--device=cpu|gpu"), name);
            EvalCommandsTest.Run r = EvalCommandsTest.run(name, "--device", "tpu", "--weights", "w", "--config", "c", "--data", "d",
                    "--out", "o", "x");
            assertEquals(2, r.code(), name);
            assertEquals("resvision " + name + ": --device must be cpu or gpu, got 'tpu' (see 'resvision " + name + " --help')\n",
                    r.err(), name);
        }
    }

    @Test
    void aGpuThatIsNotThereIsAUsageErrorBeforeAnyWork(@TempDir Path dir) throws Exception {
        assumeTrue(Engine.getInstance().getGpuCount() == 0, "this machine has a GPU");
        Path config = Files.writeString(dir.resolve("c.json"), "{\"model\": \"fasterrcnn_resnet18_fpn_small\"}");
        Path ann = Files.writeString(dir.resolve("a.json"), "{\"images\": [], \"annotations\": [], \"categories\": []}");
        List<List<String>> lines = List.of(
                List.of("train", "--config", config.toString(), "--out", dir.resolve("run").toString()),
                List.of("evaluate", "--config", config.toString(), "--weights", dir.resolve("w.pth").toString()));
        for (List<String> line : lines) {
            String name = line.get(0);
            List<String> args = new java.util.ArrayList<>(line);
            args.addAll(List.of("--device", "gpu", "--data", "coco:" + ann, "--images", dir.toString()));
            EvalCommandsTest.Run r = EvalCommandsTest.run(args.toArray(String[]::new));
            assertEquals(2, r.code(), name);
            assertEquals("resvision " + name + ": --device gpu: DJL sees no GPU on this machine (see 'resvision " + name + " --help')\n",
                    r.err(), name);
            assertFalse(Files.exists(dir.resolve("run")), "nothing written");
        }
    }

    @Test
    void parseErrorsAreOneLineInResvisionsWords() {
        assertEquals("resvision predict: unknown option --bogus (see 'resvision predict --help')\n",
                EvalCommandsTest.run("predict", "--bogus=3").err(), "unknown before missing: the likelier cause");
        assertEquals("resvision coco-eval: missing --dt (see 'resvision coco-eval --help')\n",
                EvalCommandsTest.run("coco-eval", "--gt", "a.json").err());
        assertEquals("resvision predict: option --out needs a value (see 'resvision predict --help')\n",
                EvalCommandsTest.run("predict", "x.jpg", "--out").err());
        assertEquals("resvision coco-eval: unexpected argument 'extra' (see 'resvision coco-eval --help')\n",
                EvalCommandsTest.run("coco-eval", "--gt", "a", "--dt", "b", "extra").err());
        assertEquals("resvision synth: --seed must be an integer, got '1.5' (see 'resvision synth --help')\n",
                EvalCommandsTest.run("synth", "--out", "o", "--images", "2", "--seed", "1.5").err());
        assertEquals("resvision synth: --background must be textured or plain, got 'dark' (see 'resvision synth --help')\n",
                EvalCommandsTest.run("synth", "--out", "o", "--images", "2", "--background", "dark").err());
        EvalCommandsTest.Run at = EvalCommandsTest.run("voc-eval", "--voc", "@list", "--results", "r", "--iou", "0");
        assertEquals("resvision voc-eval: --iou must be a number in (0, 1], got 0 (see 'resvision voc-eval --help')\n", at.err(),
                "@file arguments are plain arguments");
    }

    @Test
    void aRepeatedOptionKeepsItsLastValue(@TempDir Path dir) {
        EvalCommandsTest.Run r = EvalCommandsTest.run("synth", "--out", dir.toString(), "--images", "0", "--images", "-3");
        assertEquals("resvision synth: --images must be a positive count, got '-3' (see 'resvision synth --help')\n", r.err());
    }

    @Test
    void versionAndCompletion() {
        EvalCommandsTest.Run v = EvalCommandsTest.run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().matches("resvision \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\n"), v.out());
        EvalCommandsTest.Run c = EvalCommandsTest.run("completion");
        assertEquals(0, c.code());
        assertTrue(c.out().startsWith("#!/usr/bin/env bash"), c.out().lines().findFirst().orElse(""));
        for (Command cmd : Main.commands()) {
            assertTrue(c.out().contains(cmd.name()), "completes " + cmd.name());
        }
        for (String option : List.of("--score-thresh", "--iou-type", "--min-visible", "--seg-weights", "--device")) {
            assertTrue(c.out().contains(option), "completes " + option);
        }
        // a group's commands and their options: resvision bench weights-load, bench detection --min-size
        assertTrue(c.out().contains("weights-load") && c.out().contains("--min-size"), "completes the benchmarks");
        assertTrue(c.out().contains("complete -F _complete_resvision"), "registers the function for the command");
    }

    @Test
    void bashCompletesOptionsWithTheScript(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("resvision.bash"), EvalCommandsTest.run("completion").out());
        // bash calls the function with the words so far; compopt complains outside a real completion, harmlessly
        Process p = new ProcessBuilder("bash", "-c", "source \"$0\"; COMP_WORDS=(resvision predict --sc); COMP_CWORD=2;"
                + " _complete_resvision resvision --sc predict 2>/dev/null; echo \"${COMPREPLY[@]}\"", script.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor());
        assertEquals("--score-thresh", out);
    }
}
