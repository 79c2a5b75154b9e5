package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code src/build/ClassFileUpgrade.java}, which the build runs on the command line's copy of picocli so
 * that coco-eval's class-data archive can hold picocli's classes: every class file of the real picocli
 * jar becomes version 52 and nothing else changes; the rewritten classes verify, go into a CDS archive
 * and load from it; and {@code resvision coco-eval} prints exactly the same with them as with the
 * original jar.
 */
class ClassFileUpgradeTest {

    @TempDir static Path dir;
    static Path original;
    static Path upgraded;
    static Result firstRun;

    record Result(int code, String out) {}

    @BeforeAll
    static void upgradeACopyOfPicocli() throws Exception {
        original = Path.of(picocli.CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        upgraded = Files.copy(original, dir.resolve(original.getFileName()));
        firstRun = upgrade(upgraded);
    }

    /** Runs the build's step on {@code jar}, as tools/pom.xml does. */
    static Result upgrade(Path jar) throws Exception {
        Path asm = Path.of(org.objectweb.asm.ClassReader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return java(List.of("-cp", asm.toString(), Path.of("src/build/ClassFileUpgrade.java").toAbsolutePath().toString(), jar.toString()));
    }

    static Result java(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Map<String, byte[]> entries(Path jar) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(jar))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                m.put(e.getName(), in.readAllBytes());
            }
        }
        return m;
    }

    static int major(byte[] classFile) {
        return ((classFile[6] & 0xff) << 8) | (classFile[7] & 0xff);
    }

    @Test
    void everyOldClassFileBecomesVersion52AndTheRestIsCopiedAsItWas() throws Exception {
        assertEquals(0, firstRun.code(), firstRun.out());
        Map<String, byte[]> before = entries(original);
        Map<String, byte[]> after = entries(upgraded);
        assertEquals(new ArrayList<>(before.keySet()), new ArrayList<>(after.keySet()), "the same entries in the same order");
        int classes = 0;
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            String name = e.getKey();
            byte[] now = after.get(name);
            if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                assertEquals(49, major(e.getValue()), name + " was a Java 5 class file");
                assertEquals(52, major(now), name);
                classes++;
            } else {
                assertArrayEquals(e.getValue(), now, name);
            }
        }
        assertTrue(classes > 200, "picocli 4.7 has ~230 classes, got " + classes);
        assertTrue(firstRun.out().contains(classes + " class files rewritten as version 52"), firstRun.out());
    }

    @Test
    void aJarAlreadyUpgradedIsLeftAsItIs() throws Exception {
        Path again = Files.copy(upgraded, dir.resolve("again.jar"));
        long modified = Files.getLastModifiedTime(again).toMillis();
        Result r = upgrade(again);
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("no class file older than version 50"), r.out());
        assertArrayEquals(Files.readAllBytes(upgraded), Files.readAllBytes(again));
        assertEquals(modified, Files.getLastModifiedTime(again).toMillis());
    }

    @Test
    void notAJarFailsWithOneLineAndLeavesTheFile() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.jar"), "not a zip");
        Result r = upgrade(bad);
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().startsWith("ClassFileUpgrade: " + bad), r.out());
        assertEquals("not a zip", Files.readString(bad));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(bad), files.filter(p -> p.getFileName().toString().contains("bad")).toList(), "no temporary file left");
        }
    }

    /**
     * The reason for the step: a class-data archive takes the rewritten classes (none refused, none failing
     * verification) and a second JVM maps every picocli class it loads from it. picocli's own command
     * (AutoComplete's help, which builds a spec from annotations, parses and renders usage) runs on the
     * jar alone, since an archive's class path may hold jars only.
     */
    @Test
    void theRewrittenClassesGoIntoAClassDataArchiveAndLoadFromIt() throws Exception {
        Path jsa = dir.resolve("picocli.jsa");
        List<String> app = List.of("-cp", upgraded.toString(), "picocli.AutoComplete", "--help");
        Result dump = java(concat(List.of("-XX:ArchiveClassesAtExit=" + jsa, "-Xlog:cds=warning"), app));
        assertEquals(0, dump.code(), dump.out());
        assertTrue(dump.out().lines().noneMatch(l -> l.contains("[cds]") && l.contains("picocli")), dump.out());
        Result mapped = java(concat(List.of("-XX:SharedArchiveFile=" + jsa, "-Xshare:on", "-Xlog:class+load=info"), app));
        assertEquals(0, mapped.code(), mapped.out());
        List<String> loaded = mapped.out().lines().filter(l -> l.contains("[class,load]") && l.contains(" picocli.")).toList();
        assertTrue(loaded.size() > 50, mapped.out());
        List<String> fromJar = loaded.stream().filter(l -> !l.contains("shared objects file")).toList();
        assertEquals(List.of(), fromJar, "picocli classes loaded from the jar, not the archive");
        // the same help as the original jar prints
        Result plain = java(List.of("-Xshare:off", "-cp", original.toString(), "picocli.AutoComplete", "--help"));
        String help = mapped.out().lines().filter(l -> !l.startsWith("[")).reduce("", (a, b) -> a + b + "\n");
        assertEquals(plain.out().replace("\r", ""), help);
    }

    /** {@code resvision coco-eval} on the rewritten picocli: the same output, byte for byte, as on the original. */
    @Test
    void cocoEvalPrintsTheSameWithTheRewrittenClasses() throws Exception {
        String cp = System.getProperty("java.class.path");
        String swapped = cp.replace(original.toString(), upgraded.toString());
        assertTrue(!swapped.equals(cp), "picocli's jar is on the test class path");
        List<String> command = List.of(Main.class.getName(), "coco-eval", "--gt", "src/cds/gt.json", "--dt", "src/cds/dt.json",
                "--iou-type", "segm", "--per-class");
        Result before = java(concat(List.of("-Xshare:off", "-cp", cp), command));
        Result after = java(concat(List.of("-Xshare:off", "-cp", swapped), command));
        assertEquals(0, before.code(), before.out());
        assertTrue(before.out().contains("Average Precision"), before.out());
        assertEquals(before, after);
    }

    static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
