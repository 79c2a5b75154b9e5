package org.resvision.tools;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An exclusive claim on one output, held as an OS lock ({@link FileChannel#tryLock}) on a lock
 * file next to it. The OS drops the lock when the process dies (even by kill -9), so a lock file
 * left behind by a killed run is simply locked again by the next one; a run that finishes deletes
 * its lock file (while still holding the lock, and whoever locks next checks that the file it
 * locked is still the one at the path). Runs in the same JVM are kept apart by a set of held
 * paths: on Linux, closing any channel of a file drops the process's locks on it.
 */
final class OutputLock implements AutoCloseable {

    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;

    private OutputLock(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** The lock on {@code file}, or null while another process (or another run in this one) holds it. */
    static OutputLock tryAcquire(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        if (!HELD.add(key)) {
            return null;
        }
        try {
            OutputLock l = lockSameFile(key);
            if (l == null) {
                HELD.remove(key);
            }
            return l;
        } catch (IOException | RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static OutputLock lockSameFile(Path file) throws IOException {
        while (true) {
            try {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                // a lock file from a run in progress, or left by one that died: try to lock it
            }
            FileChannel ch;
            Object before;
            try {
                before = fileKey(file);
                ch = FileChannel.open(file, StandardOpenOption.WRITE);
            } catch (NoSuchFileException e) {
                continue; // its holder finished and deleted it
            }
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                return null;
            }
            Object after;
            try {
                after = fileKey(file);
            } catch (NoSuchFileException e) {
                after = null;
            }
            if (after != null && Objects.equals(before, after)) {
                return new OutputLock(file, ch);
            }
            ch.close(); // locked a file its holder deleted on finishing: start again
        }
    }

    private static Object fileKey(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return key != null ? key : file; // no file keys (Windows): a locked file cannot be deleted there anyway
    }

    /** Deletes the lock file, then releases the lock. */
    @Override
    public void close() throws IOException {
        try {
            Files.deleteIfExists(file);
        } finally {
            try {
                channel.close(); // releases the lock
            } finally {
                HELD.remove(file);
            }
        }
    }
}
