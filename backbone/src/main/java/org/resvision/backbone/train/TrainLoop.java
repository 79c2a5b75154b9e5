package org.resvision.backbone.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.resvision.backbone.nn.TorchModule;

/**
 * The training loop detection and segmentation share: per iteration a batch, a dictionary of
 * named losses (summed for backward), an SGD step at the schedule's learning rate, optional
 * gradient clipping; a log line with losses, lr, s/it and ETA every {@code logEvery}; a
 * checkpoint every {@code checkpointEvery} and at the end (atomic, with optimizer state and
 * iteration, so {@code resume} continues exactly); an evaluation callback at each checkpoint. A
 * NaN or infinite loss stops the run with {@link TrainingDivergedException}, the last good
 * checkpoint left as it was.
 */
public final class TrainLoop {

    /** Loop settings. */
    public record Options(int maxIters, int logEvery, int checkpointEvery, Path runDir, boolean resume, float clipGradNorm) {
        public Options {
            Recipe.atLeastOne("iterations", maxIters);
            Recipe.atLeastOne("log_every", logEvery);
            Recipe.atLeastOne("checkpoint_every", checkpointEvery);
            if (!(clipGradNorm >= 0) || !Float.isFinite(clipGradNorm)) {
                throw new IllegalArgumentException("clip_grad_norm " + clipGradNorm + " must be a number >= 0 (0: no clipping)");
            }
        }
    }

    /**
     * Computes the named losses of one batch (forward in training mode inside the collector);
     * {@code iteration} (0-based) lets random choices inside the step, such as detection's
     * sampling, be seeded per step so a resumed run repeats them.
     */
    public interface Losses<B> {
        Map<String, NDArray> compute(B batch, int iteration);
    }

    /** Runs at each checkpoint; returns a line for the log (for example a metric summary). */
    public interface Evaluation {
        String run(int iteration) throws Exception;
    }

    private TrainLoop() {}

    /**
     * Trains until {@code maxIters}; returns the last logged smoothed losses. {@code batchesFrom}
     * gives the batch stream starting at an iteration (0, or where a resumed run stopped, so the
     * data order continues too). Batches are closed after their step.
     */
    public static <B extends AutoCloseable> Map<String, Double> run(
            TorchModule model, Sgd sgd, LrSchedule lr, IntFunction<Supplier<B>> batchesFrom, Losses<B> losses, Options o,
            Evaluation evaluation, NDManager manager, PrintStream log) throws Exception {
        int start = o.resume() && o.runDir() != null ? Checkpoints.resume(o.runDir(), model, sgd, manager) : 0;
        if (start > 0) {
            log.println("resumed from " + o.runDir() + " at iteration " + start);
        }
        Supplier<B> batches = batchesFrom.apply(start);
        Map<String, Double> smooth = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        int lastGood = start;
        for (int it = start; it < o.maxIters(); it++) {
            Map<String, Float> values = new LinkedHashMap<>();
            try (B batch = batches.get(); GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Map<String, NDArray> l = losses.compute(batch, it);
                NDArray total = null;
                for (Map.Entry<String, NDArray> e : l.entrySet()) {
                    values.put(e.getKey(), e.getValue().getFloat());
                    total = total == null ? e.getValue() : total.add(e.getValue());
                }
                float sum = values.values().stream().reduce(0f, Float::sum);
                if (!Float.isFinite(sum)) {
                    throw new TrainingDivergedException(String.format(Locale.ROOT,
                            "iteration %d: the loss is %s (%s); stopped, %s", it + 1, sum, values,
                            kept(o.runDir(), lastGood)));
                }
                gc.backward(total);
            }
            if (o.clipGradNorm() > 0) {
                clip(model, o.clipGradNorm());
            }
            float rate = lr.at(it);
            sgd.step(rate);
            for (Map.Entry<String, Float> e : values.entrySet()) {
                smooth.merge(e.getKey(), (double) e.getValue(), (a, b) -> 0.9 * a + 0.1 * b);
            }
            int done = it + 1;
            if (done % o.logEvery() == 0 || done == o.maxIters()) {
                double sPerIt = (System.nanoTime() - t0) / 1e9 / (done - start);
                StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "[%s] it %d/%d", bar(done, o.maxIters()), done, o.maxIters()));
                smooth.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " %s %.4f", k, v)));
                sb.append(String.format(Locale.ROOT, " lr %.5f %.2fs/it eta %s", rate, sPerIt, eta(sPerIt * (o.maxIters() - done))));
                log.println(sb);
            }
            if (o.runDir() != null && (done % o.checkpointEvery() == 0 || done == o.maxIters())) {
                String bad = nonFinite(model);
                if (bad != null) {
                    throw new TrainingDivergedException(String.format(Locale.ROOT,
                            "iteration %d: parameter %s is no longer finite (the step diverged); stopped, %s", done, bad,
                            kept(o.runDir(), lastGood)));
                }
                Checkpoints.save(o.runDir(), model, sgd, done, manager);
                lastGood = done;
                if (evaluation != null) {
                    log.println("eval @" + done + ": " + evaluation.run(done));
                }
            } else if (o.runDir() == null && evaluation != null && done == o.maxIters()) {
                log.println("eval @" + done + ": " + evaluation.run(done));
            }
        }
        return smooth;
    }

    /** What a diverged run leaves the user: the last good checkpoint, if one was written. */
    private static String kept(Path runDir, int lastGood) {
        if (runDir == null) {
            return "no checkpoint kept";
        }
        Path model = runDir.resolve("model.safetensors");
        return java.nio.file.Files.exists(model) ? "the last good checkpoint (iteration " + lastGood + ") is " + model
                : "no checkpoint had been written yet";
    }

    /** The name of the first parameter holding NaN or infinity, or null (checked before each checkpoint). */
    static String nonFinite(TorchModule model) {
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            NDArray a = e.getValue().getArray();
            if (!a.getDataType().isFloating()) {
                continue;
            }
            try (NDArray s = a.sum(); NDArray f = s.toType(ai.djl.ndarray.types.DataType.FLOAT32, true)) {
                if (!Float.isFinite(f.getFloat())) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    /** Scales every gradient so their global L2 norm is at most {@code max}. */
    static void clip(TorchModule model, float max) {
        double sq = 0;
        for (Parameter p : model.namedParameters().values()) {
            if (p.requiresGradient()) {
                try (NDArray g = p.getArray().getGradient(); NDArray s = g.square().sum()) {
                    sq += s.getFloat();
                }
            }
        }
        double norm = Math.sqrt(sq);
        if (norm > max) {
            float scale = (float) (max / (norm + 1e-6));
            for (Parameter p : model.namedParameters().values()) {
                if (p.requiresGradient()) {
                    try (NDArray g = p.getArray().getGradient()) {
                        g.muli(scale);
                    }
                }
            }
        }
    }

    private static String bar(int done, int total) {
        int w = 20;
        int filled = (int) ((long) done * w / total);
        return "#".repeat(filled) + ".".repeat(w - filled);
    }

    private static String eta(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

}
