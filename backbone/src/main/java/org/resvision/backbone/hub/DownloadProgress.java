package org.resvision.backbone.hub;

import java.io.PrintStream;
import java.util.Locale;

/**
 * What a download reports while it runs. {@link #start} comes once per request (again after a
 * resumed or restarted transfer), {@link #update} as bytes arrive, {@link #done} once at the end,
 * whether the download succeeded or failed. {@link WeightsCache} makes all three calls on the
 * thread that asked for the file.
 */
public interface DownloadProgress {

    /**
     * @param fileName the file being fetched
     * @param total the whole file's size in bytes, or -1 when the server does not say
     * @param resumedFrom the bytes already on disk from an earlier, interrupted download (0 when none)
     */
    void start(String fileName, long total, long resumedFrom);

    /** @param bytes the bytes on disk so far (those resumed from included) */
    void update(long bytes);

    /** The download ended (success or failure): a progress line is finished. */
    void done();

    /**
     * Reports nothing.
     *
     * @return a new progress whose methods do nothing (stateless; safe to share)
     */
    static DownloadProgress none() {
        return new DownloadProgress() {
            @Override
            public void start(String fileName, long total, long resumedFrom) {}

            @Override
            public void update(long bytes) {}

            @Override
            public void done() {}
        };
    }

    /**
     * One line on {@code err}: bytes / total MB, MB/s and ETA. On a console the line overwrites itself
     * (carriage return, at most 10 times a second); otherwise a plain line every 5 seconds and at the
     * end, so logs stay readable.
     *
     * @param err where the line goes; flushed after each print, never closed
     * @param console {@code true} to redraw one line with carriage returns, {@code false} for
     *     separate lines
     * @return a new {@link Terminal}
     */
    static DownloadProgress terminal(PrintStream err, boolean console) {
        return new Terminal(err, console, System::nanoTime);
    }

    /**
     * {@link #terminal} on {@code System.err}; a console when the process has one and TERM is not {@code dumb}.
     *
     * @return a new {@link Terminal} on {@code System.err}
     */
    static DownloadProgress terminal() {
        return terminal(System.err, System.console() != null && !"dumb".equals(System.getenv("TERM")));
    }

    /**
     * The terminal implementation; the clock is injectable for tests. Its methods are synchronized:
     * safe to call from several threads, though interleaved downloads would share one line.
     */
    final class Terminal implements DownloadProgress {
        private final PrintStream err;
        private final boolean console;
        private final java.util.function.LongSupplier clock;
        private String name = "";
        private long total = -1;
        private long base;
        private long bytes;
        private long startedAt;
        private long lastPrint;
        private boolean started;
        private int width;

        Terminal(PrintStream err, boolean console, java.util.function.LongSupplier clock) {
            this.err = err;
            this.console = console;
            this.clock = clock;
        }

        @Override
        public synchronized void start(String fileName, long total, long resumedFrom) {
            this.name = fileName;
            this.total = total;
            this.base = resumedFrom;
            this.bytes = resumedFrom;
            this.startedAt = clock.getAsLong();
            this.lastPrint = Long.MIN_VALUE;
            this.started = true;
            print(false);
        }

        @Override
        public synchronized void update(long bytes) {
            this.bytes = bytes;
            long now = clock.getAsLong();
            long every = console ? 100_000_000L : 5_000_000_000L;
            if (started && now - lastPrint >= every) {
                print(false);
            }
        }

        @Override
        public synchronized void done() {
            if (started) {
                print(true);
                started = false;
            }
        }

        /** The progress text: {@code name  12.3 / 167.5 MB  45.6 MB/s  ETA 0:03}. */
        synchronized String line() {
            double mb = bytes / 1e6;
            double seconds = (clock.getAsLong() - startedAt) / 1e9;
            double rate = seconds > 0 ? (bytes - base) / 1e6 / seconds : 0;
            StringBuilder sb = new StringBuilder(name).append("  ");
            if (total >= 0) {
                sb.append(String.format(Locale.ROOT, "%.1f / %.1f MB (%d%%)", mb, total / 1e6, total == 0 ? 100 : (int) (100 * bytes / total)));
            } else {
                sb.append(String.format(Locale.ROOT, "%.1f MB", mb));
            }
            sb.append(String.format(Locale.ROOT, "  %.1f MB/s", rate));
            if (total > 0 && rate > 0 && bytes < total) {
                long eta = Math.round((total - bytes) / 1e6 / rate);
                sb.append(String.format(Locale.ROOT, "  ETA %d:%02d", eta / 60, eta % 60));
            }
            return sb.toString();
        }

        private void print(boolean last) {
            lastPrint = clock.getAsLong();
            String text = line();
            if (console) {
                // pad over what the previous, longer line left on screen
                String padded = text.length() < width ? text + " ".repeat(width - text.length()) : text;
                width = text.length();
                err.print("\r" + padded + (last ? System.lineSeparator() : ""));
            } else {
                err.println(text);
            }
            err.flush();
        }
    }
}
