package org.resvision.data.video;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes a video file (mp4, mkv, avi, ...) frame by frame with FFmpeg (javacv's {@code
 * FFmpegFrameGrabber}), as OpenCV BGR {@link Mat}s (no AWT). Frames that fail to decode are
 * counted and skipped; a file that cannot be opened is an {@link IOException} naming it.
 *
 * <p>Not thread-safe: use one per thread (or synchronize). Close it to free the decoder.
 */
public final class VideoReader implements AutoCloseable {

    /**
     * A decoded frame: its index in the stream, its time in seconds, and its BGR pixels (owned by the caller).
     *
     * @param index the frame's position among all frames read, 0-based (skipped frames count)
     * @param seconds presentation time from the stream's timestamp; {@code index / frameRate()} when it has
     *     none
     * @param bgr a {@code CV_8UC3} copy of the frame, {@code height x width}; close it (or the frame)
     */
    public record VideoFrame(int index, double seconds, Mat bgr) implements AutoCloseable {
        /** Frees {@code bgr}'s native memory. */
        @Override
        public void close() {
            bgr.close();
        }
    }

    /** Consecutive decode failures after which the rest of the file is given up. */
    private static final int MAX_CONSECUTIVE_ERRORS = 25;

    private final Path file;
    private final FFmpegFrameGrabber grabber;
    private int next;
    private int skipped;

    private VideoReader(Path file, FFmpegFrameGrabber grabber) {
        this.file = file;
        this.grabber = grabber;
    }

    static {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    /**
     * Opens a video for decoding.
     *
     * @param file the video file
     * @return a reader positioned before the first frame; the caller closes it
     * @throws IOException when the file is missing, cannot be opened by FFmpeg or has no video stream
     */
    public static VideoReader open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such video file");
        }
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
        try {
            g.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            try {
                g.release();
            } catch (FrameGrabber.Exception ignored) {
                // nothing more to free
            }
            throw new IOException(file + ": not a readable video (" + oneLine(e) + ")");
        }
        if (g.getImageWidth() <= 0 || g.getImageHeight() <= 0) {
            try {
                g.release();
            } catch (FrameGrabber.Exception ignored) {
                // nothing more to free
            }
            throw new IOException(file + ": has no video stream");
        }
        return new VideoReader(file, g);
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replace('\n', ' ').trim();
    }

    /**
     * The file being read.
     *
     * @return the path given to {@link #open}
     */
    public Path file() {
        return file;
    }

    /**
     * The frame width.
     *
     * @return width in pixels
     */
    public int width() {
        return grabber.getImageWidth();
    }

    /**
     * The frame height.
     *
     * @return height in pixels
     */
    public int height() {
        return grabber.getImageHeight();
    }

    /**
     * Frames per second (25 when the container does not say).
     *
     * @return a positive, finite rate
     */
    public double frameRate() {
        double r = grabber.getFrameRate();
        return r > 0 && Double.isFinite(r) ? r : 25;
    }

    /**
     * The container's frame count, or -1 when unknown (an estimate for progress only).
     *
     * @return a positive count or -1
     */
    public int frameCountEstimate() {
        int n = grabber.getLengthInVideoFrames();
        return n > 0 ? n : -1;
    }

    /**
     * The video stream's frame count as the container declares it (mp4 and mov sample tables, an
     * AVI's header, which still says it when the file was cut short and its index lost), or -1.
     *
     * @return a positive count (capped at {@code Integer.MAX_VALUE}) or -1
     */
    public int declaredFrames() {
        long n = grabber.getFormatContext().streams(grabber.getVideoStream()).nb_frames();
        return n > 0 ? (int) Math.min(Integer.MAX_VALUE, n) : -1;
    }

    /**
     * The video stream's duration in seconds as the container declares it, or the file's when the
     * video is its only stream (Matroska declares only that; with audio, which can run longer, it
     * says nothing of the video), unless it was guessed from the bit rate; -1 when not declared.
     *
     * @return seconds, positive, or -1
     */
    public double declaredSeconds() {
        var oc = grabber.getFormatContext();
        var st = oc.streams(grabber.getVideoStream());
        if (st.duration() > 0 && st.duration() != avutil.AV_NOPTS_VALUE) {
            return st.duration() * avutil.av_q2d(st.time_base());
        }
        boolean declared = oc.nb_streams() == 1 && oc.duration() > 0 && oc.duration() != avutil.AV_NOPTS_VALUE
                && oc.duration_estimation_method() != avformat.AVFMT_DURATION_FROM_BITRATE;
        return declared ? oc.duration() / 1e6 : -1;
    }

    /**
     * Frames that could not be decoded so far.
     *
     * @return the count, 0 or more
     */
    public int skipped() {
        return skipped;
    }

    /**
     * The next frame, or null at the end of the stream.
     * After 25 consecutive decoding errors the rest of the file is given up (also null).
     *
     * @return a new frame the caller closes, or {@code null}
     */
    public VideoFrame next() {
        int errors = 0;
        while (true) {
            Frame f;
            try {
                f = grabber.grabImage();
            } catch (FrameGrabber.Exception | RuntimeException e) {
                skipped++;
                next++;
                if (++errors >= MAX_CONSECUTIVE_ERRORS) {
                    return null;
                }
                continue;
            }
            if (f == null) {
                return null;
            }
            Mat bgr = toMat(f);
            if (bgr == null) {
                skipped++;
                next++;
                continue;
            }
            double seconds = f.timestamp > 0 ? f.timestamp / 1e6 : next / frameRate();
            return new VideoFrame(next++, seconds, bgr);
        }
    }

    /**
     * A copy of the grabber's BGR24 image. The frame's rows are FFmpeg's (aligned) line size; javacv
     * reports {@code imageChannels} as that line size over the width, which is wrong when rows are
     * padded (a 96-pixel-wide BGR frame has 384-byte rows and would read as 4 channels), so the
     * Mat is built from the pixel format's 3 channels and the row stride.
     */
    private static Mat toMat(Frame f) {
        if (f.image == null || f.image.length == 0 || !(f.image[0] instanceof java.nio.ByteBuffer buf)
                || f.imageDepth != Frame.DEPTH_UBYTE || f.imageWidth <= 0 || f.imageHeight <= 0) {
            return null;
        }
        int rowBytes = f.imageStride; // bytes per row for 8-bit images
        if (rowBytes < 3 * f.imageWidth || (long) rowBytes * f.imageHeight > buf.capacity()) {
            return null;
        }
        try (org.bytedeco.javacpp.BytePointer p = new org.bytedeco.javacpp.BytePointer(buf);
                Mat view = new Mat(f.imageHeight, f.imageWidth, org.bytedeco.opencv.global.opencv_core.CV_8UC3, p, rowBytes)) {
            return view.clone();
        }
    }

    /** Stops and frees the decoder; errors while doing so are ignored. Frames already returned stay valid. */
    @Override
    public void close() {
        try {
            grabber.stop();
            grabber.release();
        } catch (FrameGrabber.Exception e) {
            // closing a decoder has nothing left to report
        }
    }
}
