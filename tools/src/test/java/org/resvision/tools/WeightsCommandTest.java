package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code resvision weights list | fetch | verify} against a loopback server. */
class WeightsCommandTest {

    @TempDir Path dir;
    WeightsHub hub;

    @BeforeEach
    void start() throws Exception {
        hub = new WeightsHub(dir);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void fetchDownloadsOnceThenFindsItAndListShowsWhere() throws Exception {
        EvalCommandsTest.Run r = EvalCommandsTest.run("weights", "fetch", "tinynet");
        assertEquals(0, r.code(), r.err());
        Path file = hub.cached().toAbsolutePath();
        assertEquals("tinynet:TEST_V1: " + file + " (downloaded, SHA-256 checked)\n", r.out());
        // not a console: plain progress lines, the last at 100 %
        assertTrue(r.err().lines().allMatch(l -> l.startsWith(hub.fileName + "  0.0 / 0.0 MB (")) && r.err().contains("(100%)"), r.err());
        assertArrayEquals(hub.data, Files.readAllBytes(file));

        EvalCommandsTest.Run again = EvalCommandsTest.run("weights", "fetch", "TinyNet_Weights.DEFAULT");
        assertEquals("tinynet:TEST_V1: " + file + " (already cached, SHA-256 checked)\n", again.out());
        assertEquals(1, hub.server.requests.size());

        EvalCommandsTest.Run list = EvalCommandsTest.run("weights", "list");
        assertEquals(0, list.code());
        String row = list.out().lines().filter(l -> l.startsWith("tinynet:TEST_V1 *")).findFirst().orElseThrow();
        assertTrue(row.matches("tinynet:TEST_V1 \\* +classification +acc@1 50\\.5 +0\\.0M +0\\.0 MB +" + java.util.regex.Pattern.quote(
                hub.hub.toString()) + "$"), row);
        assertTrue(list.out().lines().anyMatch(l -> l.matches("fasterrcnn_resnet50_fpn_v2:COCO_V1 \\* +detection +box_map 46\\.7 +43\\.7M +- +-")),
                list.out());
        assertTrue(EvalCommandsTest.run("weights", "list", "--task", "segmentation").out().lines().noneMatch(l -> l.contains("resnet18")));
    }

    @Test
    void verifyANameAFileByItsHashAndAMismatch() throws Exception {
        assertEquals(0, EvalCommandsTest.run("weights", "fetch", "tinynet:TEST_V1").code());
        EvalCommandsTest.Run ok = EvalCommandsTest.run("weights", "verify", "tinynet");
        assertEquals(0, ok.code(), ok.err());
        assertEquals(hub.cached() + ": OK: tinynet:TEST_V1 (SHA-256 starts with " + hub.sha.substring(0, 8)
                + "), a safetensors state dict of 1 tensors, 0.0M values\n", ok.out());

        // a copy under another name is recognised by its SHA-256
        Path renamed = Files.copy(hub.cached(), dir.resolve("mine.safetensors"));
        EvalCommandsTest.Run byHash = EvalCommandsTest.run("weights", "verify", renamed.toString());
        assertEquals(0, byHash.code(), byHash.err());
        assertTrue(byHash.out().startsWith(renamed + ": OK: tinynet:TEST_V1 "), byHash.out());

        // a file whose name carries the entry's hash but whose content differs
        byte[] other = hub.data.clone();
        other[other.length - 1] ^= 1;
        Path liar = Files.write(dir.resolve("x-" + hub.sha.substring(0, 8) + ".pth"), other);
        EvalCommandsTest.Run bad = EvalCommandsTest.run("weights", "verify", liar.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().startsWith("resvision weights: error: " + liar + ": SHA-256 "), bad.err());
        assertTrue(bad.err().contains("does not start with " + hub.sha.substring(0, 8) + " as tinynet:TEST_V1 requires"), bad.err());
        assertEquals(1, bad.err().lines().count());
    }

    @Test
    void forceReplacesACachedFileThatFailsItsCheck() throws Exception {
        Files.createDirectories(hub.hub);
        Files.write(hub.cached(), new byte[] {1, 2, 3});
        EvalCommandsTest.Run refused = EvalCommandsTest.run("weights", "fetch", "tinynet");
        assertEquals(1, refused.code());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(hub.cached()));
        EvalCommandsTest.Run forced = EvalCommandsTest.run("weights", "fetch", "tinynet", "--force");
        assertEquals(0, forced.code(), forced.err());
        assertArrayEquals(hub.data, Files.readAllBytes(hub.cached()));
    }
}
