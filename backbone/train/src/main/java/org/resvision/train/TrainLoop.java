package org.resvision.train;

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
import org.resvision.nn.TorchModule;

/**
 * The training loop detection and segmentation share: per iteration a batch, a dictionary of
 * named losses (summed for backward), an SGD step at the schedule's learning rate, optional
 * gradient clipping; a log line with losses, lr, s/it and ETA every {@code logEvery}; a
 * checkpoint every {@code checkpointEvery} and at the end (atomic, with optimizer state and
 * iteration, so {@code resume} continues exactly); an evaluation callback at each checkpoint. A
 * NaN or infinite loss stops the run with {@link TrainingDivergedException}, the last good
 * checkpoint left as it was.
 *
 * <p>A run happens on the calling thread; nothing else may use the model, the optimizer or the
 * manager while it goes on (every step writes the parameters in place).
 */
public final class TrainLoop {

    /**
     * Loop settings.
     *
     * @param maxIters the iteration count at which the run ends, a resumed run included (at least 1)
     * @param logEvery iterations between log lines (at least 1); the last iteration always logs
     * @param checkpointEvery iterations between checkpoints (at least 1); with a run folder, the last
     *     iteration always checkpoints
     * @param runDir the folder for checkpoints ({@link Checkpoints}), or {@code null} for none: then
     *     nothing is saved, {@code resume} is ignored and the evaluation runs once, at the end
     * @param resume continue from the newest checkpoint in {@code runDir}, if there is one
     * @param clipGradNorm the largest global L2 norm of all gradients, 0 for no clipping
     */
    public record Options(int maxIters, int logEvery, int checkpointEvery, Path runDir, boolean resume, float clipGradNorm) {
        /**
         * Checks the settings.
         *
         * @param maxIters the iteration count at which the run ends (at least 1)
         * @param logEvery iterations between log lines (at least 1)
         * @param checkpointEvery iterations between checkpoints (at least 1)
         * @param runDir the folder for checkpoints, or {@code null} for none
         * @param resume continue from the newest checkpoint in {@code runDir}
         * @param clipGradNorm the largest global L2 norm of all gradients, 0 for no clipping
         * @throws IllegalArgumentException a count is below 1, or {@code clipGradNorm} is negative,
         *     NaN or infinite
         */
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
        /**
         * The losses of one batch.
         *
         * @param batch the step's batch; the loop closes it after the step
         * @param iteration the 0-based iteration
         * @return loss name -&gt; scalar float array, non-empty, in the order the log shows them;
         *     their sum is back-propagated, and the loop does not close them
         */
        Map<String, NDArray> compute(B batch, int iteration);
    }

    /** Runs at each checkpoint; returns a line for the log (for example a metric summary). */
    public interface Evaluation {
        /**
         * Evaluates the model as it is now.
         *
         * @param iteration the number of completed iterations (the checkpoint's)
         * @return the text logged after {@code "eval @N: "}
         * @throws Exception any failure; it ends the run and reaches the caller of {@link TrainLoop#run}
         */
        String run(int iteration) throws Exception;
    }

    private TrainLoop() {}

    /**
     * Trains until {@code maxIters}; returns the last logged smoothed losses. {@code batchesFrom}
     * gives the batch stream starting at an iteration (0, or where a resumed run stopped, so the
     * data order continues too). Batches are closed after their step.
     *
     * @param <B> the batch type
     * @param model the module being trained (its parameters are checked for NaN and infinity before
     *     each checkpoint)
     * @param sgd the optimizer, stepped once per iteration
     * @param lr the learning rate by iteration
     * @param batchesFrom called once with the first iteration to run; the supplier it returns gives
     *     one batch per iteration
     * @param losses computes the named losses of a batch inside the gradient collector
     * @param o the loop settings
     * @param evaluation run after each checkpoint (at the end only, when there is no run folder),
     *     or {@code null} for none
     * @param manager used to resume (it keeps the arrays read from the checkpoint; see {@link
     *     Checkpoints#resume}) and as the parent of each save's scratch manager
     * @param log receives the resume line, the progress lines and the evaluation lines
     * @return the smoothed losses by name ({@code 0.9 * old + 0.1 * new} per iteration, starting at
     *     this run's first value) as at the last iteration; empty when a resumed run had nothing left
     *     to do
     * @throws TrainingDivergedException a loss, or a parameter before a checkpoint, is NaN or infinite
     * @throws Exception what the batches, the losses, the evaluation or the checkpoint I/O throw
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
