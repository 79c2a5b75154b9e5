package org.resvision.tools;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import org.resvision.data.video.VideoReader;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.FasterRcnn;
import org.resvision.nn.StateDictLoader;
import org.resvision.weights.WeightsIO;

/** Small inputs for annotate-video tests: a tiny untrained detector (seeded) and synthetic clips. */
public final class VideoFixtures {

    private VideoFixtures() {}

    /** A tiny detector's config and weights. */
    public record Detector(Path config, Path weights) {}

    /** Writes {@code dir/det.json} and {@code dir/w.safetensors} (initialised with the engine's random seed set to 1). */
    public static Detector detector(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path config = Files.writeString(dir.resolve("det.json"), DetectionCommandsTest.TINY.formatted("0.01"));
        Path file = dir.resolve("w.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            FasterRcnn model = FasterRcnn.of(DetectionConfig.read(config)).init(m);
            WeightsIO.saveSafetensors(file, StateDictLoader.export(model, m), Map.of());
        }
        return new Detector(config, file);
    }

    /** A 96x64 MJPEG AVI of the moving synthetic shapes, 10 fps. */
    public static Path video(Path file, int frames) throws Exception {
        new SyntheticDatasetWriter(new SyntheticScenes(new SyntheticScenes.Config(96, 64, 5, 2, 3))).writeVideo(file, frames, 10);
        return file;
    }

    /** {@code video} re-encoded into {@code copy} (the container from its extension: mp4, mkv, avi). */
    public static Path reencode(Path video, Path copy) throws Exception {
        try (VideoReader in = VideoReader.open(video); org.resvision.data.video.VideoWriter out = org.resvision.data.video.VideoWriter.open(copy,
                in.width(), in.height(), in.frameRate())) {
            for (VideoReader.VideoFrame f = in.next(); f != null; f = in.next()) {
                try (VideoReader.VideoFrame frame = f) {
                    out.write(frame.bgr());
                }
            }
        }
        return copy;
    }

    /** A copy of {@code video} cut to its first half of bytes (an AVI's header still declares every frame). */
    public static Path truncated(Path video, Path copy) throws Exception {
        byte[] b = Files.readAllBytes(video);
        return Files.write(copy, java.util.Arrays.copyOf(b, b.length / 2));
    }

    /**
     * {@code resvision ARGS} as a child process (this JVM's java and class path, the launcher's
     * options for model commands, this JVM's libtorch threads, so that results match its own runs),
     * stdout and stderr into {@code log}.
     */
    public static Process start(Path log, String... args) throws java.io.IOException {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-Xms64m", "-Xmn32m", "-Dai.djl.pytorch.num_threads="
                        + System.getProperty("ai.djl.pytorch.num_threads", String.valueOf(Runtime.getRuntime().availableProcessors())),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(java.util.List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The number of frames {@code video} decodes to. */
    public static int frames(Path video) throws Exception {
        try (VideoReader v = VideoReader.open(video)) {
            int n = 0;
            for (VideoReader.VideoFrame f = v.next(); f != null; f = v.next()) {
                f.close();
                n++;
            }
            return n;
        }
    }
}
