package org.resvision.data.io;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * Files written whole or not at all: the content goes to a unique hidden sibling, which is then
 * renamed over the target. The sibling is created like any other file, so the result has the
 * user's umask ({@code Files.createTempFile} would make it 0600), and two writers never share it.
 * Stateless; safe to use from several threads at once (when two of them write the same target, the
 * last rename wins).
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /**
     * A fresh temporary name next to {@code file}: {@code .NAME.PID-NANOS.tmp}, no file created.
     *
     * @param file the target; its parent folder (of the absolute path) is created if missing
     * @return an absolute path in the target's folder
     * @throws IOException when the parent folder cannot be created
     */
    public static Path tempSibling(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp");
    }

    /**
     * Renames a finished temporary file over {@code file} in one step.
     *
     * @param tmp the finished file, in the same folder (as {@link #tempSibling} names it)
     * @param file the target, replaced if it exists
     * @throws IOException when the rename fails, for example
     *     {@link java.nio.file.AtomicMoveNotSupportedException} across file systems; {@code tmp} is then left
     *     in place
     */
    public static void commit(Path tmp, Path file) throws IOException {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes a file's whole content into the temporary path it is given. */
    public interface Content {
        /**
         * Writes the content.
         *
         * @param tmp the path to create and fill; it does not exist yet
         * @throws IOException when writing fails; the write is then abandoned and {@code tmp} deleted
         */
        void writeTo(Path tmp) throws IOException;
    }

    /**
     * Writes {@code file} atomically: {@code content} fills a temporary sibling, renamed over {@code file};
     * removed on failure.
     *
     * @param file the target; missing parent folders are created, an existing file is replaced
     * @param content fills the temporary file
     * @throws IOException from {@code content} or from the rename; {@code file} is then left as it was
     */
    public static void write(Path file, Content content) throws IOException {
        Path tmp = tempSibling(file);
        try {
            content.writeTo(tmp);
            commit(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Writes {@code img} as a PNG, atomically.
     *
     * @param img the image, any type {@link ImageIO}'s PNG writer accepts
     * @param file the target; missing parent folders are created, an existing file is replaced
     * @throws IOException when the image cannot be encoded or written; {@code file} is then left as it was
     */
    public static void writePng(BufferedImage img, Path file) throws IOException {
        write(file, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException(file + ": no PNG writer available");
            }
        });
    }
}
