package org.resvision.data.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.global.opencv_core;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;

/** Decoding the synthetic MJPEG AVI and re-encoding it as H.264 mp4 keeps frame count, size and content. */
class VideoIoTest {

    @TempDir Path dir;

    @Test
    void mjpegInMp4OutKeepsFramesSizeAndPixels() throws Exception {
        Path avi = dir.resolve("moving.avi");
        new SyntheticDatasetWriter(new SyntheticScenes(new SyntheticScenes.Config(96, 64, 3, 2, 3))).writeVideo(avi, 12, 10);
        Path mp4 = dir.resolve("copy.mp4");
        double meanIn = 0;
        try (VideoReader r = VideoReader.open(avi)) {
            assertEquals(96, r.width());
            assertEquals(64, r.height());
            assertEquals(10, r.frameRate(), 1e-6);
            try (VideoWriter w = VideoWriter.open(mp4, r.width(), r.height(), r.frameRate())) {
                assertEquals("libopenh264", w.codec());
                int n = 0;
                for (VideoReader.VideoFrame next = r.next(); next != null; next = r.next()) {
                    try (VideoReader.VideoFrame f = next) {
                        assertEquals(n++, f.index());
                        assertEquals(f.index() / 10.0, f.seconds(), 1e-3);
                        meanIn += opencv_core.mean(f.bgr()).get(1);
                        w.write(f.bgr());
                    }
                }
                assertEquals(12, n);
                assertEquals(12, w.frames());
            }
        }
        double meanOut = 0;
        try (VideoReader r = VideoReader.open(mp4)) {
            assertEquals(96, r.width());
            assertEquals(64, r.height());
            assertEquals(10, r.frameRate(), 1e-6);
            int n = 0;
            for (VideoReader.VideoFrame next = r.next(); next != null; next = r.next()) {
                try (VideoReader.VideoFrame f = next) {
                    meanOut += opencv_core.mean(f.bgr()).get(1);
                    n++;
                }
            }
            assertEquals(12, n);
        }
        assertEquals(meanIn / 12, meanOut / 12, 3.0, "mean green level survives the round trip");
    }

    @Test
    void aFileThatIsNotAVideoIsAOneLineError() throws Exception {
        Path junk = dir.resolve("junk.mp4");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        IOException e = assertThrows(IOException.class, () -> VideoReader.open(junk));
        assertTrue(e.getMessage().startsWith(junk + ": not a readable video"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
        IOException missing = assertThrows(IOException.class, () -> VideoReader.open(dir.resolve("none.avi")));
        assertTrue(missing.getMessage().endsWith("no such video file"));
    }
}
