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
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** A fresh temporary name next to {@code file}: {@code .NAME.PID-NANOS.tmp}, no file created. */
    public static Path tempSibling(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp");
    }

    /** Renames a finished temporary file over {@code file} in one step. */
    public static void commit(Path tmp, Path file) throws IOException {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes a file's whole content into the temporary path it is given. */
    public interface Content {
        void writeTo(Path tmp) throws IOException;
    }

    /** Writes {@code file} atomically: {@code content} fills a temporary sibling, renamed over {@code file}; removed on failure. */
    public static void write(Path file, Content content) throws IOException {
        Path tmp = tempSibling(file);
        try {
            content.writeTo(tmp);
            commit(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes {@code img} as a PNG, atomically. */
    public static void writePng(BufferedImage img, Path file) throws IOException {
        write(file, tmp -> {
            if (!ImageIO.write(img, "png", tmp.toFile())) {
                throw new IOException(file + ": no PNG writer available");
            }
        });
    }
}
