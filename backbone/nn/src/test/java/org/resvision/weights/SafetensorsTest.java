package org.resvision.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir Path dir;

    @Test
    void roundTripKeepsNamesOrderTypesValuesAndMetadata() throws Exception {
        Path file = dir.resolve("w.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict sd = new StateDict()
                    .put("b.weight", m.create(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, new Shape(2, 3)))
                    .put("a.num_batches_tracked", m.create(42L))
                    .put("c", m.create(new int[] {-1, 2}));
            WeightsIO.saveSafetensors(file, sd, Map.of("format", "pt"));
            StateDict back = WeightsIO.load(file, m);
            assertEquals(java.util.List.of("b.weight", "a.num_batches_tracked", "c"), java.util.List.copyOf(back.names()));
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f, 0f, 7f, 8f}, back.get("b.weight").toFloatArray());
            assertEquals(new Shape(2, 3), back.get("b.weight").getShape());
            assertEquals(DataType.INT64, back.get("a.num_batches_tracked").getDataType());
            assertEquals(new Shape(), back.get("a.num_batches_tracked").getShape());
            assertEquals(42L, back.get("a.num_batches_tracked").getLong());
            assertArrayEquals(new int[] {-1, 2}, back.get("c").toIntArray());
            assertEquals("pt", back.metadata().get("format"));
        }
        // the header length is a multiple of 8 and the data follows it exactly
        byte[] bytes = Files.readAllBytes(file);
        long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLen % 8);
        assertEquals(8 + headerLen + 6 * 4 + 8 + 2 * 4, bytes.length);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    /** Tensors are written from libtorch's memory; a strided one (channels-last) must still be written in logical order. */
    @Test
    void stridedTensorsAreWrittenInLogicalOrder() throws Exception {
        Path file = dir.resolve("strided.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            float[] values = new float[2 * 3 * 4 * 5];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            StateDict sd = new StateDict();
            sd.put("nhwc", org.resvision.nn.MemoryFormat.channelsLast(m.create(values, new Shape(2, 3, 4, 5))));
            sd.put("transposed", m.create(values, new Shape(10, 12)).transpose());
            Safetensors.write(file, sd, Map.of());
            StateDict back = WeightsIO.load(file, m);
            assertArrayEquals(values, back.get("nhwc").toFloatArray(), 0f);
            assertEquals(new Shape(12, 10), back.get("transposed").getShape());
            assertArrayEquals(m.create(values, new Shape(10, 12)).transpose().toFloatArray(), back.get("transposed").toFloatArray(), 0f);
        }
    }

    @Test
    void headerLengthsThatLookLikePickleBytesAreStillSafetensors() throws Exception {
        // 0x0280 = 640: the file starts 80 02, as a pickle's PROTO 2 does
        StringBuilder header = new StringBuilder("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}");
        header.append(",\"__metadata__\":{\"pad\":\"");
        while (header.length() < 640 - 3) {
            header.append('p');
        }
        header.append("\"}}");
        assertEquals(640, header.length());
        Path file = write(header.toString(), new byte[] {0, 0, (byte) 0x80, 0x3f});
        assertEquals((byte) 0x80, Files.readAllBytes(file)[0]);
        try (NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(new float[] {1f}, WeightsIO.load(file, m).get("x").toFloatArray());
        }
    }

    @Test
    void halfPrecisionWidensToFloat() throws Exception {
        // F16: 1.0 = 0x3c00, -2.5 = 0xc100, 65504 = 0x7bff, smallest subnormal 2^-24 = 0x0001
        Path file = write("{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}",
                new byte[] {0x00, 0x3c, 0x00, (byte) 0xc1, (byte) 0xff, 0x7b, 0x01, 0x00});
        try (NDManager m = NDManager.newBaseManager()) {
            float[] v = WeightsIO.load(file, m).get("h").toFloatArray();
            assertArrayEquals(new float[] {1f, -2.5f, 65504f, (float) Math.pow(2, -24)}, v);
        }
    }

    @Test
    void corruptFilesGetOneLineErrorsNamingTheFile() throws Exception {
        Path badJson = write("{\"x\": [", new byte[0]);
        assertError(badJson, "not valid JSON");
        Path outOfRange = write("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);
        assertError(outOfRange, "outside the 8-byte data block");
        Path wrongCount = write("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]);
        assertError(wrongCount, "8 bytes for 3 elements");
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, these are not weights");
        assertError(text, "header length");
        Path tiny = dir.resolve("tiny.bin");
        Files.write(tiny, new byte[] {1, 2});
        assertError(tiny, "too short");
        assertError(dir.resolve("missing.pth"), "no such file");
    }

    private void assertError(Path file, String fragment) {
        try (NDManager m = NDManager.newBaseManager()) {
            WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> WeightsIO.load(file, m));
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(fragment), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    private Path write(String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path file = dir.resolve("t" + Arrays.hashCode(b.array()) + ".safetensors");
        Files.write(file, b.array());
        return file;
    }
}
