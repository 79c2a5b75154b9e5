package org.resvision.backbone.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link WeightsCache#resolve}: cache hits, downloads and their faults, against a loopback server only. */
class WeightsCacheDownloadTest {

    @TempDir Path dir;
    LoopbackServer server;
    byte[] data;
    PublishedWeights entry;
    Path hub;
    Path own;

    @BeforeEach
    void serve() throws IOException {
        server = new LoopbackServer();
        data = LoopbackServer.safetensors(150_000, 7); // 600 kB
        String sha = WeightsCacheTestSupport.sha(data);
        entry = WeightsCacheTestSupport.entry("tinynet", "tinynet-" + sha.substring(0, 8) + ".pth", sha.substring(0, 8), server);
        server.serve(entry.fileName(), data);
        hub = dir.resolve("torch/hub/checkpoints");
        own = dir.resolve("own");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    WeightsCache cache(Path weightsDir, boolean offline) {
        return new WeightsCache(new WeightsCache.Settings(hub, weightsDir, null, offline, Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }

    /** Counts what a download reports. */
    static final class Recorder implements DownloadProgress {
        final List<Long> starts = new ArrayList<>();
        long last = -1;
        int updates;
        int done;

        @Override
        public synchronized void start(String fileName, long total, long resumedFrom) {
            starts.add(resumedFrom);
            assertTrue(total > 0);
        }

        @Override
        public synchronized void update(long bytes) {
            assertTrue(bytes >= last, "progress never goes back");
            last = bytes;
            updates++;
        }

        @Override
        public synchronized void done() {
            done++;
        }
    }

    @Test
    void aGoodFileIsDownloadedCheckedAndRenamedIntoTorchsHubCache() throws IOException {
        Recorder progress = new Recorder();
        Path got = cache(null, false).resolve(entry, progress);
        assertEquals(hub.resolve(entry.fileName()).toAbsolutePath(), got);
        assertArrayEquals(data, Files.readAllBytes(got));
        assertFalse(Files.exists(hub.resolve(entry.fileName() + ".part")), "no part left");
        assertEquals(List.of(0L), progress.starts);
        assertEquals(data.length, progress.last);
        assertEquals(1, progress.done);
        assertNull(server.requests.get(0).range());
        // the second call finds it: no request
        assertEquals(got, cache(null, false).resolve(entry, progress));
        assertEquals(1, server.requests.size());
    }

    @Test
    void withWeightsDirSetDownloadsGoThereAndAMirrorIsUsed() throws IOException {
        PublishedWeights elsewhere = WeightsCacheTestSupport.withUrl(entry, "https://download.invalid/models/" + entry.fileName());
        WeightsCache c = new WeightsCache(new WeightsCache.Settings(hub, own, server.base() + "/", false, Duration.ofSeconds(2),
                Duration.ofSeconds(1)));
        assertEquals(server.url(entry.fileName()), c.sourceUrl(elsewhere).toString());
        Path got = c.resolve(elsewhere, DownloadProgress.none());
        assertEquals(own.resolve(entry.fileName()).toAbsolutePath(), got);
        assertFalse(Files.exists(hub), "torch's cache is not touched when RESVISION_WEIGHTS_DIR is set");
    }

    @Test
    void aWrongHashInstallsNothingAndSaysTheUrlTheExpectedPrefixAndTheHashGot() throws IOException {
        PublishedWeights wrong = WeightsCacheTestSupport.withHash(entry, "00000000");
        WeightsCacheException e = assertThrows(WeightsCacheException.class, () -> cache(null, false).resolve(wrong, DownloadProgress.none()));
        String sha = WeightsCacheTestSupport.sha(data);
        assertEquals("tinynet:TEST_V1: " + server.url(entry.fileName()) + " sent a file whose SHA-256 is " + sha
                + ", not one starting with 00000000; it was deleted and nothing was installed", e.getMessage());
        assertFalse(Files.exists(hub.resolve(entry.fileName())));
        assertFalse(Files.exists(hub.resolve(entry.fileName() + ".part")));
    }

    @Test
    void aConnectionCutHalfWayIsResumedWithRange() throws IOException {
        server.cutAfter = data.length / 2;
        server.cutsLeft.set(1);
        Recorder progress = new Recorder();
        Path got = cache(null, false).resolve(entry, progress);
        assertArrayEquals(data, Files.readAllBytes(got));
        assertEquals(2, server.requests.size());
        assertNull(server.requests.get(0).range());
        String range = server.requests.get(1).range();
        assertTrue(range != null && range.startsWith("bytes=") && !range.equals("bytes=0-"), "resumed with " + range);
        assertEquals(2, progress.starts.size());
        assertEquals(Long.parseLong(range.substring(6, range.length() - 1)), progress.starts.get(1));
    }

    @Test
    void aDownloadCutEveryTimeKeepsItsPartAndTheNextCallResumesIt() throws IOException {
        server.cutAfter = data.length / 5;
        server.cutsLeft.set(WeightsCache.ATTEMPTS);
        Path part = hub.resolve(entry.fileName() + ".part");
        WeightsCacheException e = assertThrows(WeightsCacheException.class, () -> cache(null, false).resolve(entry, DownloadProgress.none()));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().startsWith("tinynet:TEST_V1: the connection to 127.0.0.1 dropped ("), e.getMessage());
        assertTrue(e.getMessage().endsWith(part.toAbsolutePath() + " keeps them: run again to resume"), e.getMessage());
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept < data.length, "part of " + kept);
        assertEquals(WeightsCache.ATTEMPTS, server.requests.size());
        assertFalse(Files.exists(hub.resolve(entry.fileName())));

        Path got = cache(null, false).resolve(entry, DownloadProgress.none());
        assertEquals("bytes=" + kept + "-", server.requests.get(server.requests.size() - 1).range());
        assertArrayEquals(data, Files.readAllBytes(got));
        assertEquals(WeightsCacheTestSupport.sha(data), WeightsCache.sha256(got));
        assertFalse(Files.exists(part));
    }

    @Test
    void aCompletePartIsCheckedOn416AndABadPartIsStartedOver() throws IOException {
        Path part = Files.createDirectories(hub).resolve(entry.fileName() + ".part");
        Files.write(part, data); // complete: the server answers 416 to bytes=len-
        assertArrayEquals(data, Files.readAllBytes(cache(null, false).resolve(entry, DownloadProgress.none())));
        assertEquals("bytes=" + data.length + "-", server.requests.get(0).range());
        assertEquals(1, server.requests.size());

        Files.delete(hub.resolve(entry.fileName()));
        byte[] stale = data.clone();
        stale[10] ^= 1;
        Files.write(part, java.util.Arrays.copyOf(stale, 1000)); // a part of another file: resumed, fails the hash, started over
        server.requests.clear();
        assertArrayEquals(data, Files.readAllBytes(cache(null, false).resolve(entry, DownloadProgress.none())));
        assertEquals(2, server.requests.size());
        assertEquals("bytes=1000-", server.requests.get(0).range());
        assertNull(server.requests.get(1).range());
    }

    @Test
    void notFoundIsOneLineWithTheStatusAndTheUrl() {
        PublishedWeights absent = WeightsCacheTestSupport.entry("absent", "absent-12345678.pth", "12345678", server);
        WeightsCacheException e = assertThrows(WeightsCacheException.class, () -> cache(null, false).resolve(absent, DownloadProgress.none()));
        assertEquals("absent:TEST_V1: HTTP 404 from " + server.url("absent-12345678.pth"), e.getMessage());
        assertFalse(Files.exists(hub.resolve("absent-12345678.pth")));
    }

    @Test
    void aStalledServerTimesOutInOneLineAndThePartIsKept() throws IOException {
        server.stall = true;
        server.stallAfter = 5000;
        long t0 = System.nanoTime();
        WeightsCacheException e = assertThrows(WeightsCacheException.class, () -> cache(null, false).resolve(entry, DownloadProgress.none()));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 10, "gave up after " + seconds + " s");
        Path part = hub.resolve(entry.fileName() + ".part").toAbsolutePath();
        assertEquals("tinynet:TEST_V1: 127.0.0.1 sent nothing for 1 s (5000 of " + data.length + " bytes received); " + part
                + " keeps them: run again to resume", e.getMessage());
        assertEquals(5000, Files.size(part));
        assertEquals(1, server.requests.size(), "a stall is not retried in the same call");
    }

    @Test
    void aServerSilentBeforeItsHeadersTimesOutToo() {
        server.delayMillis = 3000;
        WeightsCacheException e = assertThrows(WeightsCacheException.class, () -> cache(null, false).resolve(entry, DownloadProgress.none()));
        assertEquals("tinynet:TEST_V1: 127.0.0.1 sent nothing for 1 s (0 bytes received); try again later", e.getMessage());
        assertFalse(Files.exists(hub.resolve(entry.fileName() + ".part")));
    }

    @Test
    void aSlowButLiveDownloadIsNotCutByTheReadTimeout() throws IOException {
        // 2.4 s in all, never 1 s without bytes: the timeout is for silence, not for the whole download
        server.trickleBytes = data.length / 6 + 1;
        server.trickleMillis = 400;
        assertArrayEquals(data, Files.readAllBytes(cache(null, false).resolve(entry, DownloadProgress.none())));
    }

    @Test
    void aFolderThatCannotBeWrittenIsNamed() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        WeightsCacheException e = assertThrows(WeightsCacheException.class,
                () -> cache(file.resolve("sub"), false).resolve(entry, DownloadProgress.none()));
        assertTrue(e.getMessage().startsWith(file.resolve("sub").toAbsolutePath() + ": cannot create the folder for downloads ("),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("); set RESVISION_WEIGHTS_DIR to a writable folder"), e.getMessage());
        assertTrue(server.requests.isEmpty());
    }

    @Test
    void offlineNamesTheUrlAndTheExactPathAndConnectsToNothing() {
        WeightsCacheException e = assertThrows(WeightsCacheException.class, () -> cache(own, true).resolve(entry, DownloadProgress.none()));
        assertEquals("tinynet:TEST_V1 is not cached and RESVISION_OFFLINE is set: fetch " + entry.url() + " and put it at "
                + own.resolve(entry.fileName()).toAbsolutePath(), e.getMessage());
        assertTrue(server.requests.isEmpty());
        assertFalse(Files.exists(own), "nothing is created offline");
    }

    @Test
    void aRefusedConnectionGivesTheSameLine() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/models/" + entry.fileName();
        PublishedWeights closed = WeightsCacheTestSupport.withUrl(entry, url);
        WeightsCacheException e = assertThrows(WeightsCacheException.class, () -> cache(null, false).resolve(closed, DownloadProgress.none()));
        assertEquals("tinynet:TEST_V1 is not cached and 127.0.0.1 cannot be reached (connection refused): fetch " + url + " and put it at "
                + hub.resolve(entry.fileName()).toAbsolutePath(), e.getMessage());
    }

    @Test
    void aFileInTorchsHubCacheIsUsedWithoutAsking() throws IOException {
        Files.write(Files.createDirectories(hub).resolve(entry.fileName()), data);
        Files.write(Files.createDirectories(own).resolve(entry.fileName()), new byte[] {1, 2, 3}); // never looked at
        assertEquals(hub.resolve(entry.fileName()), cache(own, true).resolve(entry, DownloadProgress.none()));
        assertTrue(server.requests.isEmpty());
    }

    @Test
    void aFileInWeightsDirIsUsedWithoutAsking() throws IOException {
        Files.write(Files.createDirectories(own).resolve(entry.fileName()), data);
        assertEquals(own.resolve(entry.fileName()), cache(own, false).resolve(entry, DownloadProgress.none()));
        assertTrue(server.requests.isEmpty());
    }

    @Test
    void aTruncatedCachedFileIsNamedNotUsedAndNotOverwrittenUnlessForced() throws IOException {
        Path cached = Files.write(Files.createDirectories(hub).resolve(entry.fileName()), java.util.Arrays.copyOf(data, data.length / 3));
        byte[] before = Files.readAllBytes(cached);
        WeightsCacheException e = assertThrows(WeightsCacheException.class, () -> cache(null, false).resolve(entry, DownloadProgress.none()));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().startsWith(cached + ": SHA-256 "), e.getMessage());
        assertTrue(e.getMessage().endsWith("not used; delete it, or replace it with 'resvision weights fetch tinynet:TEST_V1 --force'"),
                e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(cached), "the user's file is left as it was");
        assertTrue(server.requests.isEmpty());
        // fetch without --force says the same; with it, the file is replaced by a checked download
        assertThrows(WeightsCacheException.class, () -> cache(null, false).fetch(entry, DownloadProgress.none(), false));
        Path got = cache(null, false).fetch(entry, DownloadProgress.none(), true);
        assertEquals(cached.toAbsolutePath(), got);
        assertArrayEquals(data, Files.readAllBytes(got));
    }

    @Test
    void twoThreadsResolvingTheSameFileDownloadItOnce() throws Exception {
        server.delayMillis = 300;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Callable<Path> call = () -> {
                go.await();
                return cache(null, false).resolve(entry, DownloadProgress.none());
            };
            Future<Path> a = pool.submit(call);
            Future<Path> b = pool.submit(call);
            go.countDown();
            assertEquals(a.get(), b.get());
            assertArrayEquals(data, Files.readAllBytes(a.get()));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, server.requests.size(), "one download");
    }

    @Test
    void twoProcessesResolvingTheSameFileDownloadItOnce() throws Exception {
        server.delayMillis = 1500; // the other process's download lasts long enough for this one to queue behind it
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ResolveInAnotherProcess.class.getName(), hub.toString(), entry.url(), entry.fileName(),
                entry.hashPrefix()).redirectErrorStream(true).start();
        try {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (server.requests.isEmpty() && System.nanoTime() < deadline && other.isAlive()) {
                Thread.sleep(20);
            }
            assertEquals(1, server.requests.size(), "the other process is downloading");
            Path got = cache(null, false).resolve(entry, DownloadProgress.none()); // waits for its lock, then finds the file
            String said = new String(other.getInputStream().readAllBytes()).trim();
            assertEquals(0, other.waitFor(), said);
            assertEquals(got.toString(), said);
            assertArrayEquals(data, Files.readAllBytes(got));
            assertEquals(1, server.requests.size(), "one download");
        } finally {
            other.destroy();
        }
    }

    @Test
    void contentRangeIsRead() {
        assertArrayEquals(new long[] {5, 9, 10}, WeightsCache.contentRange("bytes 5-9/10"));
        assertArrayEquals(new long[] {0, 9, -1}, WeightsCache.contentRange("bytes 0-9/*"));
        assertNull(WeightsCache.contentRange("bytes */10"));
    }

    @Test
    void theTerminalLineShowsBytesRateAndEta() {
        long[] now = {0};
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        DownloadProgress.Terminal t = new DownloadProgress.Terminal(new java.io.PrintStream(bytes, true), true, () -> now[0]);
        t.start("f.pth", 100_000_000, 0);
        now[0] = 2_000_000_000L;
        t.update(50_000_000);
        assertEquals("f.pth  50.0 / 100.0 MB (50%)  25.0 MB/s  ETA 0:02", t.line());
        t.done();
        String out = bytes.toString();
        assertTrue(out.startsWith("\r") && out.endsWith(System.lineSeparator()) && out.chars().filter(c -> c == '\n').count() == 1, out);
    }
}
