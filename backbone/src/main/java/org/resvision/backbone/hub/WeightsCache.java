package org.resvision.backbone.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where published checkpoints live on this machine. A file is looked up first in torch's hub
 * cache ({@code $TORCH_HOME/hub/checkpoints}, by default {@code ~/.cache/torch/hub/checkpoints}:
 * whoever has used torchvision already has the files, under the same names), then in {@code
 * RESVISION_WEIGHTS_DIR}. A file is used only when its SHA-256 starts with the entry's hash
 * prefix (checked once per file and modification time per process).
 *
 * <p>{@link #resolve} downloads a file that is in neither place, into {@code RESVISION_WEIGHTS_DIR}
 * when it is set, else into torch's hub cache (which torchvision then shares): from {@code
 * RESVISION_WEIGHTS_URL}{@code /FILE} when a mirror is set, else from the entry's URL. The bytes go
 * to {@code FILE.part} beside the target; an interrupted download is resumed from there (HTTP
 * {@code Range}) by the next call, the whole file's SHA-256 is checked against the hash prefix,
 * and only then is the part renamed into place (atomically). A {@code FILE.lock} beside it keeps
 * two processes (or threads) from downloading the same file at once. Offline ({@code
 * RESVISION_OFFLINE=1}, or the host cannot be reached), nothing is attempted and the message says
 * which URL to fetch and the exact path to put it at.
 *
 * <p>Safe to share between threads: an instance's only state is its immutable {@link Settings};
 * the record of verified hashes is a process-wide concurrent map, and downloads of one file are
 * serialized (threads of this JVM by a lock per target, processes by {@code FILE.lock}).
 */
public final class WeightsCache {

    /**
     * Where to look and how to fetch. Each value comes from a system property, else the
     * environment variable, else the default.
     *
     * @param torchHubCheckpoints {@code resvision.torch.home} / {@code TORCH_HOME} +
     *     {@code hub/checkpoints} (default {@code $XDG_CACHE_HOME/torch} or {@code ~/.cache/torch})
     * @param weightsDir {@code resvision.weights.dir} / {@code RESVISION_WEIGHTS_DIR}, or null
     * @param mirrorBase {@code resvision.weights.url} / {@code RESVISION_WEIGHTS_URL}: a base URL
     *     replacing {@code https://download.pytorch.org/models}, or null
     * @param offline {@code resvision.offline} / {@code RESVISION_OFFLINE} ({@code 1} or {@code true})
     * @param connectTimeout how long to wait for a connection
     * @param readTimeout how long a download may stall before it fails
     */
    public record Settings(Path torchHubCheckpoints, Path weightsDir, String mirrorBase, boolean offline, Duration connectTimeout,
            Duration readTimeout) {

        /**
         * The settings of this process (system properties, then environment, then defaults).
         *
         * @return settings read now (later changes of the properties are not seen), with timeouts
         *     of 20 s to connect and 60 s without data
         */
        public static Settings fromEnvironment() {
            return from(System.getenv());
        }

        static Settings from(Map<String, String> env) {
            String torchHome = value("resvision.torch.home", "TORCH_HOME", env);
            Path hub;
            if (torchHome != null) {
                hub = Path.of(torchHome);
            } else {
                String xdg = env.get("XDG_CACHE_HOME");
                hub = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("torch");
            }
            String dir = value("resvision.weights.dir", "RESVISION_WEIGHTS_DIR", env);
            String offline = value("resvision.offline", "RESVISION_OFFLINE", env);
            return new Settings(hub.resolve("hub").resolve("checkpoints"), dir == null ? null : Path.of(dir),
                    value("resvision.weights.url", "RESVISION_WEIGHTS_URL", env),
                    offline != null && (offline.equals("1") || offline.equalsIgnoreCase("true")), Duration.ofSeconds(20),
                    Duration.ofSeconds(60));
        }

        private static String value(String property, String variable, Map<String, String> env) {
            String v = System.getProperty(property);
            if (v == null || v.isBlank()) {
                v = env.get(variable);
            }
            return v == null || v.isBlank() ? null : v;
        }
    }

    private static final Map<String, String> VERIFIED = new ConcurrentHashMap<>();

    private final Settings settings;

    /**
     * A cache with explicit settings.
     *
     * @param settings where to look and how to fetch
     */
    public WeightsCache(Settings settings) {
        this.settings = settings;
    }

    /**
     * The cache of this process's settings.
     *
     * @return a new cache over {@link Settings#fromEnvironment()}, read at this call
     */
    public static WeightsCache fromEnvironment() {
        return new WeightsCache(Settings.fromEnvironment());
    }

    /**
     * The settings this cache uses.
     *
     * @return the settings given to the constructor
     */
    public Settings settings() {
        return settings;
    }

    /**
     * The folders searched, in order.
     *
     * @return a new list: torch's hub checkpoints folder, then {@code RESVISION_WEIGHTS_DIR} when
     *     it is set; the folders need not exist
     */
    public List<Path> searchPath() {
        List<Path> dirs = new ArrayList<>();
        dirs.add(settings.torchHubCheckpoints());
        if (settings.weightsDir() != null) {
            dirs.add(settings.weightsDir());
        }
        return dirs;
    }

    /**
     * The first file named {@code w.fileName()} on the search path, checked against its hash
     * prefix; empty when there is none.
     *
     * @param w the catalog entry
     * @return the file (a later folder is not searched once one has the name), or empty
     * @throws WeightsCacheException a file is there but its SHA-256 does not match (truncated, or
     *     another file under that name): the message names the file, and it is not used
     * @throws IOException the file cannot be read
     */
    public Optional<Path> findCached(PublishedWeights w) throws IOException {
        for (Path dir : searchPath()) {
            Path f = dir.resolve(w.fileName());
            if (Files.isRegularFile(f)) {
                verify(f, w);
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * Checks that the SHA-256 of {@code file} starts with {@code w.hashPrefix()}.
     *
     * <p>The hash is computed once per absolute path, modification time and size in this process,
     * then remembered.
     *
     * @param file the file to check
     * @param w the entry whose hash prefix it must have (compared case-insensitively)
     * @throws WeightsCacheException when it does not (one line naming the file and both hashes)
     * @throws IOException the file cannot be read
     */
    public static void verify(Path file, PublishedWeights w) throws IOException {
        String key = key(file);
        String sha = VERIFIED.get(key);
        if (sha == null) {
            sha = sha256(file);
            VERIFIED.put(key, sha);
        }
        if (!sha.startsWith(w.hashPrefix().toLowerCase(java.util.Locale.ROOT))) {
            throw new WeightsCacheException(file + ": SHA-256 " + sha.substring(0, 16) + "... does not start with " + w.hashPrefix()
                    + " as " + w.id() + " requires (truncated, or another file under this name); not used");
        }
    }

    /** How many times one call connects for a file whose connection dropped mid-way (each time resuming). */
    static final int ATTEMPTS = 3;

    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
    private static final Map<Duration, HttpClient> CLIENTS = new ConcurrentHashMap<>();

    /**
     * The folder downloads go to: {@code RESVISION_WEIGHTS_DIR} when it is set, else torch's hub
     * checkpoints folder (so that torchvision finds them too).
     *
     * @return the folder; created only when a download starts
     */
    public Path downloadDir() {
        return settings.weightsDir() != null ? settings.weightsDir() : settings.torchHubCheckpoints();
    }

    /**
     * Where {@code w} is downloaded from: {@code RESVISION_WEIGHTS_URL + "/" + fileName} when a
     * mirror is set, else the entry's own URL.
     *
     * @param w the catalog entry
     * @return the URL (trailing slashes of the mirror base are dropped)
     * @throws IllegalArgumentException the mirror base or the entry's URL is not a valid URI
     */
    public URI sourceUrl(PublishedWeights w) {
        String base = settings.mirrorBase();
        if (base == null) {
            return URI.create(w.url());
        }
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + "/" + w.fileName());
    }

    /**
     * The first file named {@code w.fileName()} on the search path, not checked; empty when there is none.
     *
     * @param w the catalog entry
     * @return the regular file found, or empty
     */
    public Optional<Path> locate(PublishedWeights w) {
        for (Path dir : searchPath()) {
            Path f = dir.resolve(w.fileName());
            if (Files.isRegularFile(f)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /**
     * The checked file of {@code w}: the cached one (see {@link #findCached}), else downloaded into
     * {@link #downloadDir()} (see the class comment).
     *
     * @param w the catalog entry
     * @param progress told about a download, on the calling thread; not called when the file is
     *     cached
     * @return the file: the cached one as found on the search path, or the absolute path of the
     *     downloaded one
     * @throws java.io.InterruptedIOException the thread was interrupted while downloading or waiting
     *     for another download of the file (the interrupt flag is set again)
     * @throws IOException another failure, such as a cached file that cannot be read
     * @throws WeightsCacheException one line for the user: a cached file that fails its hash (named;
     *     it is neither used nor replaced), offline or unreachable (the URL to fetch and the exact
     *     path to put it at), an HTTP error (status and URL), a stalled or dropped connection (what
     *     was received stays in the {@code .part} file for the next call), a download whose SHA-256
     *     does not match (deleted, nothing installed)
     */
    public Path resolve(PublishedWeights w, DownloadProgress progress) throws IOException {
        Optional<Path> cached;
        try {
            cached = findCached(w);
        } catch (WeightsCacheException e) {
            throw new WeightsCacheException(e.getMessage() + "; delete it, or replace it with 'resvision weights fetch " + w.id()
                    + " --force'", e);
        }
        if (cached.isPresent()) {
            return cached.get();
        }
        return download(w, downloadDir().resolve(w.fileName()), progress, false);
    }

    /**
     * {@link #resolve}, or with {@code force} a fresh download that replaces the cached file (the
     * first on the search path, whether it checks or not) once the download has checked.
     *
     * @param w the catalog entry
     * @param progress told about a download, on the calling thread
     * @param force download even when a file is cached; the old file stays until the new one has
     *     checked
     * @return the file, as {@link #resolve} returns it
     * @throws WeightsCacheException one line for the user, as for {@link #resolve}
     * @throws IOException another failure (see {@link #resolve})
     */
    public Path fetch(PublishedWeights w, DownloadProgress progress, boolean force) throws IOException {
        if (!force) {
            return resolve(w, progress);
        }
        return download(w, locate(w).orElse(downloadDir().resolve(w.fileName())), progress, true);
    }

    private Path download(PublishedWeights w, Path target, DownloadProgress progress, boolean replace) throws IOException {
        URI url = sourceUrl(w);
        target = target.toAbsolutePath();
        if (settings.offline()) {
            throw unreachable(w, url, target, "RESVISION_OFFLINE is set");
        }
        Path dir = target.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new WeightsCacheException(dir + ": cannot create the folder for downloads (" + reason(e)
                    + "); set RESVISION_WEIGHTS_DIR to a writable folder", e);
        }
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
        // FileLock keeps other processes out; within this JVM the lock is per JVM, so threads queue here first
        ReentrantLock local = LOCKS.computeIfAbsent(target.normalize(), k -> new ReentrantLock());
        local.lock();
        FileChannel lockChannel;
        try {
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            local.unlock();
            throw new WeightsCacheException(dir + ": cannot write in the folder for downloads (" + reason(e)
                    + "); set RESVISION_WEIGHTS_DIR to a writable folder", e);
        }
        try (FileChannel lc = lockChannel; FileLock held = lockFile(lc)) {
            if (!replace && Files.isRegularFile(target)) {
                // another thread or process downloaded it while this one waited
                verify(target, w);
                return target;
            }
            return transfer(w, url, target, part, progress);
        } finally {
            local.unlock();
        }
    }

    /**
     * Waits for the lock on {@code lc}. The JVM refuses a second lock on a file it holds one on (the
     * same file by another path, a link): then it waits until that one is released.
     */
    private static FileLock lockFile(FileChannel lc) throws IOException {
        while (true) {
            try {
                return lc.lock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for another download of the same file");
                }
            }
        }
    }

    private Path transfer(PublishedWeights w, URI url, Path target, Path part, DownloadProgress progress) throws IOException {
        String prefix = w.hashPrefix().toLowerCase(Locale.ROOT);
        int cuts = 0;
        boolean restarted = false;
        try {
            while (true) {
                long have = Files.isRegularFile(part) ? Files.size(part) : 0;
                String sha;
                try {
                    sha = attempt(w, url, target, part, have, progress);
                } catch (Cut c) {
                    if (c.progressed && ++cuts < ATTEMPTS) {
                        continue;
                    }
                    throw c;
                }
                if (sha == null || !sha.startsWith(prefix)) {
                    Files.deleteIfExists(part);
                    if (have > 0 && !restarted) {
                        // the part did not resume into the right file (changed on the server, or damaged): once more from 0
                        restarted = true;
                        continue;
                    }
                    if (sha == null) {
                        throw new WeightsCacheException(w.id() + ": " + url + " did not resume the download as asked (HTTP Range); the part was deleted"
                                + " and nothing was installed: run again to start over");
                    }
                    throw new WeightsCacheException(w.id() + ": " + url + " sent a file whose SHA-256 is " + sha + ", not one starting with "
                            + prefix + "; it was deleted and nothing was installed");
                }
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                VERIFIED.put(key(target), sha);
                return target;
            }
        } finally {
            progress.done();
        }
    }

    /**
     * One request: {@code have} bytes are in {@code part} already. Returns the SHA-256 of the whole
     * part when it is complete, or null when it cannot be resumed (then it is deleted).
     */
    private String attempt(PublishedWeights w, URI url, Path target, Path part, long have, DownloadProgress progress) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(settings.readTimeout()).header("User-Agent", "resvision").GET();
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response;
        try {
            response = client().send(request.build(), HttpResponse.BodyHandlers.ofPublisher());
        } catch (HttpConnectTimeoutException e) {
            throw unreachable(w, url, target, url.getHost() + " did not answer within " + seconds(settings.connectTimeout()));
        } catch (HttpTimeoutException e) {
            throw stalled(w, url, part, have, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(w.id() + ": the download of " + url + " was interrupted");
        } catch (IOException e) {
            String why = unreachableReason(e);
            if (why != null) {
                throw unreachable(w, url, target, url.getHost() + " cannot be reached (" + why + ")");
            }
            throw new WeightsCacheException(w.id() + ": downloading " + url + " failed: " + reason(e), e);
        }
        Body body = new Body(response.body());
        int status = response.statusCode();
        long start;
        long total;
        if (status == 200) {
            start = 0;
            total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        } else if (status == 206 && have > 0) {
            long[] range = contentRange(response.headers().firstValue("Content-Range").orElse(""));
            if (range == null || range[0] != have) {
                body.cancel();
                return null;
            }
            start = have;
            total = range[2];
        } else if (status == 416 && have > 0) {
            // nothing after the part: it is the whole file, or not this file
            body.cancel();
            return sha256(part);
        } else {
            body.cancel();
            throw new WeightsCacheException(w.id() + ": HTTP " + status + " from " + url
                    + (status == 404 && settings.mirrorBase() != null ? " (the mirror RESVISION_WEIGHTS_URL lacks it)" : ""));
        }
        MessageDigest md = newSha256();
        long got = start;
        boolean finished = false;
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (start > 0) {
                digest(md, part, start);
            }
            out.truncate(start);
            out.position(start);
            progress.start(target.getFileName().toString(), total, start);
            while (true) {
                List<ByteBuffer> buffers;
                try {
                    buffers = body.next(settings.readTimeout());
                } catch (Stalled s) {
                    throw stalled(w, url, part, got, total);
                } catch (InterruptedException e) {
                    body.cancel();
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException(w.id() + ": the download of " + url + " was interrupted; " + part + " keeps "
                            + mb(got) + " for the next try");
                } catch (IOException e) {
                    throw cut(w, url, part, got, total, got > start);
                }
                if (buffers == null) {
                    break;
                }
                for (ByteBuffer b : buffers) {
                    md.update(b.duplicate());
                    while (b.hasRemaining()) {
                        got += out.write(b);
                    }
                }
                progress.update(got);
            }
            out.force(false);
            finished = true;
        } catch (WeightsCacheException | InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            // the disk, not the network: full, read-only, removed
            throw new WeightsCacheException(part + ": " + reason(e) + " (downloading " + w.id() + " from " + url + ", " + mb(got)
                    + " written)", e);
        } finally {
            if (!finished) {
                body.cancel();
            }
        }
        if (total >= 0 && got != total) {
            throw cut(w, url, part, got, total, got > start);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private HttpClient client() {
        return CLIENTS.computeIfAbsent(settings.connectTimeout(), t -> HttpClient.newBuilder().connectTimeout(t)
                .followRedirects(HttpClient.Redirect.NORMAL).version(HttpClient.Version.HTTP_1_1).build());
    }

    private static WeightsCacheException unreachable(PublishedWeights w, URI url, Path target, String why) {
        return new WeightsCacheException(w.id() + " is not cached and " + why + ": fetch " + url + " and put it at " + target);
    }

    private WeightsCacheException stalled(PublishedWeights w, URI url, Path part, long got, long total) {
        return new WeightsCacheException(w.id() + ": " + url.getHost() + " sent nothing for " + seconds(settings.readTimeout()) + " ("
                + received(got, total) + ")" + (got > 0 ? "; " + part + " keeps them: run again to resume" : "; try again later"));
    }

    private static Cut cut(PublishedWeights w, URI url, Path part, long got, long total, boolean progressed) {
        return new Cut(w.id() + ": the connection to " + url.getHost() + " dropped (" + received(got, total) + "); " + part
                + " keeps them: run again to resume", progressed);
    }

    private static String received(long got, long total) {
        if (total >= 1_000_000) {
            return String.format(Locale.ROOT, "%.1f of %.1f MB received", got / 1e6, total / 1e6);
        }
        return total >= 0 ? got + " of " + total + " bytes received" : mb(got) + " received";
    }

    private static String mb(long bytes) {
        return bytes < 1_000_000 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** Why a host cannot be reached, or null when the failure is something else. */
    private static String unreachableReason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
                return "unknown host";
            }
            if (c instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (c instanceof ConnectException) {
                return "connection refused";
            }
            if (c instanceof java.net.SocketException && c.getMessage() != null && c.getMessage().toLowerCase(Locale.ROOT).contains("unreachable")) {
                return "network unreachable";
            }
        }
        return null;
    }

    private static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                return c.getMessage().replace('\n', ' ');
            }
        }
        return t instanceof java.nio.file.AccessDeniedException ? "permission denied" : "an input/output error";
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    /** {@code bytes FIRST-LAST/TOTAL} -> {first, last, total (-1 for *)}; null when it does not read so. */
    static long[] contentRange(String header) {
        Matcher m = CONTENT_RANGE.matcher(header.trim());
        if (!m.matches()) {
            return null;
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3))};
    }

    private static void digest(MessageDigest md, Path file, long length) throws IOException {
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException(file + ": shorter than " + length + " bytes");
                }
                md.update(buf, 0, n);
                left -= n;
            }
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String key(Path file) throws IOException {
        return file.toAbsolutePath() + "@" + Files.getLastModifiedTime(file).toMillis() + "#" + Files.size(file);
    }

    /** The connection dropped mid-file; {@code progressed}: some bytes arrived before it did. */
    private static final class Cut extends WeightsCacheException {
        private static final long serialVersionUID = 1L;
        final boolean progressed;

        Cut(String message, boolean progressed) {
            super(message);
            this.progressed = progressed;
        }
    }

    /** Nothing arrived within the read timeout. */
    private static final class Stalled extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** A response body read with a timeout: the HTTP client pushes buffers, {@link #next} waits for them. */
    private static final class Body implements Flow.Subscriber<List<ByteBuffer>> {
        private static final Object END = new Object();
        private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;

        Body(Flow.Publisher<List<ByteBuffer>> publisher) {
            publisher.subscribe(this);
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(8);
            }
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            queue.add(item);
        }

        @Override
        public void onError(Throwable t) {
            queue.add(t);
        }

        @Override
        public void onComplete() {
            queue.add(END);
        }

        /** The next buffers, or null at the end of the body. */
        @SuppressWarnings("unchecked")
        List<ByteBuffer> next(Duration timeout) throws IOException, InterruptedException {
            Object o = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (o == null) {
                cancel();
                throw new Stalled();
            }
            if (o == END) {
                return null;
            }
            if (o instanceof Throwable t) {
                throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
            }
            Flow.Subscription s = subscription;
            if (s != null) {
                s.request(1);
            }
            return (List<ByteBuffer>) o;
        }

        void cancel() {
            cancelled = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }

    /**
     * The hex SHA-256 of a file.
     *
     * @param file the file, read whole (not remembered: see {@link #verify} for the cached check)
     * @return 64 lowercase hex digits
     * @throws IOException the file cannot be read
     */
    public static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
