package org.resvision.backbone.hub;

import java.io.IOException;
import java.io.InputStream;
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

        /** The settings of this process (system properties, then environment, then defaults). */
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

    public WeightsCache(Settings settings) {
        this.settings = settings;
    }

    /** The cache of this process's settings. */
    public static WeightsCache fromEnvironment() {
        return new WeightsCache(Settings.fromEnvironment());
    }

    public Settings settings() {
        return settings;
    }

    /** The folders searched, in order. */
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
     * @throws WeightsCacheException a file is there but its SHA-256 does not match (truncated, or
     *     another file under that name): the message names the file, and it is not used
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
     * @throws WeightsCacheException when it does not (one line naming the file and both hashes)
     */
    public static void verify(Path file, PublishedWeights w) throws IOException {
        String key = file.toAbsolutePath() + "@" + Files.getLastModifiedTime(file).toMillis() + "#" + Files.size(file);
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

    /** The hex SHA-256 of a file. */
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
