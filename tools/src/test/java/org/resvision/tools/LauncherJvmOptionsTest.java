package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options per command (tools/jvm-options.sh, run with the THP mode file replaced):
 * coco-eval's JVM asks for transparent huge pages exactly where the kernel gives them on request
 * (THP mode "always" or "madvise"; with "never", or without the file, the JVM would warn), and no
 * other command does; the short inference commands run the quick compiler only, training and
 * annotate-video both.
 */
class LauncherJvmOptionsTest {

    private static final String FLAG = "-XX:+UseTransparentHugePages";

    @TempDir
    Path dir;

    private String options(String mode, String command) throws Exception {
        Path modeFile = dir.resolve("enabled");
        if (mode == null) {
            Files.deleteIfExists(modeFile);
        } else {
            Files.writeString(modeFile, mode + "\n");
        }
        return bash("source \"$0\" && resvision_jvm_opts \"$1\"", modeFile.toString(), command);
    }

    /** What {@code script} prints, run by bash with tools/jvm-options.sh as $0 and {@code arg} as $1. */
    private static String bash(String script, String thpFile, String arg) throws Exception {
        Path options = Path.of("..").toAbsolutePath().normalize().resolve("tools/jvm-options.sh");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script, options.toString(), arg).redirectErrorStream(true);
        pb.environment().put("RESVISION_THP_FILE", thpFile);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void cocoEvalAsksWhereTheKernelGivesThemOnRequest() throws Exception {
        assertTrue(options("always [madvise] never", "coco-eval").contains(FLAG));
        assertTrue(options("[always] madvise never", "coco-eval").contains(FLAG));
        assertFalse(options("always madvise [never]", "coco-eval").contains(FLAG));
        assertFalse(options(null, "coco-eval").contains(FLAG));
        assertTrue(options("always [madvise] never", "coco-eval").contains("-XX:+UseSerialGC -Xmn64m -XX:PretenureSizeThreshold=512k -XX:MaxTenuringThreshold=0"));
    }

    @Test
    void cocoEvalMapsTheArchiveTheDistributionNamesUnlessItsPathHasWhiteSpace() throws Exception {
        Path plain = Files.writeString(dir.resolve("coco-eval.jsa"), "an archive");
        Path spaced = Files.writeString(dir.resolve("coco eval.jsa"), "an archive");
        assertTrue(archiveOptions(plain.toString()).contains(" -XX:SharedArchiveFile=" + plain + " -Xlog:cds=off"));
        assertFalse(archiveOptions(spaced.toString()).contains("SharedArchiveFile"), "split at the space by the launcher");
        assertFalse(archiveOptions(dir.resolve("missing.jsa").toString()).contains("SharedArchiveFile"));
        assertFalse(archiveOptions("").contains("SharedArchiveFile"), "empty: none");
    }

    /** coco-eval's options with {@code resvision_jsa} set as the distribution's launcher sets it. */
    private String archiveOptions(String jsa) throws Exception {
        return bash("resvision_jsa=$1; source \"$0\" && resvision_jvm_opts coco-eval", dir.resolve("no-thp-file").toString(), jsa);
    }

    @Test
    void noOtherCommandAsks() throws Exception {
        for (String command : new String[] {"train", "predict", "evaluate", "voc-eval", "synth"}) {
            assertFalse(options("[always] madvise never", command).contains(FLAG), command);
        }
    }

    @Test
    void glueOnlyCommandsUseTheQuickCompilerOnly() throws Exception {
        for (String command : new String[] {"features", "coco-eval", "voc-eval"}) {
            assertTrue(options("always [madvise] never", command).contains("-XX:TieredStopAtLevel=1"), command);
        }
        // detectors pool RoIs in a Java loop that only the optimising compiler vectorises
        for (String command : new String[] {"predict", "evaluate"}) {
            assertEquals("-XX:+UseSerialGC -Xms64m -Xmn32m -XX:CompileThresholdScaling=0.1", options("always [madvise] never", command), command);
        }
        for (String command : new String[] {"train", "annotate-video"}) {
            assertEquals("-XX:+UseSerialGC -Xms64m -Xmn32m", options("always [madvise] never", command), command);
        }
    }
}
