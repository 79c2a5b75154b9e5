package org.resvision.nn;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives oneDNN (inside libtorch) sane cache sizes on a CPU that reports none: the mend for {@link
 * CpuQuirks}' fault.
 *
 * <p>oneDNN keeps what cpuid said of the CPU in one object, {@code dnnl::impl::cpu::x64::cpu()::cpu_}
 * (an {@code Xbyak::util::Cpu}, made at the first convolution). On an AMD CPU whose cpuid leaf
 * 0x8000001D lists no caches it holds three cache levels of 1 byte each, and every convolution
 * kernel is blocked for a 1-byte L1: slow, and for some 1x1 shapes wrong or a division by zero.
 * When the object holds exactly that, {@link #mend} writes oneDNN's own defaults for a CPU whose
 * caches are unknown (32 KiB L1, 512 KiB L2, 1 MiB L3 per core, {@code
 * platform::get_per_core_cache_size}'s guesses) into it, through {@code /proc/self/mem}, before
 * any kernel of ours is made. The object is found by its symbol in libtorch_cpu.so's symbol table;
 * its layout (xbyak 7: {@code dataCacheSize_[10]} at byte 0x1c, {@code coresSharingDataCache_[10]}
 * at 0x44, {@code dataCacheLevels_} at 0x6c, 0x90 bytes in all) is checked against the symbol's
 * size and the values read, and nothing is written unless both are what this class expects.
 */
final class OneDnnCaches {

    static final String CPU_SYMBOL = "_ZZN4dnnl4impl3cpu3x643cpuEvE4cpu_";
    static final String GUARD_SYMBOL = "_ZGVZN4dnnl4impl3cpu3x643cpuEvE4cpu_";
    static final int CPU_OBJECT_SIZE = 0x90;
    static final int CACHE_SIZES = 0x1c;
    static final int CORES_SHARING = 0x44;
    static final int CACHE_LEVELS = 0x6c;
    private static final int MAX_LEVELS = 10;
    /** oneDNN's per-core guesses where the CPU reports no caches (platform.cpp). */
    static final int[] DEFAULT_SIZES = {32 * 1024, 512 * 1024, 1024 * 1024};

    private OneDnnCaches() {}

    /** What {@link #mend} did, in words for a log line. */
    record Outcome(boolean mended, String detail) {}

    /**
     * Mends oneDNN's cache sizes in this process if they are the fault's. Call it after one small
     * convolution (oneDNN makes its CPU object there) and before any other.
     *
     * @return whether the sizes are now oneDNN's defaults, and why not where they are not
     */
    static Outcome mend() {
        try {
            List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
            String library = libraryPath(maps, "libtorch_cpu.so");
            if (library == null) {
                return new Outcome(false, "libtorch_cpu.so is not loaded");
            }
            Path file = Path.of(library);
            Map<String, long[]> symbols = symbols(file, Set.of(CPU_SYMBOL, GUARD_SYMBOL));
            long[] cpu = symbols.get(CPU_SYMBOL);
            long[] guard = symbols.get(GUARD_SYMBOL);
            if (cpu == null || guard == null) {
                return new Outcome(false, file + " has no symbol table entry for oneDNN's CPU object");
            }
            if (cpu[1] != CPU_OBJECT_SIZE) {
                return new Outcome(false, "oneDNN's CPU object in " + file + " is " + cpu[1] + " bytes, not the "
                        + CPU_OBJECT_SIZE + " this mend knows");
            }
            long base = loadBase(maps, library, firstLoadAddress(file));
            try (RandomAccessFile mem = new RandomAccessFile("/proc/self/mem", "rw")) {
                if (read(mem, base + guard[0], 1)[0] == 0) {
                    return new Outcome(false, "oneDNN has not made its CPU object yet");
                }
                byte[] object = read(mem, base + cpu[0], CPU_OBJECT_SIZE);
                byte[] mended = mended(object);
                if (mended == null) {
                    return new Outcome(false, "oneDNN's cache sizes are not the fault's: " + describe(object));
                }
                mem.seek(base + cpu[0]);
                mem.write(mended);
                return new Outcome(true, "oneDNN's cache sizes were " + describe(object) + ", now " + describe(mended));
            }
        } catch (IOException | RuntimeException e) {
            return new Outcome(false, "cannot mend oneDNN's cache sizes: " + e);
        }
    }

    /**
     * The CPU object with oneDNN's default cache sizes, or null when {@code object} is not the fault's
     * (every listed level under 64 bytes, 1 to 10 levels, a plausible count of cores sharing each).
     */
    static byte[] mended(byte[] object) {
        ByteBuffer b = ByteBuffer.wrap(object.clone()).order(ByteOrder.LITTLE_ENDIAN);
        int levels = b.getInt(CACHE_LEVELS);
        if (levels < 1 || levels > MAX_LEVELS) {
            return null;
        }
        for (int i = 0; i < levels; i++) {
            int size = b.getInt(CACHE_SIZES + 4 * i);
            int sharing = b.getInt(CORES_SHARING + 4 * i);
            if (size < 0 || size >= 64 || sharing < 1 || sharing > 4096) {
                return null;
            }
        }
        for (int i = 0; i < MAX_LEVELS; i++) {
            boolean listed = i < DEFAULT_SIZES.length;
            b.putInt(CACHE_SIZES + 4 * i, listed ? DEFAULT_SIZES[i] : 0);
            b.putInt(CORES_SHARING + 4 * i, listed ? 1 : 0);
        }
        b.putInt(CACHE_LEVELS, DEFAULT_SIZES.length);
        return b.array();
    }

    /** "L1 1 B, L2 1 B, L3 1 B" for a CPU object's cache levels (per core). */
    static String describe(byte[] object) {
        ByteBuffer b = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        int levels = Math.min(Math.max(b.getInt(CACHE_LEVELS), 0), MAX_LEVELS);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < levels; i++) {
            int size = b.getInt(CACHE_SIZES + 4 * i);
            int sharing = Math.max(1, b.getInt(CORES_SHARING + 4 * i));
            s.append(i == 0 ? "" : ", ").append('L').append(i + 1).append(' ').append(bytes(size / sharing));
        }
        return levels == 0 ? "no levels" : s.toString();
    }

    private static String bytes(long n) {
        return n >= 1024 && n % 1024 == 0 ? n / 1024 + " KiB" : n + " B";
    }

    /** The file of the first mapping in {@code /proc/self/maps} whose path ends with {@code /name}. */
    static String libraryPath(List<String> maps, String name) {
        for (String line : maps) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length == 6 && f[5].endsWith("/" + name)) {
                return f[5];
            }
        }
        return null;
    }

    /**
     * Where {@code library} is loaded: the start of its mapping at file offset 0, less the address
     * its ELF header gives that segment ({@code firstLoad}, 0 for a shared library).
     */
    static long loadBase(List<String> maps, String library, long firstLoad) {
        for (String line : maps) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length == 6 && f[5].equals(library) && Long.parseUnsignedLong(f[2], 16) == 0) {
                return Long.parseUnsignedLong(f[0].substring(0, f[0].indexOf('-')), 16) - (firstLoad & ~0xfffL);
            }
        }
        throw new IllegalStateException("no mapping of " + library + " at offset 0 in /proc/self/maps");
    }

    /** The virtual address of the ELF file's loadable segment at file offset 0. */
    static long firstLoadAddress(Path elf) throws IOException {
        try (FileChannel ch = FileChannel.open(elf, StandardOpenOption.READ)) {
            ByteBuffer h = header(ch, elf);
            long phoff = h.getLong(0x20);
            int phentsize = Short.toUnsignedInt(h.getShort(0x36));
            int phnum = Short.toUnsignedInt(h.getShort(0x38));
            ByteBuffer ph = read(ch, phoff, (long) phentsize * phnum);
            for (int i = 0; i < phnum; i++) {
                int at = i * phentsize;
                if (ph.getInt(at) == 1 && ph.getLong(at + 8) == 0) { // PT_LOAD at offset 0
                    return ph.getLong(at + 16);
                }
            }
            return 0;
        }
    }

    /**
     * The value (address relative to the load base) and size of each of {@code names} found in the
     * ELF64 file's {@code .symtab} (a file without one yields an empty map).
     */
    static Map<String, long[]> symbols(Path elf, Set<String> names) throws IOException {
        Map<String, long[]> found = new HashMap<>();
        List<byte[]> wanted = names.stream().map(n -> n.getBytes(StandardCharsets.US_ASCII)).toList();
        try (FileChannel ch = FileChannel.open(elf, StandardOpenOption.READ)) {
            ByteBuffer h = header(ch, elf);
            long shoff = h.getLong(0x28);
            int shentsize = Short.toUnsignedInt(h.getShort(0x3A));
            int shnum = Short.toUnsignedInt(h.getShort(0x3C));
            ByteBuffer sh = read(ch, shoff, (long) shentsize * shnum);
            for (int i = 0; i < shnum; i++) {
                int at = i * shentsize;
                if (sh.getInt(at + 4) != 2) { // SHT_SYMTAB
                    continue;
                }
                long symOff = sh.getLong(at + 0x18);
                long symSize = sh.getLong(at + 0x20);
                int link = sh.getInt(at + 0x28);
                int strAt = link * shentsize;
                MappedByteBuffer syms = ch.map(FileChannel.MapMode.READ_ONLY, symOff, symSize);
                syms.order(ByteOrder.LITTLE_ENDIAN);
                MappedByteBuffer strs = ch.map(FileChannel.MapMode.READ_ONLY, sh.getLong(strAt + 0x18), sh.getLong(strAt + 0x20));
                for (long s = 0; s + 24 <= symSize; s += 24) {
                    int p = (int) s;
                    if ((syms.get(p + 4) & 0xf) != 1) { // STT_OBJECT
                        continue;
                    }
                    long size = syms.getLong(p + 16);
                    if (size != CPU_OBJECT_SIZE && size != 8) {
                        continue; // most symbols; their names are not read
                    }
                    int name = syms.getInt(p);
                    for (byte[] w : wanted) {
                        if (matches(strs, name, w)) {
                            found.put(new String(w, StandardCharsets.US_ASCII), new long[] {syms.getLong(p + 8), size});
                        }
                    }
                }
            }
        }
        return found;
    }

    private static boolean matches(ByteBuffer strs, int at, byte[] name) {
        if (at < 0 || at + name.length >= strs.limit()) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (strs.get(at + i) != name[i]) {
                return false;
            }
        }
        return strs.get(at + name.length) == 0;
    }

    private static ByteBuffer header(FileChannel ch, Path elf) throws IOException {
        ByteBuffer h = read(ch, 0, 64);
        if (h.getInt(0) != 0x464c457f || h.get(4) != 2 || h.get(5) != 1) {
            throw new IOException(elf + " is not a little-endian 64-bit ELF file");
        }
        return h;
    }

    private static ByteBuffer read(FileChannel ch, long at, long n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n)).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException("ELF file ends before byte " + (at + n));
            }
        }
        return b.flip();
    }

    private static byte[] read(RandomAccessFile mem, long address, int n) throws IOException {
        byte[] b = new byte[n];
        mem.seek(address);
        mem.readFully(b);
        return b;
    }
}
