package org.resvision.data.video;

import java.io.IOException;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Encodes BGR {@link Mat}s into a video with FFmpeg (javacv's {@code FFmpegFrameRecorder}): H.264
 * in mp4 by default, asked for by name ({@code libopenh264}, the encoder bytedeco's LGPL FFmpeg
 * build has; requesting H.264 generically would silently pick another one), falling back to
 * MPEG-4 part 2 where it is missing. Frame rate and size are the caller's (the source's).
 *
 * <p>Not thread-safe: use one per thread (or synchronize). Close it to finish the file.
 */
public final class VideoWriter implements AutoCloseable {

    private final FFmpegFrameRecorder recorder;
    private final OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
    private final String codec;
    private int frames;

    private VideoWriter(FFmpegFrameRecorder recorder, String codec) {
        this.recorder = recorder;
        this.codec = codec;
    }

    /**
     * Opens {@code file} (container from its extension: mp4, mkv, avi).
     * Any other extension gets mp4. The file is written in place (not atomically) and replaced if it exists.
     *
     * @param file the video to write; its folder must exist
     * @param width frame width in pixels
     * @param height frame height in pixels
     * @param fps frames per second
     * @return a writer; the caller closes it
     * @throws IOException when neither encoder can be opened for the file
     */
    public static VideoWriter open(Path file, int width, int height, double fps) throws IOException {
        String name = file.getFileName().toString();
        String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
        String format = switch (ext) {
            case "mkv" -> "matroska";
            case "avi" -> "avi";
            default -> "mp4";
        };
        for (String codec : new String[] {"libopenh264", "mpeg4"}) {
            FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toFile(), width, height, 0);
            r.setFormat(format);
            r.setFrameRate(fps);
            r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            if (codec.equals("libopenh264")) {
                r.setVideoCodecName(codec);
                r.setVideoBitrate(Math.max(400_000, width * height * 4));
            } else {
                r.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
                r.setVideoQuality(3);
            }
            try {
                r.start();
                return new VideoWriter(r, codec);
            } catch (FrameRecorder.Exception | RuntimeException e) {
                try {
                    r.release();
                } catch (FrameRecorder.Exception ignored) {
                    // nothing more to free
                }
                if (codec.equals("mpeg4")) {
                    throw new IOException(file + ": cannot open a video encoder (" + String.valueOf(e.getMessage()).replace('\n', ' ') + ")");
                }
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /**
     * The encoder in use ({@code libopenh264} or {@code mpeg4}).
     *
     * @return the encoder's name
     */
    public String codec() {
        return codec;
    }

    /**
     * Frames written so far.
     *
     * @return the count
     */
    public int frames() {
        return frames;
    }

    /**
     * Encodes one frame.
     *
     * @param bgr an 8-bit BGR image ({@code CV_8UC3}), normally of the size given to {@link #open}; not
     *     closed here
     * @throws IOException when the encoder fails, naming the frame number
     */
    public void write(Mat bgr) throws IOException {
        Frame f = converter.convert(bgr);
        try {
            recorder.record(f, avutil.AV_PIX_FMT_BGR24);
            frames++;
        } catch (FrameRecorder.Exception e) {
            throw new IOException("video encoding failed at frame " + frames + ": " + e.getMessage());
        }
    }

    /**
     * Flushes the encoder, finishes the container and frees the encoder.
     *
     * @throws IOException when finishing the file fails
     */
    @Override
    public void close() throws IOException {
        try {
            recorder.stop();
            recorder.release();
        } catch (FrameRecorder.Exception e) {
            throw new IOException("finishing the video failed: " + e.getMessage());
        } finally {
            converter.close();
        }
    }
}
