package org.resvision.eval.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Debian's chromium, headless, driven over the DevTools protocol (a WebSocket of
 * {@code java.net.http}): loads a page, collects what it reports as errors (console errors and
 * assertions, uncaught exceptions, error log entries such as failed loads, renderer crashes) and
 * every request, and takes full-page screenshots. The profile is a fresh temporary folder; close
 * ends the browser and every process it started, and deletes the folder.
 */
final class HeadlessChromium implements AutoCloseable {

    /** How long any one step may take. */
    static final Duration STEP = Duration.ofSeconds(20);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path home;
    private final Process process;
    private final List<ProcessHandle> processes = new CopyOnWriteArrayList<>();
    private final WebSocket socket;
    private final AtomicLong nextId = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile CompletableFuture<Void> loaded = new CompletableFuture<>();
    private final String session;
    private final Thread killer = new Thread(this::kill, "chromium-killer");

    /** The chromium to run: {@code -Dresvision.chromium=PATH}, else {@code chromium} on the PATH; null when none. */
    static Path executable() {
        String p = System.getProperty("resvision.chromium");
        if (p != null && !p.isBlank()) {
            return Files.isExecutable(Path.of(p)) ? Path.of(p) : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path c = Path.of(dir, "chromium");
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        return null;
    }

    /** Starts chromium headless with a {@code width x height} viewport and a page to drive. */
    HeadlessChromium(Path chromium, int width, int height) throws Exception {
        home = Files.createTempDirectory("resvision-chromium-");
        Path profile = Files.createDirectory(home.resolve("profile"));
        List<String> cmd = List.of(chromium.toString(),
                "--headless", "--no-sandbox", // no-sandbox: containers (and root) have no user namespaces; only our own page is loaded
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--mute-audio", "--hide-scrollbars", "--force-color-profile=srgb",
                "--user-data-dir=" + profile, "--remote-debugging-port=0", "--window-size=" + width + "," + height, "about:blank");
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(home.resolve("chromium.log").toFile()).start();
        processes.add(process.toHandle());
        Runtime.getRuntime().addShutdownHook(killer); // should the JVM end before close
        try {
            socket = connect(profile);
            JsonNode target = send(null, "Target.createTarget", Map.of("url", "about:blank"));
            JsonNode attached = send(null, "Target.attachToTarget", Map.of("targetId", target.get("targetId").asText(), "flatten", true));
            session = attached.get("sessionId").asText();
            for (String domain : List.of("Runtime", "Log", "Page", "Network")) {
                send(session, domain + ".enable", Map.of());
            }
            send(session, "Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /** Waits for {@code DevToolsActivePort} in the profile and opens the browser's WebSocket. */
    private WebSocket connect(Path profile) throws Exception {
        Path portFile = profile.resolve("DevToolsActivePort");
        long deadline = System.nanoTime() + STEP.toNanos();
        List<String> lines = List.of();
        while (lines.size() < 2) {
            if (!process.isAlive()) {
                throw new IOException("chromium exited with " + process.exitValue() + " at start: " + log());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("chromium did not open its DevTools port in " + STEP.toSeconds() + " s: " + log());
            }
            Thread.sleep(50);
            if (Files.exists(portFile)) {
                lines = Files.readAllLines(portFile);
            }
        }
        URI uri = URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
        return HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(STEP).buildAsync(uri, new Listener())
                .get(STEP.toSeconds(), TimeUnit.SECONDS);
    }

    /** What chromium printed (for failure messages). */
    String log() {
        try {
            String s = Files.readString(home.resolve("chromium.log"));
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Sends one command (to the page's session, or the browser when {@code session} is null) and waits for its result. */
    JsonNode send(String session, String method, Map<String, ?> params) throws Exception {
        long id = nextId.incrementAndGet();
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", JSON.valueToTree(params));
        if (session != null) {
            msg.put("sessionId", session);
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        synchronized (socket) {
            socket.sendText(JSON.writeValueAsString(msg), true).get(STEP.toSeconds(), TimeUnit.SECONDS);
        }
        JsonNode r = reply.get(STEP.toSeconds(), TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IOException(method + ": " + r.get("error"));
        }
        return r.get("result");
    }

    /**
     * Loads {@code url} and waits for its load event and {@code settleMillis} more; returns what
     * it reported as errors (empty when none). {@link #requests()} then lists what it requested.
     */
    List<String> load(URI url, long settleMillis) throws Exception {
        problems.clear();
        requests.clear();
        loaded = new CompletableFuture<>();
        JsonNode nav = send(session, "Page.navigate", Map.of("url", url.toString()));
        if (nav.hasNonNull("errorText")) {
            problems.add("navigation: " + nav.get("errorText").asText());
        }
        loaded.get(STEP.toSeconds(), TimeUnit.SECONDS);
        long deadline = System.nanoTime() + STEP.toNanos(); // a late load event of the blank page must not count
        while (!evaluate("document.readyState === 'complete' && location.href").asText().equals(url.toString())) {
            if (System.nanoTime() > deadline) {
                throw new IOException(url + " did not load in " + STEP.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
        Thread.sleep(settleMillis);
        return List.copyOf(problems);
    }

    /** The URLs the last page requested (itself included). */
    List<String> requests() {
        return List.copyOf(requests);
    }

    /** The value of a JavaScript expression in the page (returned by value). */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode r = send(session, "Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new IOException(expression + ": " + r.get("exceptionDetails"));
        }
        return r.get("result").get("value");
    }

    /** A screenshot of the whole page (beyond the viewport), PNG bytes. */
    byte[] screenshotPng() throws Exception {
        JsonNode size = send(session, "Page.getLayoutMetrics", Map.of()).get("cssContentSize");
        Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", Math.ceil(size.get("width").asDouble()),
                "height", Math.ceil(size.get("height").asDouble()), "scale", 1);
        JsonNode shot = send(session, "Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        return Base64.getDecoder().decode(shot.get("data").asText());
    }

    /** {@link #screenshotPng()} decoded. */
    static BufferedImage decode(byte[] png) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(png));
    }

    /** Every process of the browser seen so far (the main one and its descendants). */
    List<ProcessHandle> processes() {
        remember();
        return List.copyOf(processes);
    }

    private void remember() {
        if (process.isAlive()) {
            process.descendants().forEach(p -> {
                if (!processes.contains(p)) {
                    processes.add(p);
                }
            });
        }
    }

    /** Closes the browser (politely, then by force), waits for every process of it to end, deletes the profile. */
    @Override
    public void close() throws IOException {
        remember();
        try {
            if (socket != null) {
                try {
                    send(null, "Browser.close", Map.of());
                } catch (Exception ignored) {
                    // the socket may close before the reply: killed below anyway
                }
                socket.abort();
            }
            process.waitFor(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            kill();
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            deleteTree(home);
        }
    }

    /** Ends every process of the browser by force and waits for them. */
    private void kill() {
        remember();
        for (ProcessHandle p : processes) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : processes) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // reported by the caller's check of processes()
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The temporary folder of the profile and the log (gone after close). */
    Path home() {
        return home;
    }

    /** Reassembles messages, answers replies and records events. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    handle(JSON.readTree(text));
                } catch (IOException e) {
                    problems.add("unreadable DevTools message: " + e);
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            pending.values().forEach(f -> f.completeExceptionally(error));
        }
    }

    private void handle(JsonNode m) {
        if (m.has("id")) {
            CompletableFuture<JsonNode> f = pending.remove(m.get("id").asLong());
            if (f != null) {
                f.complete(m);
            }
            return;
        }
        String method = m.path("method").asText();
        JsonNode p = m.path("params");
        switch (method) {
            case "Runtime.consoleAPICalled" -> {
                String type = p.path("type").asText();
                if (type.equals("error") || type.equals("assert")) {
                    StringBuilder s = new StringBuilder("console." + type + ":");
                    for (JsonNode a : p.path("args")) {
                        s.append(' ').append(a.has("value") ? a.get("value").asText() : a.path("description").asText());
                    }
                    problems.add(s.toString());
                }
            }
            case "Runtime.exceptionThrown" -> {
                JsonNode d = p.path("exceptionDetails");
                problems.add("exception: " + d.path("exception").path("description").asText(d.path("text").asText()));
            }
            case "Log.entryAdded" -> {
                JsonNode e = p.path("entry");
                if (e.path("level").asText().equals("error")) {
                    problems.add("log (" + e.path("source").asText() + "): " + e.path("text").asText() + " " + e.path("url").asText());
                }
            }
            case "Network.requestWillBeSent" -> requests.add(p.path("request").path("url").asText());
            case "Network.loadingFailed" -> problems.add("failed load: " + p.path("errorText").asText());
            case "Inspector.targetCrashed", "Target.targetCrashed" -> problems.add("the page crashed");
            case "Page.loadEventFired" -> loaded.complete(null);
            default -> { }
        }
    }

    /** The problems reported so far on the current page. */
    List<String> problems() {
        return new ArrayList<>(problems);
    }
}
