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
 * The launchers ({@code ./resvision} and the binary distribution's {@code bin/resvision}) give
 * the model commands glibc malloc settings that keep large blocks on the heap and, where the
 * kernel gives transparent huge pages on request, {@code glibc.malloc.hugetlb=1}, and train one
 * arena without mmap()ed blocks, thread caches or fast bins (tools/jvm-options.sh); they leave
 * every other command alone and never override a setting the
 * user made; {@code resvision spark} gives its local mode annotate-video's. Runs copies of the
 * launchers whose {@code java} is a script that prints what it received.
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
        Path dist = Files.createDirectories(root.resolve("dist/bin"));
        Files.copy(project.resolve("tools/src/dist/bin/resvision"), dist.resolve("resvision"));
        Files.copy(project.resolve("tools/jvm-options.sh"), dist.resolve("jvm-options.sh"));
        Path spark = Files.createDirectories(root.resolve("tools/spark/target"));
        Files.writeString(spark.resolve("resvision-spark.jar"), "not a jar either");
        Files.writeString(spark.resolve("local-classpath.txt"), root.resolve("tools/target/resvision.jar") + "\n");
        Files.createDirectories(root.resolve("tools/spark/conf"));
        Files.writeString(root.resolve("tools/spark/conf/java-options"), "-Dfake=1\n");
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.writeString(bin.resolve("java"), "#!/usr/bin/env bash\n"
                + "echo \"${MALLOC_MMAP_THRESHOLD_:--} ${MALLOC_TRIM_THRESHOLD_:--} ${MALLOC_TOP_PAD_:--} ${GLIBC_TUNABLES-(unset)}"
                + "${MALLOC_MMAP_MAX_+ mmap_max=$MALLOC_MMAP_MAX_}${MALLOC_ARENA_MAX+ arena_max=$MALLOC_ARENA_MAX}\"\n");
        Files.writeString(root.resolve("thp-madvise"), "always [madvise] never\n");
        Files.writeString(root.resolve("thp-never"), "always madvise [never]\n");
        for (Path script : List.of(bin.resolve("java"), root.resolve("resvision"), dist.resolve("resvision"))) {
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /**
     * What the source tree's launcher's {@code java} saw, on a machine whose kernel gives huge
     * pages on request: the three settings ("-" for one not set), GLIBC_TUNABLES, and {@code
     * MALLOC_MMAP_MAX_} / {@code MALLOC_ARENA_MAX} where set (even if empty).
     */
    private static String seen(Map<String, String> env, String... args) throws Exception {
        return seen(root.resolve("resvision"), "thp-madvise", env, args);
    }

    private static String seen(Path launcher, String thpFile, Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(concat(launcher.toString(), args)).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("MALLOC_") || k.equals("GLIBC_TUNABLES") || k.equals("JAVA_HOME"));
        pb.environment().put("PATH", root.resolve("bin") + ":" + System.getenv("PATH"));
        pb.environment().put("RESVISION_THP_FILE", root.resolve(thpFile).toString());
        // no class-data archive for the distribution's coco-eval (the fake java could not make one;
        // tools/src/test/dist/coco_eval_archive.sh tests that on the real tarball)
        pb.environment().put("RESVISION_CDS_DIR", "");
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

    private static final String HEAP = "33554432 4294967296 268435456";
    /** train's additions: no thread caches or fast bins, one arena, no mmap()ed blocks. */
    private static final String TRAIN_TUNABLES = "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0";
    private static final String TRAIN_ARENA = " mmap_max=0 arena_max=1";
    private static final String TRAIN = HEAP + " glibc.malloc.hugetlb=1:" + TRAIN_TUNABLES + TRAIN_ARENA;
    private static final String INFERENCE_COMMANDS = "predict evaluate annotate-video features";

    @Test
    void modelCommandsKeepLargeBlocksOnTheHeapInHugePages() throws Exception {
        for (String command : INFERENCE_COMMANDS.split(" ")) {
            assertEquals(HEAP + " glibc.malloc.hugetlb=1", seen(Map.of(), command, "--config", "c.json"), command);
        }
    }

    @Test
    void trainingRunsOnOneArenaWithoutMmapsThreadCachesOrFastBins() throws Exception {
        assertEquals(TRAIN, seen(Map.of(), "train", "--config", "c.json"));
    }

    @Test
    void noHugePagesWhereTheKernelGivesNoneOnRequest() throws Exception {
        assertEquals(HEAP + " " + TRAIN_TUNABLES + TRAIN_ARENA, seen(root.resolve("resvision"), "thp-never", Map.of(), "train", "--help"));
        assertEquals(HEAP + " (unset)", seen(root.resolve("resvision"), "no-such-file", Map.of(), "predict", "--help"));
    }

    @Test
    void sparkLocalModeRunsTheModelsWithAnnotateVideosSettings() throws Exception {
        assertEquals(HEAP + " glibc.malloc.hugetlb=1", seen(Map.of(), "spark", "annotate-videos", "--help"));
    }

    @Test
    void otherCommandsGetGlibcDefaults() throws Exception {
        for (String command : List.of("coco-eval", "voc-eval", "synth", "weights")) {
            assertEquals("- - - (unset)", seen(Map.of(), command, "--help"), command);
        }
        assertEquals("- - - (unset)", seen(Map.of()));
    }

    @Test
    void aSettingOfTheUsersIsLeftAsItIs() throws Exception {
        assertEquals("- - 0 glibc.malloc.hugetlb=1:" + TRAIN_TUNABLES + TRAIN_ARENA, seen(Map.of("MALLOC_TOP_PAD_", "0"), "train", "--help"));
        assertEquals("65536 - - glibc.malloc.hugetlb=1", seen(Map.of("MALLOC_MMAP_THRESHOLD_", "65536"), "predict", "--help"));
        assertEquals(HEAP + " glibc.malloc.arena_max=2 mmap_max=0",
                seen(Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=2"), "train", "--help"));
        assertEquals(HEAP + " glibc.malloc.mmap_max=9 arena_max=1",
                seen(Map.of("GLIBC_TUNABLES", "glibc.malloc.mmap_max=9"), "train", "--help"));
        assertEquals(HEAP, seen(Map.of("GLIBC_TUNABLES", ""), "features", "--help")); // set, if empty: left as is
        assertEquals(HEAP + " glibc.malloc.hugetlb=1:" + TRAIN_TUNABLES + " mmap_max=0 arena_max=4",
                seen(Map.of("MALLOC_ARENA_MAX", "4"), "train", "--help"));
        assertEquals(HEAP + " glibc.malloc.hugetlb=1:" + TRAIN_TUNABLES + " mmap_max= arena_max=1",
                seen(Map.of("MALLOC_MMAP_MAX_", ""), "train", "--help")); // glibc reads an empty one as 0; the user's all the same
    }

    @Test
    void theDistributionsLauncherGivesTheSame() throws Exception {
        Path launcher = root.resolve("dist/bin/resvision");
        for (String command : INFERENCE_COMMANDS.split(" ")) {
            assertEquals(HEAP + " glibc.malloc.hugetlb=1", seen(launcher, "thp-madvise", Map.of(), command, "--help"), command);
        }
        assertEquals(TRAIN, seen(launcher, "thp-madvise", Map.of(), "train", "--help"));
        assertEquals("- - - (unset)", seen(launcher, "thp-madvise", Map.of(), "coco-eval", "--help"));
    }
}
