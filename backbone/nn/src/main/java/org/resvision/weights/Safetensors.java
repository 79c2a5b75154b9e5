package org.resvision.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header {@code {name:
 * {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the data block.
 */
final class Safetensors {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    static StateDict read(Path file, NDManager manager) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw new WeightsFormatException(file, "too short for a safetensors file (" + fileSize + " bytes)");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > fileSize) {
                throw new WeightsFormatException(file, "not a safetensors or torch file (header length " + headerLen
                        + " does not fit a file of " + fileSize + " bytes)");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBuf.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new WeightsFormatException(file, "safetensors header is not valid JSON: " + e.getOriginalMessage());
            }
            if (header == null || !header.isObject()) {
                throw new WeightsFormatException(file, "safetensors header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataSize = fileSize - dataStart;
            StateDict out = new StateDict();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().fields().forEachRemaining(m -> out.metadata().put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                JsonNode t = e.getValue();
                String dtype = t.path("dtype").asText("");
                JsonNode shapeNode = t.get("shape");
                JsonNode offsets = t.get("data_offsets");
                if (shapeNode == null || offsets == null || offsets.size() != 2 || !shapeNode.isArray()) {
                    throw new WeightsFormatException(file, "tensor '" + e.getKey() + "' lacks shape or data_offsets");
                }
                int es;
                try {
                    es = TensorData.elementSize(dtype);
                } catch (IllegalArgumentException ex) {
                    throw new WeightsFormatException(file, "tensor '" + e.getKey() + "' has unsupported dtype '" + dtype + "'");
                }
                long[] shape = new long[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong(-1);
                    if (shape[i] < 0) {
                        throw new WeightsFormatException(file, "tensor '" + e.getKey() + "' has a negative dimension");
                    }
                }
                long count = TensorData.elements(file, e.getKey(), shape, es);
                long begin = offsets.get(0).asLong(-1);
                long end = offsets.get(1).asLong(-1);
                if (begin < 0 || end < begin || end > dataSize) {
                    throw new WeightsFormatException(file, "tensor '" + e.getKey() + "' has data_offsets [" + begin + ", " + end
                            + "] outside the " + dataSize + "-byte data block (truncated file?)");
                }
                if (end - begin != count * es) {
                    throw new WeightsFormatException(file, "tensor '" + e.getKey() + "' has " + (end - begin)
                            + " bytes for " + count + " elements of " + dtype);
                }
                // one tensor's bytes at a time (on the Java heap, garbage once copied into libtorch):
                // the file is never held in memory as a whole
                ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(end - begin)).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, bytes, dataStart + begin);
                long[] stride = new long[shape.length];
                long s = 1;
                for (int i = shape.length - 1; i >= 0; i--) {
                    stride[i] = s;
                    s *= shape[i];
                }
                NDArray array = TensorData.create(manager, bytes, dtype, 0, shape, stride);
                array.setName(e.getKey());
                out.put(e.getKey(), array);
            }
            return out;
        }
    }

    static void write(Path file, StateDict dict, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : dict) {
            NDArray a = e.getValue();
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", TensorData.dtypeName(a.getDataType()));
            var shape = t.putArray("shape");
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            long bytes = a.size() * a.getDataType().getNumOfBytes();
            t.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] h = JSON.writeValueAsBytes(header);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(h);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // a unique sibling created like any other file (Files.createTempFile would make it 0600, ignoring the umask)
        Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
            writeFully(ch, head);
            for (Map.Entry<String, NDArray> e : dict) {
                // a view of libtorch's memory (a contiguous copy only for a strided tensor): no Java-heap copy,
                // whose pages would stay resident after every checkpoint
                writeFully(ch, e.getValue().toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN));
            }
            ch.force(false);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
        buf.flip();
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
