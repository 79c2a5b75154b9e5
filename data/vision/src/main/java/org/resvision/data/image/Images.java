package org.resvision.data.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Image files to DJL arrays through OpenCV, with no AWT in the path: decode (EXIF orientation
 * honoured) -> {@code blobFromImage} (BGR to RGB, scale to [0, 1], HWC to CHW) -> direct buffer
 * -> NDArray. Stateless; safe to call from several threads at once.
 */
public final class Images {

    private Images() {}

    /**
     * Reads a JPEG/PNG/BMP/... file as float RGB in [0, 1], shaped [3, H, W].
     * Grey and CMYK images become RGB, alpha is dropped, 16-bit PNGs are scaled to 8 bits.
     *
     * @param file the image file
     * @param manager owns the returned array
     * @return a new float32 [3, H, W] array, H and W the displayed size after EXIF rotation
     * @throws IOException "{@code <file>: <problem>}" when the file is missing or cannot be decoded
     *     (also when it is empty, a folder, or has more than {@link #MAX_PIXELS} pixels)
     */
    public static NDArray read(Path file, NDManager manager) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + (Files.isDirectory(file) ? ": a folder, not an image file" : ": no such image file"));
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == 0) {
            throw new IOException(file + ": empty file (0 bytes), not an image");
        }
        Mat bgr = decode(bytes);
        if (bgr == null || bgr.empty()) {
            throw new IOException(file + ": not a readable image (corrupt, truncated or an unsupported format)");
        }
        try (bgr) {
            if (3L * bgr.rows() * bgr.cols() * Float.BYTES > Integer.MAX_VALUE) {
                throw new IOException(file + ": " + bgr.cols() + "x" + bgr.rows() + " pixels is too large (at most "
                        + MAX_PIXELS / 1_000_000 + " megapixels); resize it first");
            }
            return toArray(bgr, manager);
        }
    }

    /** OpenCV's decoding, or null where it throws (as it does, rather than returning an empty image, for some broken headers). */
    private static Mat decode(byte[] bytes) {
        try (BytePointer data = new BytePointer(bytes); Mat raw = new Mat(1, bytes.length, opencv_core.CV_8UC1, data)) {
            // IMREAD_COLOR: 16-bit PNGs are scaled to 8 bits, grey and CMYK become BGR, alpha is dropped
            return opencv_imgcodecs.imdecode(raw, opencv_imgcodecs.IMREAD_COLOR);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The most pixels an image may have: its float RGB array must fit one Java buffer (2 GB). */
    public static final long MAX_PIXELS = Integer.MAX_VALUE / (3L * Float.BYTES);

    /**
     * An 8-bit BGR image (OpenCV's layout) as float RGB in [0, 1], shaped [3, H, W].
     *
     * @param bgr a {@code CV_8UC3} image, not closed here (not checked: another type gives wrong values, and
     *     one with fewer than 3 channels makes the copy read past the end of OpenCV's buffer)
     * @param manager owns the returned array
     * @return a new float32 [3, H, W] array
     * @throws ArithmeticException when the image has more than {@link #MAX_PIXELS} pixels
     */
    public static NDArray toArray(Mat bgr, NDManager manager) {
        int h = bgr.rows();
        int w = bgr.cols();
        try (Scalar zero = new Scalar(0.0);
                Size size = new Size(w, h);
                Mat blob = opencv_dnn.blobFromImage(bgr, 1 / 255.0, size, zero, true, false, opencv_core.CV_32F)) {
            long count = 3L * h * w;
            ByteBuffer buf = ByteBuffer.allocateDirect(Math.toIntExact(count * 4)).order(ByteOrder.nativeOrder());
            try (FloatPointer p = new FloatPointer(blob.data())) {
                p.capacity(count);
                buf.asFloatBuffer().put(p.asBuffer());
            }
            // a direct, native-order ByteBuffer is taken as is (a FloatBuffer view would be copied again)
            return manager.create(buf, new Shape(3, h, w), ai.djl.ndarray.types.DataType.FLOAT32);
        }
    }
}
