package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.image.Images;
import org.resvision.data.transform.Transforms;
import org.resvision.detection.DetectionConfig;
import org.resvision.segmentation.SegmentationConfig;

/** What the user reads when things go wrong: one line, the file, the problem, no Java words. */
class MessagesTest {

    @TempDir Path dir;

    /** A command that fails with {@code t}. */
    static Command failing(Throwable t) {
        return new Command() {
            public String name() {
                return "fake";
            }

            public String summary() {
                return "";
            }

            public String usage() {
                return "";
            }

            public int run(String[] args) throws Exception {
                if (t instanceof Exception e) {
                    throw e;
                }
                throw (Error) t;
            }
        };
    }

    @Test
    void outOfHeapIsOneLineWithTheLargestFileTheHeapAndHowToGiveMore() throws Exception {
        Path small = Files.writeString(dir.resolve("gt.json"), "{}");
        Path big = Files.writeString(dir.resolve("dt.json"), "[" + "{},".repeat(1000) + "{}]");
        long mb = Runtime.getRuntime().maxMemory() / (1024 * 1024);
        String expected = "resvision fake: error: " + big + ": out of memory (the Java heap is " + mb
                + " MB); give it more with RESVISION_JAVA_OPTS=-Xmx<size>, e.g. RESVISION_JAVA_OPTS=-Xmx" + Math.max(2, 2 * mb / 1024 + 1) + "g\n";
        String[] args = {"--gt", small.toString(), "--dt", big.toString(), "--iou", "bbox"};
        EvalCommandsTest.Run r = EvalCommandsTest.run(() -> Main.run(failing(new OutOfMemoryError("Java heap space")), args));
        assertEquals(1, r.code());
        assertEquals(expected, r.err());
        // a loader thread's OutOfMemoryError reaches the command wrapped: the same line
        EvalCommandsTest.Run w = EvalCommandsTest.run(
                () -> Main.run(failing(new IllegalStateException("Java heap space", new OutOfMemoryError("Java heap space"))), args));
        assertEquals(expected, w.err());
    }

    @Test
    void oneLineNeverNamesAJavaClass() {
        assertEquals("disk full", Runtimes.oneLine(new IOException(new IOException("disk full"))));
        assertEquals("x.jpg: broken", Runtimes.oneLine(new UncheckedIOException(new IOException("x.jpg: broken"))));
        assertEquals("an input/output error", Runtimes.oneLine(new IOException()));
        assertEquals("unexpected internal error (run with -Dresvision.debug=true for details)",
                Runtimes.oneLine(new IllegalStateException(new NullPointerException())));
        assertEquals("w.pth: bad: caused by a.b", Runtimes.oneLine(new IOException("w.pth: bad: java.lang.IllegalArgumentException: caused by a.b")));
    }

    @Test
    void aUsageErrorIsOneLineWithWhereToReadMore() {
        EvalCommandsTest.Run r = EvalCommandsTest.run("features", "--arch", "resnet18");
        assertEquals(2, r.code());
        assertEquals("resvision features: missing --weights (see 'resvision features --help')\n", r.err());
    }

    @Test
    void configTypeErrorsNameTheFileThePlaceAndTheField() throws Exception {
        Path lr = Files.writeString(dir.resolve("c.json"), "{\"task\": \"detection\",\n \"model\": \"fasterrcnn_resnet18_fpn_small\",\n \"lr\": \"abc\"}");
        assertEquals(lr + ":3:8: field \"lr\": expected a number, got \"abc\"",
                assertThrows(IOException.class, () -> DetectionConfig.read(lr)).getMessage());
        Path nested = Files.writeString(dir.resolve("n.json"), "{\"anchor_sizes\": [[16], [32], [\"x\"], [1], [2]]}");
        assertEquals(nested + ":1:32: field \"anchor_sizes[2][0]\": expected a number, got \"x\"",
                assertThrows(IOException.class, () -> DetectionConfig.read(nested)).getMessage());
        Path list = Files.writeString(dir.resolve("l.json"), "{\"milestones\": 5}");
        assertEquals(list + ":1:16: field \"milestones\": expected a list, got a number",
                assertThrows(IOException.class, () -> DetectionConfig.read(list)).getMessage());
        Path typo = Files.writeString(dir.resolve("t.json"), "{\"iteratons\": 5}");
        assertEquals(typo + ":1:16: unknown field \"iteratons\" (did you mean \"iterations\"?)",
                assertThrows(IOException.class, () -> DetectionConfig.read(typo)).getMessage());
        Path std = Files.writeString(dir.resolve("std.json"), "{\"image_std\": [0.2, 0, 0.2]}");
        assertEquals(std + ": image_std must be positive and image_mean finite, got std [0.2, 0.0, 0.2], mean [0.485, 0.456, 0.406]",
                assertThrows(IOException.class, () -> DetectionConfig.read(std)).getMessage());
        Path seg = Files.writeString(dir.resolve("s.json"), "{\"task\": \"segmentation\", \"model\": \"fcn_small\",\n \"num_classes\": \"many\"}");
        assertEquals(seg + ":2:17: field \"num_classes\": expected an integer, got \"many\"",
                assertThrows(IOException.class, () -> SegmentationConfig.read(seg)).getMessage());
    }

    @Test
    void imagesEmptySixteenBitOnePixelAndOneRowHigh() throws Exception {
        Path empty = Files.write(dir.resolve("empty.jpg"), new byte[0]);
        assertEquals(empty + ": empty file (0 bytes), not an image", assertThrows(IOException.class,
                () -> Images.read(empty, null)).getMessage());
        Path png16 = dir.resolve("deep.png");
        try (Mat m = new Mat(4, 6, opencv_core.CV_16UC3, new Scalar(65535.0, 0.0, 32896.0, 0.0))) { // B, G, R
            opencv_imgcodecs.imwrite(png16.toString(), m);
        }
        Path one = dir.resolve("one.png");
        try (Mat m = new Mat(1, 1, opencv_core.CV_8UC3, new Scalar(0.0, 255.0, 0.0, 0.0))) {
            opencv_imgcodecs.imwrite(one.toString(), m);
        }
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray deep = Images.read(png16, nd); // scaled to 8 bits: 65535 -> 255, 32896 -> 128
            assertArrayEquals(new long[] {3, 4, 6}, deep.getShape().getShape());
            assertArrayEquals(new float[] {128 / 255f, 0f, 1f}, deep.get(":, 0, 0").toFloatArray(), 1e-6f);
            NDArray px = Images.read(one, nd);
            assertArrayEquals(new float[] {0f, 1f, 0f}, px.toFloatArray(), 1e-6f);
        }
        // a 20000x1 image: torchvision's arithmetic gives 0 rows, which no convolution takes; at least 1 row
        assertArrayEquals(new int[] {1, 1332}, Transforms.detectionSize(1, 20000, 800, 1333));
        assertArrayEquals(new int[] {1332, 1}, Transforms.detectionSize(20000, 1, 800, 1333));
        assertArrayEquals(new int[] {799, 1066}, Transforms.detectionSize(375, 500, 800, 1333)); // unchanged for real images
    }

    @Test
    void weightsBadInputsAreOneLine() throws Exception {
        EvalCommandsTest.Run unknown = EvalCommandsTest.run("weights", "fetch", "resnet5");
        assertEquals(1, unknown.code());
        assertEquals("resvision weights: error: unknown weights 'resnet5'; closest: resnet50:IMAGENET1K_V1, resnet50:IMAGENET1K_V2, "
                + "resnet152:IMAGENET1K_V1 ('resvision weights list' shows all)\n", unknown.err());
        assertEquals("resvision weights: expected list, fetch NAME or verify NAME|FILE (see 'resvision weights --help')\n",
                EvalCommandsTest.run("weights").err());
        try (WeightsHub hub = new WeightsHub(dir)) {
            Path target = hub.cached().toAbsolutePath();
            EvalCommandsTest.Run notCached = EvalCommandsTest.run("weights", "verify", "tinynet");
            assertEquals("resvision weights: error: tinynet:TEST_V1 is not cached (looked in " + hub.hub
                    + "); 'resvision weights fetch tinynet:TEST_V1' downloads it\n", notCached.err());

            System.setProperty("resvision.offline", "1");
            EvalCommandsTest.Run offline = EvalCommandsTest.run("weights", "fetch", "tinynet");
            assertEquals(1, offline.code());
            assertEquals("resvision weights: error: tinynet:TEST_V1 is not cached and RESVISION_OFFLINE is set: fetch "
                    + hub.server.url(hub.fileName) + " and put it at " + target + "\n", offline.err());
            System.clearProperty("resvision.offline");

            System.setProperty("resvision.weights.url", hub.server.base() + "/elsewhere");
            EvalCommandsTest.Run missing = EvalCommandsTest.run("weights", "fetch", "tinynet");
            assertEquals("resvision weights: error: tinynet:TEST_V1: HTTP 404 from " + hub.server.base() + "/elsewhere/" + hub.fileName
                    + " (the mirror RESVISION_WEIGHTS_URL lacks it)\n", missing.err());
            System.clearProperty("resvision.weights.url");
            assertTrue(hub.server.requests.size() == 1, "offline asked nothing; the mirror was asked once");

            Files.createDirectories(hub.hub);
            Path truncated = Files.write(target, java.util.Arrays.copyOf(hub.data, 100));
            EvalCommandsTest.Run bad = EvalCommandsTest.run("weights", "fetch", "tinynet");
            assertEquals(1, bad.code());
            assertTrue(bad.err().startsWith("resvision weights: error: " + truncated + ": SHA-256 "), bad.err());
            assertTrue(bad.err().endsWith("not used; delete it, or replace it with 'resvision weights fetch tinynet:TEST_V1 --force'\n"), bad.err());
            assertEquals(1, bad.err().lines().count());
            assertEquals(100, Files.size(truncated), "not overwritten");

            Path junk = Files.write(dir.resolve("junk.pth"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
            EvalCommandsTest.Run unknownFile = EvalCommandsTest.run("weights", "verify", junk.toString());
            assertTrue(unknownFile.err().matches("resvision weights: error: " + java.util.regex.Pattern.quote(junk.toString())
                    + ": SHA-256 [0-9a-f]{16}\\.\\.\\. matches no published checkpoint, and the name carries no catalog hash "
                    + "\\('resvision weights list' shows them\\)\n"), unknownFile.err());
            assertEquals("resvision weights: error: " + dir.resolve("absent.pth") + ": no such file\n",
                    EvalCommandsTest.run("weights", "verify", dir.resolve("absent.pth").toString()).err());
        }
    }
}
