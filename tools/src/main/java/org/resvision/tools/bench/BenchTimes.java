package org.resvision.tools.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The line the bench scripts parse from a model benchmark's iteration times. */
final class BenchTimes {

    private BenchTimes() {}

    /**
     * {@code resvision <mode> b<batch> median_ms=.. min_ms=.. peak_rss_mb=..}, over the iterations after
     * {@code warmup}.
     *
     * @param mode {@code infer} or {@code train}
     * @param batch images per iteration
     * @param times each iteration's milliseconds, warm-up first
     * @param warmup how many of {@code times} are warm-up
     * @return the line
     */
    static String report(String mode, int batch, List<Double> times, int warmup) {
        List<Double> measured = new ArrayList<>(times.subList(warmup, times.size()));
        Collections.sort(measured);
        double median = measured.size() % 2 == 1
                ? measured.get(measured.size() / 2)
                : (measured.get(measured.size() / 2 - 1) + measured.get(measured.size() / 2)) / 2;
        return String.format(Locale.ROOT, "resvision %s b%d median_ms=%.1f min_ms=%.1f peak_rss_mb=%d",
                mode, batch, median, measured.get(0), PeakRss.megabytes());
    }

    /** A benchmark's mode. */
    enum Mode {
        /** Inference: forward passes without autograd. */
        infer,
        /** Training: forward in training mode, the losses, backward and an SGD step. */
        train
    }
}
