package org.resvision.backbone.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP server on 127.0.0.1 (the JDK's {@code com.sun.net.httpserver}) serving byte arrays by
 * file name, with the faults downloads meet: a connection cut after some bytes, a body that stalls,
 * a slow start; it honours {@code Range: bytes=N-} (206, or 416 past the end) and records every request.
 */
public final class LoopbackServer implements AutoCloseable {

    /** One request: the file asked for and its Range header (null when none). */
    public record Request(String file, String range) {}

    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "loopback-http");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    public final List<Request> requests = new CopyOnWriteArrayList<>();
    /** How many responses still end after {@link #cutAfter} bytes, the connection closed. */
    public final AtomicInteger cutsLeft = new AtomicInteger();
    /** Bytes each cut response sends before the connection closes. */
    public volatile int cutAfter;
    /** Send the headers and {@code stallAfter} bytes, then nothing until closed. */
    public volatile boolean stall;
    public volatile int stallAfter = 1000;
    /** Send the body in pieces of {@code trickleBytes}, {@code trickleMillis} apart (a slow but live server). */
    public volatile int trickleBytes;
    public volatile long trickleMillis;
    /** Wait this long before answering (so that concurrent requests overlap). */
    public volatile long delayMillis;
    private final CountDownLatch released = new CountDownLatch(1);

    public LoopbackServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code http://127.0.0.1:PORT/models}: the mirror base URL. */
    public String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/models";
    }

    public String url(String file) {
        return base() + "/" + file;
    }

    public void serve(String file, byte[] data) {
        files.put(file, data);
    }

    public long requestsFor(String file) {
        return requests.stream().filter(r -> r.file().equals(file)).count();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String file = path.substring(path.lastIndexOf('/') + 1);
        String range = ex.getRequestHeaders().getFirst("Range");
        requests.add(new Request(file, range));
        try {
            if (delayMillis > 0) {
                Thread.sleep(delayMillis);
            }
            byte[] data = files.get(file);
            if (data == null || !path.equals("/models/" + file)) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            int from = 0;
            if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
                from = Integer.parseInt(range.substring(6, range.length() - 1));
                if (from >= data.length) {
                    ex.getResponseHeaders().add("Content-Range", "bytes */" + data.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
                ex.sendResponseHeaders(206, data.length - from);
            } else {
                ex.sendResponseHeaders(200, data.length);
            }
            OutputStream out = ex.getResponseBody();
            if (stall) {
                out.write(data, from, Math.min(stallAfter, data.length - from));
                out.flush();
                released.await(30, TimeUnit.SECONDS);
                throw new IOException("stalled on purpose");
            }
            if (cutsLeft.getAndDecrement() > 0) {
                out.write(data, from, Math.min(cutAfter, data.length - from));
                out.flush();
                // an exception from a handler closes the connection: the client sees the body end early
                throw new IOException("cut on purpose");
            }
            if (trickleBytes > 0) {
                for (int at = from; at < data.length; at += trickleBytes) {
                    out.write(data, at, Math.min(trickleBytes, data.length - at));
                    out.flush();
                    Thread.sleep(trickleMillis);
                }
                return;
            }
            out.write(data, from, data.length - from);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        pool.shutdownNow();
    }

    /** A real safetensors state dict of {@code floats} float32 values named {@code w} (no engine needed to write it). */
    public static byte[] safetensors(int floats, long seed) {
        String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[" + floats + "],\"data_offsets\":[0," + 4L * floats + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4 * floats).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < floats; i++) {
            b.putFloat((float) r.nextGaussian());
        }
        return b.array();
    }
}
