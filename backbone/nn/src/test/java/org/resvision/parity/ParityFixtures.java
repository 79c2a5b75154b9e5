package org.resvision.parity;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The torchvision reference tensors made by {@code tools/reference/parity/make_fixtures.py}. They are
 * generated on first use with Debian's torchvision ({@code /usr/bin/python3}) into {@code
 * target/parity}; where that Python has no torch the tests are skipped, except under CI
 * ({@code CI=true}), where a missing reference is a failure.
 */
public final class ParityFixtures {

    public static final String PYTHON = "/usr/bin/python3";
    private static Boolean generated;

    private ParityFixtures() {}

    /** The case's folder, generating every case the first time one is asked for. */
    public static synchronized Path caseDir(String name) throws IOException, InterruptedException {
        Path root = Path.of(System.getProperty("resvision.parity.dir", "target/parity"));
        Path dir = root.resolve(name);
        if (Files.exists(dir.resolve("meta.json"))) {
            return dir;
        }
        if (generated == null) {
            generated = generate(root);
        }
        if (!generated) {
            String why = "torchvision reference not available: " + PYTHON + " cannot import torch";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why + " (CI must install python3-torchvision)");
            }
            Assumptions.abort(why);
        }
        assertTrue(Files.exists(dir.resolve("meta.json")), "fixture generator did not write " + dir);
        return dir;
    }

    public static JsonNode meta(Path dir) throws IOException {
        return new ObjectMapper().readTree(Files.readString(dir.resolve("meta.json"), StandardCharsets.UTF_8));
    }

    /**
     * Skips the calling test (fails it under CI) unless Debian's torchvision is importable.
     */
    public static void assumeTorchvision() throws IOException, InterruptedException {
        if (!torchvisionAvailable()) {
            String why = "torchvision reference not available: " + PYTHON + " cannot import torchvision";
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(why + " (CI must install python3-torchvision)");
            }
            Assumptions.abort(why);
        }
    }

    /**
     * Runs {@code tools/reference/parity/<script>} with Debian's Python, arguments after it; fails with the
     * script's output when it exits non-zero.
     */
    public static void runScript(String script, Path log, String... args) throws IOException, InterruptedException {
        Path path = Path.of(System.getProperty("resvision.root", "..")).resolve("tools/reference/parity").resolve(script);
        List<String> command = new java.util.ArrayList<>(List.of(PYTHON, path.toString()));
        command.addAll(List.of(args));
        Files.createDirectories(log.getParent());
        int rc = run(command, log);
        if (rc != 0) {
            throw new IllegalStateException(
                    path + " failed (exit " + rc + "): " + Files.readString(log, StandardCharsets.UTF_8));
        }
    }

    private static Boolean torchvision;

    private static synchronized boolean torchvisionAvailable() throws IOException, InterruptedException {
        if (torchvision == null) {
            torchvision = Files.isExecutable(Path.of(PYTHON))
                    && run(List.of(PYTHON, "-c", "import torchvision"), null) == 0;
        }
        return torchvision;
    }

    private static boolean generate(Path root) throws IOException, InterruptedException {
        if (!torchvisionAvailable()) {
            return false;
        }
        Path script = Path.of(System.getProperty("resvision.root", "..")).resolve("tools/reference/parity/make_fixtures.py");
        Files.createDirectories(root);
        Path log = root.resolve("make_fixtures.log");
        int rc = run(List.of(PYTHON, script.toString(), root.toString()), log);
        if (rc != 0) {
            throw new IllegalStateException(
                    script + " failed (exit " + rc + "): " + Files.readString(log, StandardCharsets.UTF_8));
        }
        return true;
    }

    private static int run(List<String> command, Path log) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(log.toFile()));
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " timed out");
        }
        return p.exitValue();
    }
}
