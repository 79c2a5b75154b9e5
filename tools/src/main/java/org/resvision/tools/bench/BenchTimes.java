package org.resvision.tools.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.resvision.train.TrainingDivergedException;

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
        return report(mode, batch, times, warmup, Float.NaN);
    }

    /**
     * {@link #report(String, int, List, int)} followed by {@code loss=..}, the last training
     * step's total loss (the torchvision side prints its own: equal work on both sides shows as
     * losses of the same size), unless {@code loss} is NaN (inference).
     *
     * @param mode {@code infer} or {@code train}
     * @param batch images per iteration
     * @param times each iteration's milliseconds, warm-up first
     * @param warmup how many of {@code times} are warm-up
     * @param loss the last iteration's loss, or NaN for none
     * @return the line
     */
    static String report(String mode, int batch, List<Double> times, int warmup, float loss) {
        String line = timesLine(mode, batch, times, warmup);
        return Float.isNaN(loss) ? line : line + String.format(Locale.ROOT, " loss=%.4g", loss);
    }

    /**
     * A training step's total loss, checked: a step whose loss is NaN or infinite belongs to a
     * diverged run, whose later steps would time other work than a training step's (a diverged
     * Faster R-CNN keeps only its ground-truth boxes as proposals), so the bench stops there.
     *
     * @param total the scalar loss; not closed
     * @param iteration the step's index, warm-up included (0-based)
     * @return its value
     * @throws TrainingDivergedException the loss is NaN or infinite
     */
    static float finiteLoss(ai.djl.ndarray.NDArray total, int iteration) {
        float v = total.getFloat();
        if (!Float.isFinite(v)) {
            throw new TrainingDivergedException("training diverged at step " + (iteration + 1) + " (loss " + v
                    + "): the later steps would not time a training step's work");
        }
        return v;
    }

    private static String timesLine(String mode, int batch, List<Double> times, int warmup) {
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
