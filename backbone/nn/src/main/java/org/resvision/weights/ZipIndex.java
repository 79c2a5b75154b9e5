package org.resvision.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entries of a zip file and where each one's data starts, read from the central directory
 * and the local headers ({@code java.util.zip} exposes no offsets), so that STORED entries can be
 * read straight from a memory map. Zip64 sizes and offsets are understood.
 *
 * <p>{@link #read} returns null for anything it does not handle (no end record, a split archive,
 * an implausible directory): the caller then uses {@code java.util.zip}, whose errors are the
 * reference. Damage this index finds in an otherwise well-formed directory (an entry whose local
 * header lies beyond the file, data running past the end or into the next entry) is reported as a
 * {@link WeightsFormatException} naming the file and the entry.
 */
final class ZipIndex {

    /** One central directory entry; {@code dataStart} is -1 until {@link #locate} resolves it. */
    static final class Entry {
        final String name;
        final int flags;
        final int method;
        final long compressedSize;
        final long size;
        final long localHeader;
        long dataStart = -1;

        Entry(String name, int flags, int method, long compressedSize, long size, long localHeader) {
            this.name = name;
            this.flags = flags;
            this.method = method;
            this.compressedSize = compressedSize;
            this.size = size;
            this.localHeader = localHeader;
        }

        /** Stored as is (no compression, no encryption): its bytes can be used in place. */
        boolean isPlainStored() {
            return method == 0 && (flags & 1) == 0 && compressedSize == size;
        }
    }

    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CEN = 0x02014b50;
    private static final int LOC = 0x04034b50;
    private static final long MAX_DIRECTORY = 256L << 20;

    /** Entries in central directory order. */
    final List<Entry> entries;
    /** The central directory's offset: every entry's data ends before it. */
    final long directoryStart;
    final long fileSize;
    private final Map<String, Entry> byName;

    private ZipIndex(List<Entry> entries, long directoryStart, long fileSize) {
        this.entries = entries;
        this.directoryStart = directoryStart;
        this.fileSize = fileSize;
        this.byName = new HashMap<>();
        for (Entry e : entries) {
            byName.putIfAbsent(e.name, e);
        }
    }

    Entry get(String name) {
        return byName.get(name);
    }

    /** True when two entries share a name (java.util.zip then decides which one is read). */
    boolean hasDuplicateNames() {
        return byName.size() != entries.size();
    }

    /** The index of {@code ch}'s zip, or null where this reader leaves the file to java.util.zip. */
    static ZipIndex read(FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 22) {
            return null;
        }
        int tailLength = (int) Math.min(size, 22 + 0xffff);
        ByteBuffer tail = readAt(ch, size - tailLength, tailLength);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--) {
            if (tail.getInt(i) == EOCD && i + 22 + (tail.getShort(i + 20) & 0xffff) == tailLength) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            return null;
        }
        int disk = tail.getShort(eocd + 4) & 0xffff;
        int directoryDisk = tail.getShort(eocd + 6) & 0xffff;
        long count = tail.getShort(eocd + 10) & 0xffff;
        long directorySize = tail.getInt(eocd + 12) & 0xffffffffL;
        long directoryStart = tail.getInt(eocd + 16) & 0xffffffffL;
        if (count == 0xffff || directorySize == 0xffffffffL || directoryStart == 0xffffffffL
                || disk == 0xffff || directoryDisk == 0xffff) {
            long locatorAt = size - tailLength + eocd - 20;
            if (locatorAt < 0) {
                return null;
            }
            ByteBuffer locator = readAt(ch, locatorAt, 20);
            if (locator.getInt(0) != ZIP64_LOCATOR) {
                return null;
            }
            long at = locator.getLong(8);
            if (at < 0 || at > locatorAt - 56) {
                return null;
            }
            ByteBuffer z = readAt(ch, at, 56);
            if (z.getInt(0) != ZIP64_EOCD) {
                return null;
            }
            disk = z.getInt(16);
            directoryDisk = z.getInt(20);
            count = z.getLong(32);
            directorySize = z.getLong(40);
            directoryStart = z.getLong(48);
        }
        if (disk != 0 || directoryDisk != 0 || directorySize < 0 || directorySize > MAX_DIRECTORY
                || directoryStart < 0 || directoryStart + directorySize > size || count < 0 || count > directorySize / 46) {
            return null;
        }
        ByteBuffer cen = readAt(ch, directoryStart, (int) directorySize);
        List<Entry> entries = new ArrayList<>((int) count);
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > cen.limit() || cen.getInt(p) != CEN) {
                return null;
            }
            int flags = cen.getShort(p + 8) & 0xffff;
            int method = cen.getShort(p + 10) & 0xffff;
            long csize = cen.getInt(p + 20) & 0xffffffffL;
            long usize = cen.getInt(p + 24) & 0xffffffffL;
            int nameLength = cen.getShort(p + 28) & 0xffff;
            int extraLength = cen.getShort(p + 30) & 0xffff;
            int commentLength = cen.getShort(p + 32) & 0xffff;
            int startDisk = cen.getShort(p + 34) & 0xffff;
            long local = cen.getInt(p + 42) & 0xffffffffL;
            int next = p + 46 + nameLength + extraLength + commentLength;
            if (next > cen.limit()) {
                return null;
            }
            byte[] name = new byte[nameLength];
            cen.get(p + 46, name);
            // zip64 extra field: the saturated fields, in this order
            int x = p + 46 + nameLength;
            int end = x + extraLength;
            while (x + 4 <= end) {
                int id = cen.getShort(x) & 0xffff;
                int length = cen.getShort(x + 2) & 0xffff;
                int q = x + 4;
                if (q + length > end) {
                    return null;
                }
                if (id == 1) {
                    if (usize == 0xffffffffL) {
                        if (q + 8 > x + 4 + length) {
                            return null;
                        }
                        usize = cen.getLong(q);
                        q += 8;
                    }
                    if (csize == 0xffffffffL) {
                        if (q + 8 > x + 4 + length) {
                            return null;
                        }
                        csize = cen.getLong(q);
                        q += 8;
                    }
                    if (local == 0xffffffffL) {
                        if (q + 8 > x + 4 + length) {
                            return null;
                        }
                        local = cen.getLong(q);
                        q += 8;
                    }
                    if (startDisk == 0xffff) {
                        if (q + 4 > x + 4 + length) {
                            return null;
                        }
                        startDisk = cen.getInt(q);
                    }
                }
                x += 4 + length;
            }
            if (startDisk != 0 || usize < 0 || csize < 0) {
                return null;
            }
            // the name as java.util.zip decodes it (UTF-8; zip64-era writers set bit 11)
            entries.add(new Entry(new String(name, StandardCharsets.UTF_8), flags, method, csize, usize, local));
            p = next;
        }
        return new ZipIndex(entries, directoryStart, size);
    }

    /**
     * Resolves where {@code e}'s data starts from its local header, refusing one that lies beyond
     * the file, is not a local header, or whose data would run past the end of the file, into the
     * central directory, or into the entry after it.
     */
    void locate(FileChannel ch, Entry e, Path file) throws IOException {
        if (e.dataStart >= 0) {
            return;
        }
        if (e.localHeader < 0 || e.localHeader > fileSize - 30) {
            throw new WeightsFormatException(file, "zip entry " + e.name + ": its local header offset " + e.localHeader
                    + " is beyond the end of the file (" + fileSize + " bytes): corrupt or truncated zip");
        }
        ByteBuffer loc = readAt(ch, e.localHeader, 30);
        if (loc.getInt(0) != LOC) {
            throw new WeightsFormatException(file, "zip entry " + e.name + ": no local header at offset " + e.localHeader
                    + ": corrupt zip");
        }
        long start = e.localHeader + 30 + (loc.getShort(26) & 0xffff) + (loc.getShort(28) & 0xffff);
        long end = start + e.compressedSize;
        if (end > fileSize) {
            throw new WeightsFormatException(file, "zip entry " + e.name + " is truncated ("
                    + Math.max(0, fileSize - start) + " of " + e.compressedSize + " bytes)");
        }
        long limit = directoryStart;
        for (Entry other : entries) {
            if (other.localHeader > e.localHeader && other.localHeader < limit) {
                limit = other.localHeader;
            }
        }
        if (end > limit && limit == directoryStart) {
            throw new WeightsFormatException(file, "zip entry " + e.name + " is truncated: its " + e.compressedSize
                    + " bytes at offset " + start + " run into the central directory at offset " + directoryStart);
        }
        if (end > limit) {
            throw new WeightsFormatException(file, "zip entry " + e.name + " (" + e.compressedSize + " bytes at offset " + start
                    + ") overlaps the next entry at offset " + limit + ": the central directory lies about its size (corrupt zip)");
        }
        e.dataStart = start;
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new java.io.EOFException();
            }
        }
        return b.flip();
    }
}
