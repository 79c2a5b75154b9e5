package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher ({@code ./resvision}) gives {@code train} glibc malloc settings that keep
 * large blocks on the heap (tools/jvm-options.sh), leaves every other command alone, and never
 * overrides a setting the user made. Runs a copy of the launcher whose {@code java} is a script
 * that prints what it received.
 */
class LauncherMallocTest {

    @TempDir
    static Path root;

    @BeforeAll
    static void copyLauncher() throws IOException {
        Path project = Path.of("..").toAbsolutePath().normalize();
        Files.copy(project.resolve("resvision"), root.resolve("resvision"));
        Files.createDirectories(root.resolve("tools/target"));
        Files.copy(project.resolve("tools/jvm-options.sh"), root.resolve("tools/jvm-options.sh"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(root.resolve("tools/target/resvision.jar"), "not a jar: the fake java never opens it");
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.writeString(bin.resolve("java"), "#!/usr/bin/env bash\n"
                + "echo \"${MALLOC_MMAP_THRESHOLD_:--} ${MALLOC_TRIM_THRESHOLD_:--} ${MALLOC_TOP_PAD_:--}\"\n");
        Files.setPosixFilePermissions(bin.resolve("java"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root.resolve("resvision"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** What the launcher's {@code java} saw: the three settings, "-" for one not set. */
    private static String seen(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(concat(root.resolve("resvision").toString(), args)).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("MALLOC_"));
        pb.environment().put("PATH", root.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static List<String> concat(String first, String... rest) {
        java.util.ArrayList<String> all = new java.util.ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all;
    }

    @Test
    void trainingKeepsLargeBlocksOnTheHeap() throws Exception {
        assertEquals("33554432 4294967296 268435456", seen(Map.of(), "train", "--config", "c.json"));
    }

    @Test
    void otherCommandsGetGlibcDefaults() throws Exception {
        for (String command : List.of("predict", "evaluate", "annotate-video", "features", "coco-eval", "synth")) {
            assertEquals("- - -", seen(Map.of(), command, "--help"), command);
        }
        assertEquals("- - -", seen(Map.of()));
    }

    @Test
    void aSettingOfTheUsersIsLeftAsItIs() throws Exception {
        assertEquals("- - 0", seen(Map.of("MALLOC_TOP_PAD_", "0"), "train", "--help"));
        assertEquals("65536 - -", seen(Map.of("MALLOC_MMAP_THRESHOLD_", "65536"), "train", "--help"));
    }
}
