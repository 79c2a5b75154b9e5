package org.resvision.data.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {

    @TempDir Path dir;

    @Test
    void pngDecodesToRgbChwInUnitRange() throws IOException {
        Path file = dir.resolve("px.png");
        // 2 rows x 3 columns, BGR (10, 20, 30) everywhere but pixel (row 1, col 2) = BGR (255, 0, 51)
        try (Mat img = new Mat(2, 3, opencv_core.CV_8UC3, new Scalar(10, 20, 30, 0))) {
            img.ptr(1, 2).put((byte) 255, (byte) 0, (byte) 51);
            assertTrue(opencv_imgcodecs.imwrite(file.toString(), img));
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Images.read(file, m);
            assertEquals(new Shape(3, 2, 3), x.getShape());
            // channel 0 is red (BGR's third byte)
            assertEquals(30 / 255f, x.getFloat(0, 0, 0), 1e-7f);
            assertEquals(20 / 255f, x.getFloat(1, 0, 0), 1e-7f);
            assertEquals(10 / 255f, x.getFloat(2, 0, 0), 1e-7f);
            assertArrayEquals(new float[] {51 / 255f, 0f, 1f},
                    new float[] {x.getFloat(0, 1, 2), x.getFloat(1, 1, 2), x.getFloat(2, 1, 2)}, 1e-7f);
        }
    }

    @Test
    void missingAndCorruptFilesNameTheFile() throws IOException {
        Path corrupt = dir.resolve("broken.jpg");
        Files.write(corrupt, new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 0x00, 0x12});
        try (NDManager m = NDManager.newBaseManager()) {
            IOException e = assertThrows(IOException.class, () -> Images.read(corrupt, m));
            assertEquals(corrupt + ": not a readable image (corrupt, truncated or an unsupported format)", e.getMessage());
            IOException missing = assertThrows(IOException.class, () -> Images.read(dir.resolve("nope.png"), m));
            assertTrue(missing.getMessage().endsWith("nope.png: no such image file"));
        }
    }

    @Test
    void exifOrientationIsApplied() throws Exception {
        // 40x20 stored, left quarter blue, EXIF orientation 6 (rotate 90 degrees clockwise to display)
        Path file = dir.resolve("exif.jpg");
        try (var in = ImagesTest.class.getResourceAsStream("/exif-orientation-6.jpg")) {
            Files.copy(in, file);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Images.read(file, m);
            assertEquals(new Shape(3, 40, 20), x.getShape(), "displayed upright: 20 wide, 40 tall");
            // after the rotation the blue quarter is at the top
            assertTrue(x.getFloat(2, 2, 10) > 0.8f && x.getFloat(0, 2, 10) < 0.2f, "top is blue");
            assertTrue(x.getFloat(0, 37, 10) > 0.8f, "bottom is red");
        }
    }
}
