package org.resvision.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads {@code torch.save(state_dict)} files without Python: the zip format of torch >= 1.6
 * ({@code <archive>/data.pkl} + raw storages {@code <archive>/data/<key>}) and the legacy
 * stream format (magic, protocol, sys-info and state-dict pickles, then the storages).
 */
final class TorchCheckpoint {

    /** Keys under which training checkpoints commonly wrap the state dict. */
    static final List<String> WRAPPER_KEYS = List.of("state_dict", "model", "model_state_dict", "module");

    private static final java.math.BigInteger LEGACY_MAGIC = new java.math.BigInteger("1950a86a20f9469cfc6c", 16);

    private TorchCheckpoint() {}

    static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    /**
     * A legacy {@code torch.save} file starts with the pickled magic number: PROTO 2, then LONG1
     * of 10 bytes ({@code 80 02 8a 0a}). Read as a safetensors header length that would be 176
     * MB, so the two formats cannot be confused.
     */
    static boolean isLegacyPickle(byte[] head) {
        return head.length >= 4 && (head[0] & 0xff) == 0x80 && head[1] == 2 && (head[2] & 0xff) == 0x8a && head[3] == 10;
    }

    /**
     * Reads a zip {@code torch.save} file: its STORED entries (all that torch writes) located by
     * {@link ZipIndex} and copied once into libtorch per tensor ({@link #readZipDirect});
     * anything else (compressed entries, zips that index does not handle) through {@link
     * #readZipStreaming}.
     */
    static StateDict readZip(Path file, NDManager manager) throws IOException {
        StateDict direct = readZipDirect(file, manager);
        return direct != null ? direct : readZipStreaming(file, manager);
    }

    /**
     * The direct reader, or null where the file is one for {@link #readZipStreaming}. Contiguous
     * float32/int tensors (nearly all of a checkpoint) are read from the file straight into their
     * libtorch memory ({@link #prepareDirect}, {@link #readAll}); the others (strided views,
     * float16/bfloat16, which widen) are built from their storage read whole into scratch memory,
     * freed once its last tensor is built. Nothing is memory-mapped.
     */
    static StateDict readZipDirect(Path file, NDManager manager) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ZipIndex zip = ZipIndex.read(ch);
            if (zip == null || zip.hasDuplicateNames()) {
                return null;
            }
            ZipIndex.Entry pkl = null;
            for (ZipIndex.Entry e : zip.entries) {
                String n = e.name.replace('\\', '/');
                if (n.startsWith("/") || n.equals("..") || n.startsWith("../") || n.contains("/../") || n.endsWith("/..")) {
                    throw new WeightsFormatException(file, "zip entry '" + e.name + "' points outside the archive: not a torch.save file");
                }
                if (pkl == null && (e.name.equals("data.pkl") || e.name.endsWith("/data.pkl"))) {
                    pkl = e;
                }
            }
            if (pkl == null) {
                throw new WeightsFormatException(file, "a zip without data.pkl: not a torch.save file");
            }
            if (!pkl.isPlainStored() || pkl.size > Integer.MAX_VALUE) {
                return null;
            }
            String prefix = pkl.name.substring(0, pkl.name.length() - "data.pkl".length());
            Map<String, ZipIndex.Entry> storages = new HashMap<>();
            Map<String, Integer> users = new HashMap<>();
            zip.locate(ch, pkl, file);
            ByteBuffer pickle = ByteBuffer.allocate((int) pkl.size);
            while (pickle.hasRemaining() && ch.read(pickle, pkl.dataStart + pickle.position()) >= 0) {
                // positional reads until full; the index checked that the entry lies in the file
            }
            Object root = Unpickler.load(pickle.flip());
            Map<String, Unpickler.TensorRef> refs = tensorRefs(file, root);
            for (Map.Entry<String, Unpickler.TensorRef> e : refs.entrySet()) {
                String key = e.getValue().storage().key();
                ZipIndex.Entry entry = zip.get(prefix + "data/" + key);
                if (entry == null) {
                    throw new WeightsFormatException(file, "storage record data/" + key + " of '" + e.getKey() + "' is missing");
                }
                if (!entry.isPlainStored() || entry.size > Integer.MAX_VALUE) {
                    return null; // compressed (not torch.save's own output) or beyond one buffer
                }
                storages.put(key, entry);
                users.merge(key, 1, Integer::sum);
            }
            // storages of the other tensors (strided views, float16) are read whole into libtorch
            // scratch memory (not mapped: a file cut short by another process while mapped would
            // fault in native code) and freed once their last tensor is built
            Map<String, NDArray> loaded = new HashMap<>();
            List<PendingRead> reads = new ArrayList<>();
            StateDict out = new StateDict();
            try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
                for (Map.Entry<String, Unpickler.TensorRef> e : refs.entrySet()) {
                    String key = e.getValue().storage().key();
                    ZipIndex.Entry entry = storages.get(key);
                    zip.locate(ch, entry, file);
                    NDArray direct = prepareDirect(file, manager, e.getKey(), e.getValue(), entry, reads);
                    if (direct != null) {
                        out.put(e.getKey(), direct);
                    } else {
                        if (!loaded.containsKey(key)) {
                            loaded.put(key, readStored(ch, entry, file, scratch));
                        }
                        NDArray holder = loaded.get(key);
                        ByteBuffer data = (holder == null ? ByteBuffer.allocate(0) : holder.toByteBuffer(true)).order(ByteOrder.LITTLE_ENDIAN);
                        out.put(e.getKey(), tensor(file, manager, e.getKey(), e.getValue(), data));
                    }
                    if (users.merge(key, -1, Integer::sum) == 0) {
                        NDArray done = loaded.remove(key);
                        if (done != null) {
                            done.close();
                        }
                    }
                }
            }
            readAll(ch, file, reads);
            return out;
        }
    }

    /** A STORED entry's bytes in a libtorch uint8 array (null when empty), by positional reads. */
    private static NDArray readStored(FileChannel ch, ZipIndex.Entry entry, Path file, NDManager scratch) throws IOException {
        if (entry.size == 0) {
            return null;
        }
        NDArray holder = scratch.create(new Shape(entry.size), DataType.UINT8);
        ByteBuffer dest = holder.toByteBuffer(true);
        while (dest.hasRemaining()) {
            if (ch.read(dest, entry.dataStart + dest.position()) < 0) {
                throw new WeightsFormatException(file, "truncated: storage record " + entry.name + " ends early");
            }
        }
        return holder;
    }

    /** The reader of java.util.zip, streaming each storage into libtorch memory. */
    static StateDict readZipStreaming(Path file, NDManager manager) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry pkl = null;
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                String n = e.getName().replace('\\', '/');
                if (n.startsWith("/") || n.equals("..") || n.startsWith("../") || n.contains("/../") || n.endsWith("/..")) {
                    // never extracted, but no torch.save file has one: a crafted archive
                    throw new WeightsFormatException(file, "zip entry '" + e.getName() + "' points outside the archive: not a torch.save file");
                }
                if (pkl != null) {
                    continue;
                }
                if (e.getName().equals("data.pkl") || e.getName().endsWith("/data.pkl")) {
                    pkl = e;
                }
            }
            if (pkl == null) {
                throw new WeightsFormatException(file, "a zip without data.pkl: not a torch.save file");
            }
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            Object root = Unpickler.load(ByteBuffer.wrap(readEntry(zip, pkl, file)));
            Map<String, Unpickler.TensorRef> refs = tensorRefs(file, root);
            // a storage is read into libtorch memory (not the Java heap, whose pages would stay
            // resident) and freed once its last tensor is built: about one storage at a time
            Map<String, NDArray> loaded = new HashMap<>(); // storage key -> its bytes (null: empty)
            Map<String, Integer> users = new HashMap<>();
            refs.values().forEach(r -> users.merge(r.storage().key(), 1, Integer::sum));
            StateDict out = new StateDict();
            try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
                for (Map.Entry<String, Unpickler.TensorRef> e : refs.entrySet()) {
                    Unpickler.StorageRef s = e.getValue().storage();
                    if (!loaded.containsKey(s.key())) {
                        ZipEntry entry = zip.getEntry(prefix + "data/" + s.key());
                        if (entry == null) {
                            throw new WeightsFormatException(file, "storage record data/" + s.key() + " of '" + e.getKey() + "' is missing");
                        }
                        loaded.put(s.key(), readStorage(zip, entry, file, scratch));
                    }
                    NDArray holder = loaded.get(s.key());
                    ByteBuffer data = (holder == null ? ByteBuffer.allocate(0) : holder.toByteBuffer(true)).order(ByteOrder.LITTLE_ENDIAN);
                    out.put(e.getKey(), tensor(file, manager, e.getKey(), e.getValue(), data));
                    if (users.merge(s.key(), -1, Integer::sum) == 0) {
                        NDArray done = loaded.remove(s.key());
                        if (done != null) {
                            done.close();
                        }
                    }
                }
            }
            return out;
        } catch (ZipException e) {
            throw new WeightsFormatException(file, "corrupt or truncated zip (" + e.getMessage() + ")");
        }
    }

    /** Reads a legacy {@code torch.save} file, whole, into the heap (the tensors then own copies of their bytes). */
    static StateDict readLegacy(Path file, NDManager manager) throws IOException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 8) {
            throw new WeightsFormatException(file, "a legacy torch.save file of " + size + " bytes: over 2 GB is not supported (re-save it with torch >= 1.6)");
        }
        return readLegacy(file, manager, ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN));
    }

    private static StateDict readLegacy(Path file, NDManager manager, ByteBuffer in) throws IOException {
        try {
            Object magic = Unpickler.load(in);
            if (!LEGACY_MAGIC.equals(magic)) {
                throw new WeightsFormatException(file, "a pickle, but not a torch.save file (no torch magic number)");
            }
            Unpickler.load(in); // protocol version
            Unpickler.load(in); // sys info
            Object root = Unpickler.load(in);
            Object keys = Unpickler.load(in);
            Map<String, Unpickler.TensorRef> refs = tensorRefs(file, root);
            Map<String, ByteBuffer> storages = new HashMap<>();
            for (Object k : (List<?>) keys) {
                long numel = in.getLong();
                String dtype = dtypeOf(refs, String.valueOf(k));
                int bytes = Math.toIntExact(numel * (dtype == null ? 1 : TensorData.elementSize(dtype)));
                if (dtype == null) {
                    in.position(in.position() + bytes); // a storage no tensor of the dict uses
                    continue;
                }
                ByteBuffer slice = in.slice().order(ByteOrder.LITTLE_ENDIAN);
                slice.limit(bytes);
                storages.put(String.valueOf(k), slice);
                in.position(in.position() + bytes);
            }
            StateDict out = new StateDict();
            for (Map.Entry<String, Unpickler.TensorRef> e : refs.entrySet()) {
                ByteBuffer data = storages.get(e.getValue().storage().key());
                if (data == null) {
                    throw new WeightsFormatException(file, "storage " + e.getValue().storage().key() + " of '" + e.getKey() + "' is missing");
                }
                out.put(e.getKey(), tensor(file, manager, e.getKey(), e.getValue(), data));
            }
            return out;
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException | ArithmeticException e) {
            throw new WeightsFormatException(file, "truncated legacy torch.save file");
        }
    }

    private static String dtypeOf(Map<String, Unpickler.TensorRef> refs, String key) {
        for (Unpickler.TensorRef r : refs.values()) {
            if (r.storage().key().equals(key)) {
                return r.storage().dtype();
            }
        }
        return null;
    }

    /** The name -> tensor map of a state dict, unwrapping {"state_dict": ...}-style checkpoints. */
    private static Map<String, Unpickler.TensorRef> tensorRefs(Path file, Object root) throws IOException {
        if (!(root instanceof Map<?, ?> map)) {
            throw new WeightsFormatException(file, "not a state dict: the pickle holds a " + describe(root));
        }
        if (!map.isEmpty() && !(map.values().iterator().next() instanceof Unpickler.TensorRef)) {
            for (String key : WRAPPER_KEYS) {
                if (map.get(key) instanceof Map<?, ?> inner && !inner.isEmpty()
                        && inner.values().iterator().next() instanceof Unpickler.TensorRef) {
                    map = inner;
                    break;
                }
            }
        }
        Map<String, Unpickler.TensorRef> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw new WeightsFormatException(file, "not a state dict: key " + e.getKey() + " is not a string");
            }
            if (!(e.getValue() instanceof Unpickler.TensorRef ref)) {
                throw new WeightsFormatException(file, "not a state dict: '" + name + "' is a " + describe(e.getValue())
                        + " (expected a tensor; wrapped checkpoints are read from one of " + WRAPPER_KEYS + ")");
            }
            out.put(name, ref);
        }
        return out;
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Unpickler.Tuple) {
            return "tuple";
        }
        if (o instanceof List) {
            return "list";
        }
        if (o instanceof Map) {
            return "dict";
        }
        return o.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private static ai.djl.ndarray.NDArray tensor(
            Path file, NDManager manager, String name, Unpickler.TensorRef ref, ByteBuffer storage) throws WeightsFormatException {
        checkBounds(file, name, ref, storage.limit());
        return TensorData.create(manager, storage, ref.storage().dtype(), ref.offset(), ref.size(), ref.stride());
    }

    /**
     * Refuses a tensor whose shape is too large for one buffer or whose size/stride/offset reach
     * beyond its storage of {@code storageBytes} bytes.
     */
    private static void checkBounds(Path file, String name, Unpickler.TensorRef ref, long storageBytes) throws WeightsFormatException {
        int es = TensorData.elementSize(ref.storage().dtype());
        TensorData.elements(file, name, ref.size(), es);
        long last = ref.offset();
        for (int d = 0; d < ref.size().length; d++) {
            if (ref.size()[d] == 0) {
                last = -1;
                break;
            }
            try {
                last = Math.addExact(last, Math.multiplyExact(ref.size()[d] - 1, ref.stride()[d]));
            } catch (ArithmeticException e) {
                last = Long.MAX_VALUE / 16; // beyond any storage: refused below
                break;
            }
        }
        if (last < -1 || ref.offset() < 0 || (last + 1) * es > storageBytes) {
            throw new WeightsFormatException(file, "storage of '" + name + "' holds " + storageBytes / es
                    + " elements, its size/stride need " + (last + 1));
        }
    }

    /** Bytes of the file to copy into a tensor's libtorch memory. */
    private record PendingRead(ByteBuffer dest, long at, ZipIndex.Entry entry) {}

    /** Pieces at most this large, so that the reading threads share even one big tensor. */
    private static final int READ_PIECE = 4 << 20;

    /**
     * A contiguous tensor of a type libtorch keeps as is (not float16/bfloat16, which widen), on
     * the CPU: an uninitialised array whose bytes are queued on {@code reads}, to be read from the
     * file straight into its libtorch memory (one copy, no mapping); null for any other tensor
     * (built from the mapped storage instead).
     */
    private static NDArray prepareDirect(Path file, NDManager manager, String name, Unpickler.TensorRef ref,
            ZipIndex.Entry entry, List<PendingRead> reads) throws IOException {
        String dtype = ref.storage().dtype();
        if (dtype.equals("F16") || dtype.equals("BF16") || !manager.getDevice().equals(Device.cpu())
                || !TensorData.isContiguous(ref.size(), ref.stride())) {
            return null;
        }
        checkBounds(file, name, ref, entry.size);
        int es = TensorData.elementSize(dtype);
        long bytes = TensorData.elements(file, name, ref.size(), es) * es;
        if (bytes == 0) {
            return null;
        }
        NDArray array = manager.create(new Shape(ref.size()), TensorData.loadedType(dtype));
        ByteBuffer dest = array.toByteBuffer(true);
        if (!dest.isDirect() || dest.remaining() != bytes) {
            array.close();
            return null;
        }
        long at = entry.dataStart + ref.offset() * es;
        for (long p = 0; p < bytes; p += READ_PIECE) {
            ByteBuffer piece = dest.duplicate();
            piece.position((int) p).limit((int) Math.min(bytes, p + READ_PIECE));
            reads.add(new PendingRead(piece.slice(), at + p, entry));
        }
        return array;
    }

    /**
     * Performs {@code reads}, on up to 4 threads (the calling one and helpers): filling fresh
     * memory is bound by page faults, which threads take in parallel.
     */
    private static void readAll(FileChannel ch, Path file, List<PendingRead> reads) throws IOException {
        int threads = Math.min(Math.min(Runtime.getRuntime().availableProcessors(), 4), reads.size());
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable worker = () -> {
            for (int i; failure.get() == null && (i = next.getAndIncrement()) < reads.size(); ) {
                PendingRead r = reads.get(i);
                try {
                    ByteBuffer dest = r.dest();
                    while (dest.hasRemaining()) {
                        if (ch.read(dest, r.at() + dest.position()) < 0) {
                            throw new WeightsFormatException(file, "zip entry " + r.entry().name + " is truncated (the file changed while read)");
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }
        };
        List<Thread> helpers = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            Thread h = new Thread(worker, "pth-read-" + t);
            h.setDaemon(true);
            h.start();
            helpers.add(h);
        }
        worker.run();
        boolean interrupted = false;
        for (Thread h : helpers) {
            while (true) {
                try {
                    h.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable f = failure.get();
        if (f instanceof IOException e) {
            throw e;
        }
        if (f instanceof RuntimeException e) {
            throw e;
        }
        if (f instanceof Error e) {
            throw e;
        }
    }

    /**
     * A storage record's bytes in a libtorch uint8 array (null when empty), streamed through a
     * small buffer: the Java heap never holds a whole storage.
     */
    private static NDArray readStorage(ZipFile zip, ZipEntry entry, Path file, NDManager scratch) throws IOException {
        long size = entry.getSize(); // known: ZipFile reads it from the central directory
        if (size <= 0) {
            return null;
        }
        NDArray holder = scratch.create(new Shape(size), DataType.UINT8);
        ByteBuffer dest = holder.toByteBuffer(true);
        byte[] chunk = new byte[(int) Math.min(size, 1 << 20)];
        try (InputStream in = zip.getInputStream(entry)) {
            int n;
            while (dest.hasRemaining() && (n = in.read(chunk, 0, Math.min(chunk.length, dest.remaining()))) > 0) {
                dest.put(chunk, 0, n);
            }
            if (dest.hasRemaining()) {
                throw new WeightsFormatException(file, "zip entry " + entry.getName() + " is truncated (" + dest.position() + " of " + size + " bytes)");
            }
        } catch (ZipException | java.io.EOFException e) {
            holder.close();
            throw new WeightsFormatException(file, "zip entry " + entry.getName() + " is corrupt or truncated");
        } catch (IOException | RuntimeException e) {
            holder.close();
            throw e;
        }
        return holder;
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry entry, Path file) throws IOException {
        try (InputStream in = zip.getInputStream(entry)) {
            return in.readAllBytes();
        } catch (ZipException | java.io.EOFException e) {
            throw new WeightsFormatException(file, "zip entry " + entry.getName() + " is corrupt or truncated");
        }
    }
}
