package org.resvision.tools.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.tools.EvalCommandsTest;

/**
 * The standing bad-input corpus (see {@link BadInput}): every case from every {@link BadInput.Source}
 * runs in a fresh folder, and each must give the documented answer.
 */
class BadInputCorpusTest {

    /** Every source of cases; add a new area's class here. */
    static List<BadInput.Source> sources() {
        return List.of(new CorpusSmokeCases(), new TrainCases(), new EvalCases(), new ImageAndModelCases(), new VideoCases(),
                new WeightsCases());
    }

    static List<BadInput> all() {
        List<BadInput> cases = new ArrayList<>();
        for (BadInput.Source s : sources()) {
            cases.addAll(s.cases());
        }
        return cases;
    }

    /** A Java class name in a message ("java.io.IOException: ..."), or a stack frame. */
    private static final Pattern CLASS_NAME = Pattern.compile(
            "\\b(java|javax|jdk|sun|ai\\.djl|org\\.bytedeco|com\\.fasterxml|org\\.resvision)\\.[\\w.]*[A-Z]\\w*"
                    + "|\\bat [\\w.$]+\\(|\\w+(Exception|Error)\\b:");

    @TempDir Path root;

    @TestFactory
    Stream<DynamicTest> everyCaseGivesItsDocumentedAnswer() {
        return all().stream().map(c -> DynamicTest.dynamicTest(c.id(), () -> check(c, Files.createDirectories(root.resolve(c.id())))));
    }

    @Test
    void idsAreUniqueAndEveryCaseIsInTheTable() throws IOException {
        Set<String> ids = new HashSet<>();
        String table = Files.readString(Path.of("BAD_INPUTS.md"));
        List<String> missing = new ArrayList<>();
        for (BadInput c : all()) {
            assertTrue(ids.add(c.id()), "duplicate case id " + c.id());
            if (!table.contains("| `" + c.id() + "` | " + c.sees() + " |")) {
                missing.add("| `" + c.id() + "` | " + c.sees() + " |");
            }
        }
        assertTrue(missing.isEmpty(), "tools/BAD_INPUTS.md lacks these rows (or says otherwise):\n" + String.join("\n", missing));
    }

    /** The checks themselves can fail: a command that succeeds, or one that leaves output behind, is rejected. */
    @Test
    void theHarnessRejectsWhatItShould() {
        BadInput accepted = BadInput.error("meta/accepted", "-", d -> CorpusSmokeCases.cocoEval(d, "[]"), "dt.json");
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> check(accepted, Files.createDirectories(root.resolve("a"))));
        // a documented skip (empty results: exit 0 and a warning) whose plots are not among its allowed outputs
        BadInput leaves = BadInput.skip("meta/leaves", "-", d -> CorpusSmokeCases.cocoEval(d, "[]", "--plot", d.resolve("plots").toString()),
                List.of(), "holds no detections");
        AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                () -> check(leaves, Files.createDirectories(root.resolve("b"))));
        assertTrue(e.getMessage().contains("left plots"), e.getMessage());
        BadInput changes = BadInput.java("meta/changes", "-", d -> {
            Files.writeString(d.resolve("mine.txt"), "changed");
            throw new java.io.IOException(d.resolve("mine.txt") + ": refused");
        }, "refused");
        AssertionError ch = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () -> {
            Path d = Files.createDirectories(root.resolve("c"));
            Files.writeString(d.resolve("mine.txt"), "the user's");
            check(changes, d);
        });
        assertTrue(ch.getMessage().contains("mine.txt was changed"), ch.getMessage());
    }

    static void check(BadInput c, Path dir) throws Exception {
        BadInput.JAVA_CALLS.remove();
        String[] argv = c.setup().write(dir);
        Map<String, String> before = snapshot(dir);
        String said;
        if (argv == null) {
            BadInput.JavaCall call = BadInput.JAVA_CALLS.get();
            assertNotNull(call, c.id() + ": setup returned no command line and registered no Java call");
            Throwable thrown = null;
            try {
                call.call(dir);
            } catch (Exception | OutOfMemoryError e) {
                thrown = e;
            }
            assertNotNull(thrown, c.id() + ": the Java entry point accepted the bad input");
            said = String.valueOf(thrown.getMessage());
        } else {
            EvalCommandsTest.Run r = EvalCommandsTest.run(argv);
            assertEquals(c.exitCode(), r.code(), c.id() + ": exit code; stderr: " + r.err() + " stdout: " + r.out());
            List<String> lines = r.err().lines().filter(l -> !l.isBlank()).toList();
            if (c.exitCode() != 0) {
                assertEquals(1, lines.size(), c.id() + ": one line on stderr, got:\n" + r.err());
            } else {
                assertFalse(lines.isEmpty(), c.id() + ": a documented skip says so on stderr");
            }
            said = String.join("\n", lines);
        }
        assertFalse(said.contains("\n") && argv == null, c.id() + ": a one-line message, got:\n" + said);
        for (String s : c.mustSay()) {
            assertTrue(said.contains(s.replace("$DIR", dir.toString())), c.id() + ": expected '" + s + "' in: " + said);
        }
        assertFalse(CLASS_NAME.matcher(said).find(), c.id() + ": a Java class name or stack frame in: " + said);
        Map<String, String> after = snapshot(dir);
        for (Map.Entry<String, String> e : before.entrySet()) {
            assertEquals(e.getValue(), after.get(e.getKey()), c.id() + ": the user's file " + e.getKey() + " was changed or removed");
        }
        for (String p : after.keySet()) {
            if (!before.containsKey(p) && c.outputs().stream().noneMatch(p::startsWith)) {
                fail(c.id() + ": left " + p + " behind");
            }
        }
    }

    /** Every file under {@code dir} (relative path -> SHA-256, or "dir" for folders). */
    static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String rel = dir.relativize(p).toString();
                if (rel.isEmpty()) {
                    continue;
                }
                m.put(rel, Files.isDirectory(p) ? "dir" : HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
            }
        }
        return m;
    }
}
