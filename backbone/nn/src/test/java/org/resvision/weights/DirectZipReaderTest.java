package org.resvision.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resvision.parity.ParityFixtures;

/**
 * The direct zip reader ({@link TorchCheckpoint#readZipDirect}) against the
 * java.util.zip one ({@link TorchCheckpoint#readZipStreaming}): bit-identical state dicts on
 * torch-made files, and one-line errors naming the file for damaged central directories.
 */
class DirectZipReaderTest {

    @TempDir static Path dir;

    @BeforeAll
    static void makeFiles() throws Exception {
        ParityFixtures.assumeTorchvision();
        ParityFixtures.runScript("weights_fixtures.py", dir.resolve("log.txt"), dir.toString());
    }

    /** zip.pth has shared storages, views with offsets and strides, a transpose, float16, a 0-d int64. */
    @ParameterizedTest
    @ValueSource(strings = {"zip.pth", "wrapped.pth"})
    void directEqualsStreamingOnTorchFiles(String name) throws Exception {
        assertSameAsStreaming(dir.resolve(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet18", "resnet50_fpn"})
    void directEqualsStreamingOnTorchvisionWeights(String caseName) throws Exception {
        assertSameAsStreaming(ParityFixtures.caseDir(caseName).resolve("weights.pth"));
    }

    @Test
    void aZipWrittenHereReadsLikeTorchsOwn() throws Exception {
        Built z = build(entriesOf(dir.resolve("zip.pth")), null);
        Path file = write("rebuilt.pth", z.bytes);
        assertSameAsStreaming(file);
    }

    @Test
    void compressedEntriesFallBackToJavaUtilZip() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entriesOf(dir.resolve("zip.pth")).entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey())); // DEFLATED
                out.write(e.getValue());
                out.closeEntry();
            }
        }
        Path file = write("deflated.pth", bytes.toByteArray());
        try (NDManager m = NDManager.newBaseManager()) {
            assertNull(TorchCheckpoint.readZipDirect(file, m), "compressed entries are left to java.util.zip");
            assertSame(TorchCheckpoint.readZipStreaming(file, m), WeightsIO.load(file, m));
        }
    }

    @Test
    void aLocalHeaderOffsetBeyondTheFileIsRefused() throws Exception {
        Built z = build(entriesOf(dir.resolve("zip.pth")), null);
        String name = "archive/data/0";
        ByteBuffer b = ByteBuffer.wrap(z.bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(z.central.get(name) + 42, z.bytes.length + 100);
        Path file = write("far-header.pth", z.bytes);
        assertRefused(file, "zip entry " + name + ": its local header offset " + (z.bytes.length + 100)
                + " is beyond the end of the file (" + z.bytes.length + " bytes): corrupt or truncated zip");
    }

    @Test
    void aLocalHeaderOffsetToNoHeaderIsRefused() throws Exception {
        Built z = build(entriesOf(dir.resolve("zip.pth")), null);
        String name = "archive/data/0";
        int wrong = z.data.get(name); // the entry's data, not its header
        ByteBuffer.wrap(z.bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(z.central.get(name) + 42, wrong);
        Path file = write("no-header.pth", z.bytes);
        assertRefused(file, "zip entry " + name + ": no local header at offset " + wrong + ": corrupt zip");
    }

    @Test
    void aTruncatedStorageIsRefused() throws Exception {
        Map<String, byte[]> entries = entriesOf(dir.resolve("zip.pth"));
        String last = null;
        for (String n : entries.keySet()) {
            if (n.startsWith("archive/data/")) {
                last = n;
            }
        }
        entries.put(last, entries.remove(last)); // the file's last entry: the directory follows its data
        Built z = build(entries, last); // half of its bytes written
        Path file = write("cut-storage.pth", z.bytes);
        int size = entries.get(last).length;
        assertRefused(file, "zip entry " + last + " is truncated: its " + size + " bytes at offset " + z.data.get(last)
                + " run into the central directory at offset " + z.directory);
    }

    @Test
    void aSizeBeyondTheEndOfTheFileIsRefused() throws Exception {
        Built z = build(entriesOf(dir.resolve("zip.pth")), null);
        String name = "archive/data/0";
        int claimed = z.bytes.length;
        ByteBuffer b = ByteBuffer.wrap(z.bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(z.central.get(name) + 20, claimed).putInt(z.central.get(name) + 24, claimed);
        Path file = write("huge-size.pth", z.bytes);
        assertRefused(file, "zip entry " + name + " is truncated (" + (z.bytes.length - z.data.get(name)) + " of " + claimed + " bytes)");
    }

    @Test
    void aCentralDirectoryLyingAboutASizeIsRefused() throws Exception {
        Map<String, byte[]> entries = entriesOf(dir.resolve("zip.pth"));
        Built z = build(entries, null);
        String name = "archive/data/0";
        int claimed = entries.get(name).length + 8;
        ByteBuffer b = ByteBuffer.wrap(z.bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(z.central.get(name) + 20, claimed).putInt(z.central.get(name) + 24, claimed);
        Path file = write("lying-size.pth", z.bytes);
        int next = z.data.get(name) + entries.get(name).length;
        assertRefused(file, "zip entry " + name + " (" + claimed + " bytes at offset " + z.data.get(name)
                + ") overlaps the next entry at offset " + next + ": the central directory lies about its size (corrupt zip)");
    }

    @Test
    void aMissingStorageRecordIsRefused() throws Exception {
        Map<String, byte[]> entries = entriesOf(dir.resolve("zip.pth"));
        entries.remove("archive/data/0");
        Path file = write("missing.pth", build(entries, null).bytes);
        try (NDManager m = NDManager.newBaseManager()) {
            WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> TorchCheckpoint.readZipDirect(file, m));
            WeightsFormatException old = assertThrows(WeightsFormatException.class, () -> TorchCheckpoint.readZipStreaming(file, m));
            assertEquals(old.getMessage(), e.getMessage());
            assertEquals(true, e.getMessage().startsWith(file + ": storage record data/0 of '"), e.getMessage());
        }
    }

    @Test
    void aStorageShorterThanItsTensorsIsRefusedAsBefore() throws Exception {
        Map<String, byte[]> entries = entriesOf(dir.resolve("zip.pth"));
        for (String name : entries.keySet()) { // each storage: tensors read directly, from scratch storages, float16, views
            if (!name.startsWith("archive/data/")) {
                continue;
            }
            Map<String, byte[]> cut = new LinkedHashMap<>(entries);
            cut.put(name, java.util.Arrays.copyOf(entries.get(name), entries.get(name).length - 4));
            Path file = write("short-" + name.replace('/', '-') + ".pth", build(cut, null).bytes);
            try (NDManager m = NDManager.newBaseManager()) {
                WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> TorchCheckpoint.readZipDirect(file, m));
                WeightsFormatException old = assertThrows(WeightsFormatException.class, () -> TorchCheckpoint.readZipStreaming(file, m));
                assertEquals(old.getMessage(), e.getMessage());
                assertEquals(true, e.getMessage().startsWith(file + ": storage of '") && e.getMessage().contains(" elements, its size/stride need "),
                        e.getMessage());
            }
        }
    }

    @Test
    void anEntryPointingOutsideTheArchiveIsRefused() throws Exception {
        Map<String, byte[]> entries = entriesOf(dir.resolve("zip.pth"));
        entries.put("../evil", new byte[] {1});
        Path file = write("outside.pth", build(entries, null).bytes);
        assertRefused(file, "zip entry '../evil' points outside the archive: not a torch.save file");
    }

    private static void assertRefused(Path file, String problem) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            WeightsFormatException e = assertThrows(WeightsFormatException.class, () -> WeightsIO.load(file, m));
            assertEquals(file + ": " + problem, e.getMessage());
        }
    }

    private static void assertSameAsStreaming(Path file) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict direct = TorchCheckpoint.readZipDirect(file, m);
            assertNotNull(direct, "the direct reader handles " + file);
            assertSame(TorchCheckpoint.readZipStreaming(file, m), direct);
        }
    }

    private static void assertSame(StateDict expected, StateDict actual) {
        assertEquals(new ArrayList<>(expected.names()), new ArrayList<>(actual.names()));
        for (String n : expected.names()) {
            NDArray a = expected.get(n);
            NDArray b = actual.get(n);
            assertEquals(a.getShape(), b.getShape(), n);
            assertEquals(a.getDataType(), b.getDataType(), n);
            assertArrayEquals(a.toByteArray(), b.toByteArray(), n + ": bytes differ");
        }
    }

    private static Path write(String name, byte[] bytes) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    /** The entries of a zip, name -> bytes, in order. */
    private static Map<String, byte[]> entriesOf(Path file) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                out.put(e.getName().replaceFirst("^[^/]*/", "archive/"), zip.getInputStream(e).readAllBytes());
            }
        }
        return out;
    }

    /** A zip's bytes and, per entry, where its central directory record and its data start. */
    private record Built(byte[] bytes, Map<String, Integer> central, Map<String, Integer> data, int directory) {}

    /**
     * A plain (non-zip64) zip of STORED entries; {@code cut}, if not null, names an entry of
     * which only half the bytes are written (its headers still give the full size).
     */
    private static Built build(Map<String, byte[]> entries, String cut) {
        ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Integer> local = new LinkedHashMap<>();
        Map<String, Integer> data = new LinkedHashMap<>();
        Map<String, Long> crcs = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            CRC32 crc = new CRC32();
            crc.update(e.getValue());
            crcs.put(e.getKey(), crc.getValue());
            local.put(e.getKey(), b.position());
            b.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt((int) crc.getValue()).putInt(e.getValue().length).putInt(e.getValue().length)
                    .putShort((short) name.length).putShort((short) 0).put(name);
            data.put(e.getKey(), b.position());
            b.put(e.getValue(), 0, e.getKey().equals(cut) ? e.getValue().length / 2 : e.getValue().length);
        }
        int directory = b.position();
        Map<String, Integer> central = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            central.put(e.getKey(), b.position());
            b.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) 0).putInt(0)
                    .putInt((int) (long) crcs.get(e.getKey())).putInt(e.getValue().length).putInt(e.getValue().length)
                    .putShort((short) name.length).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                    .putShort((short) 0).putInt(0).putInt(local.get(e.getKey())).put(name);
        }
        int end = b.position();
        b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt(end - directory).putInt(directory).putShort((short) 0);
        byte[] bytes = new byte[b.position()];
        b.flip().get(bytes);
        return new Built(bytes, central, data, directory);
    }
}
