package org.resvision.data.loader;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.resvision.data.transform.Sample;
import org.resvision.data.transform.Transforms;

/**
 * Decodes and transforms batches on a thread pool while the caller computes, a bounded number of
 * batches ahead. The order of an epoch depends only on (seed, epoch), and every item's random
 * augmentation only on (seed, epoch, index), so results never depend on thread timing.
 * Optionally groups landscape and portrait images into separate batches (aspect-ratio grouping,
 * as torchvision's GroupedBatchSampler with two groups).
 *
 * <p>Not thread-safe: consume each iterator or stream from one thread (the loader's own pool does the
 * concurrent work, calling {@link SampleSource#load} from several workers at once).
 */
public final class PrefetchLoader implements AutoCloseable {

    /**
     * How a loader is set up.
     *
     * @param batchSize items per batch (the last batch of an epoch, or of each aspect group, may be smaller);
     *     positive
     * @param seed decides every epoch's order (when shuffled) and every item's augmentation
     * @param shuffle true: a new random order each epoch; false: dataset order
     * @param groupByAspect true: landscape (aspect ratio at least 1) and portrait items never share a batch
     * @param workers loading threads; positive
     * @param prefetch batches being loaded or waiting ahead of the consumer; positive
     * @param skipBad skip unreadable items, each with one warning line, failing only when too many
     *                are bad ({@link BadItems}); false: fail at the first
     */
    public record Options(int batchSize, long seed, boolean shuffle, boolean groupByAspect, int workers, int prefetch, boolean skipBad) {
        /**
         * Checks the sizes.
         *
         * @param batchSize items per batch, positive
         * @param seed decides the order and the augmentation
         * @param shuffle a new random order each epoch
         * @param groupByAspect keep landscape and portrait items in separate batches
         * @param workers loading threads, positive
         * @param prefetch batches loaded ahead, positive
         * @param skipBad skip unreadable items instead of failing at the first
         * @throws IllegalArgumentException when {@code batchSize}, {@code workers} or {@code prefetch} is not
         *     positive
         */
        public Options {
            if (batchSize <= 0 || workers <= 0 || prefetch <= 0) {
                throw new IllegalArgumentException("batch size, workers and prefetch must be positive");
            }
        }

        /**
         * Shuffled, grouped by aspect ratio, one worker per core, two batches ahead, skipping unreadable items.
         *
         * @param batchSize items per batch, positive
         * @param seed decides the order and the augmentation
         * @return the options
         */
        public static Options training(int batchSize, long seed) {
            return new Options(batchSize, seed, true, true, Runtime.getRuntime().availableProcessors(), 2, true);
        }

        /**
         * These options with {@code skipBad} set.
         *
         * @param skip the new {@code skipBad}
         * @return new options, the rest unchanged
         */
        public Options withSkipBad(boolean skip) {
            return new Options(batchSize, seed, shuffle, groupByAspect, workers, prefetch, skip);
        }
    }

    private final SampleSource source;
    private final Options options;
    private final NDManager root;
    private final ExecutorService pool;
    private volatile BadItems bad;

    /**
     * Batches' managers are children of {@code root}.
     * Starts {@code options.workers()} daemon threads; {@link #close} stops them.
     *
     * @param source the items
     * @param options batch size, order, workers and what to do with unreadable items
     * @param root the parent of every batch's manager; close it only after this loader
     */
    public PrefetchLoader(SampleSource source, Options options, NDManager root) {
        this.source = source;
        this.options = options;
        this.root = root;
        this.bad = new BadItems(!options.skipBad(), source.size(), System.err::println);
        this.pool = Executors.newFixedThreadPool(options.workers(), r -> {
            Thread t = new Thread(r, "resvision-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Items skipped as unreadable so far (only with {@code skipBad}).
     *
     * @return distinct items skipped, over all epochs
     */
    public int skipped() {
        return bad.skipped();
    }

    /**
     * Sends the warning line of each skipped item to {@code warn} instead of stderr; call before the first batch.
     * Calling it later forgets the items tried and skipped so far.
     *
     * @param warn receives each warning line, possibly from several worker threads at once
     * @return this loader
     */
    public PrefetchLoader warnings(java.util.function.Consumer<String> warn) {
        this.bad = new BadItems(!options.skipBad(), source.size(), warn);
        return this;
    }

    /**
     * The batches of one epoch, as dataset indices.
     *
     * @param epoch the epoch, 0-based; with shuffling, each epoch has its own order
     * @return a new list of batches, each an array of dataset indices; the same for the same seed and epoch
     */
    public List<int[]> plan(int epoch) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < source.size(); i++) {
            order.add(i);
        }
        if (options.shuffle()) {
            Collections.shuffle(order, Seeds.random(options.seed(), epoch));
        }
        List<int[]> batches = new ArrayList<>();
        int bs = options.batchSize();
        if (!options.groupByAspect()) {
            for (int i = 0; i < order.size(); i += bs) {
                batches.add(order.subList(i, Math.min(order.size(), i + bs)).stream().mapToInt(Integer::intValue).toArray());
            }
            return batches;
        }
        List<List<Integer>> groups = List.of(new ArrayList<>(), new ArrayList<>());
        for (int idx : order) {
            List<Integer> g = groups.get(source.aspectRatio(idx) >= 1 ? 0 : 1);
            g.add(idx);
            if (g.size() == bs) {
                batches.add(g.stream().mapToInt(Integer::intValue).toArray());
                g.clear();
            }
        }
        for (List<Integer> g : groups) {
            if (!g.isEmpty()) {
                batches.add(g.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return batches;
    }

    /**
     * Iterates the batches of {@code epoch}; close each batch after use.
     *
     * @param epoch the epoch, 0-based
     * @return the batches of {@link #plan(int) plan(epoch)} in order, loaded ahead; as {@link #epoch(int, int)}
     */
    public Iterator<Batch> epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /**
     * An endless stream of batches, epoch after epoch, starting at the batch a run that has done
     * {@code iteration} steps would take next (so a resumed run sees the same data it would have).
     * Batches whose items were all skipped as unreadable are left out (closed).
     *
     * @param iteration steps already done, 0 for a fresh run
     * @return a supplier of batches for one consumer thread; close each batch after use
     */
    public java.util.function.Supplier<Batch> stream(int iteration) {
        return new java.util.function.Supplier<>() {
            int epoch;
            Iterator<Batch> it;

            {
                int left = iteration;
                while (left >= plan(epoch).size() && plan(epoch).size() > 0) {
                    left -= plan(epoch).size();
                    epoch++;
                }
                it = epoch(epoch, left);
            }

            @Override
            public Batch get() {
                while (true) {
                    while (!it.hasNext()) {
                        it = epoch(++epoch);
                    }
                    Batch b = it.next();
                    if (b.size() > 0) {
                        return b;
                    }
                    b.close(); // every item of it was skipped as unreadable
                }
            }
        };
    }

    /**
     * As {@link #epoch(int)}, from batch {@code fromBatch} of the epoch's plan (for resuming).
     * A batch whose items were all skipped as unreadable has size 0. {@code next()} waits for its batch and
     * throws {@link java.io.UncheckedIOException} when an item could not be read (strict mode or too many
     * bad items), or {@link IllegalStateException} for another failure in a worker or an interrupt.
     *
     * @param epoch the epoch, 0-based
     * @param fromBatch the first batch to return (batches before it are not loaded); past the end: none
     * @return an iterator for one consumer thread; loading starts at once, {@code options.prefetch()}
     *     batches ahead
     */
    public Iterator<Batch> epoch(int epoch, int fromBatch) {
        List<int[]> all = plan(epoch);
        List<int[]> plan = all.subList(Math.min(fromBatch, all.size()), all.size());
        return new Iterator<>() {
            private final Deque<Future<Batch>> ahead = new ArrayDeque<>();
            private int submitted;

            {
                fill();
            }

            private void fill() {
                while (ahead.size() < options.prefetch() && submitted < plan.size()) {
                    int[] idx = plan.get(submitted++);
                    ahead.add(pool.submit(() -> build(idx, epoch)));
                }
            }

            @Override
            public boolean hasNext() {
                return !ahead.isEmpty();
            }

            @Override
            public Batch next() {
                if (ahead.isEmpty()) {
                    throw new NoSuchElementException();
                }
                Future<Batch> head = ahead.poll();
                fill();
                try {
                    return head.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while loading", e);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof UncheckedIOException u) {
                        throw u;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err; // out of memory in a worker is the caller's out of memory
                    }
                    throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
                }
            }
        };
    }

    private Batch build(int[] indices, int epoch) {
        NDManager m = root.newSubManager();
        try {
            List<Sample> samples = new ArrayList<>();
            List<Integer> kept = new ArrayList<>();
            for (int idx : indices) {
                Random rnd = Seeds.random(options.seed(), epoch, idx);
                try {
                    Sample s;
                    try {
                        s = source.load(idx, rnd, m);
                    } catch (IOException e) {
                        bad.failed(idx, e); // rethrows unless it is to be skipped
                        continue;
                    }
                    samples.add(s);
                    kept.add(idx);
                    bad.ok(idx);
                } catch (IOException e) {
                    throw new UncheckedIOException(e.getMessage(), e);
                }
            }
            List<NDArray> images = new ArrayList<>();
            for (Sample s : samples) {
                images.add(s.image());
            }
            NDArray batch = images.isEmpty() ? m.zeros(new ai.djl.ndarray.types.Shape(0, 3, 32, 32)) : Transforms.padBatch(images, 32);
            return new Batch(m, batch, samples, kept.stream().mapToInt(Integer::intValue).toArray());
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Stops the workers and waits for them (up to a minute): a worker inside a native op (decoding,
     * stacking a batch) cannot be interrupted, and the caller frees the root manager next, which
     * would pull the arrays from under it (a crash in libtorch, seen in CI). Batches built and never
     * taken are freed with the root manager.
     */
    @Override
    public void close() {
        pool.shutdownNow();
        try {
            pool.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
