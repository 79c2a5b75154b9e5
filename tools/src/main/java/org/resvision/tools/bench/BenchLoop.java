package org.resvision.tools.bench;

import org.resvision.tools.CliCommand;
import org.resvision.tools.UsageException;
import picocli.CommandLine.Option;

/**
 * The options every model benchmark has: images per iteration, the timed iterations and the
 * untimed ones before them; each benchmark gives its own defaults ({@code @Mixin BenchLoop loop =
 * new BenchLoop(1, 7, 2)}).
 */
final class BenchLoop {

    @Option(names = "--batch", paramLabel = "N", description = "images per iteration (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--iters", paramLabel = "N", description = "timed iterations (default: ${DEFAULT-VALUE})")
    int iters;

    @Option(names = "--warmup", paramLabel = "N", description = "untimed iterations first (default: ${DEFAULT-VALUE})")
    int warmup;

    BenchLoop(int batch, int iters, int warmup) {
        this.batch = batch;
        this.iters = iters;
        this.warmup = warmup;
    }

    /** Usage errors for a batch or timed iterations below 1, or a negative warm-up. */
    void check(CliCommand c) throws UsageException {
        c.atLeast("--batch", batch, 1);
        c.atLeast("--iters", iters, 1);
        c.atLeast("--warmup", warmup, 0);
    }
}
