package org.resvision.data.loader;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * What a pass over a dataset does with items that cannot be read (a truncated JPEG, a 0-byte
 * file): by default each is skipped with one warning line naming it (once per item, however many
 * epochs see it); {@code strict} fails at the first. Too many unreadable items still fail: more
 * than {@link #MAX_FRACTION} of the items tried, once at least {@link #MIN_TRIED} have been tried
 * (or the whole dataset, when smaller) and more than one is bad; the message says how many and
 * names the first. Thread-safe: loader workers report here concurrently.
 */
public final class BadItems {

    /** The largest tolerated fraction of unreadable items. */
    public static final double MAX_FRACTION = 0.10;
    /** Items tried before the fraction is judged (or the dataset's size, when smaller). */
    public static final int MIN_TRIED = 20;

    private final boolean strict;
    private final int datasetSize;
    private final Consumer<String> warn;
    private final Set<Integer> tried = ConcurrentHashMap.newKeySet();
    private final Set<Integer> bad = ConcurrentHashMap.newKeySet();
    private volatile String first;

    /**
     * @param strict fail at the first unreadable item
     * @param datasetSize how many items the dataset has
     * @param warn where each skipped item's warning line goes (for example {@code System.err::println})
     */
    public BadItems(boolean strict, int datasetSize, Consumer<String> warn) {
        this.strict = strict;
        this.datasetSize = datasetSize;
        this.warn = warn;
    }

    /**
     * Item {@code index} was read.
     *
     * @param index dataset index of the item
     * @throws TooManyBadItemsException when, with this item counted as tried, the unreadable items exceed
     *     the tolerated fraction
     */
    public void ok(int index) throws IOException {
        tried.add(index);
        check();
    }

    /**
     * Item {@code index} could not be read: rethrows in strict mode or when too many are bad,
     * else warns (the first time this item fails) and returns, and the caller skips it.
     *
     * @param index dataset index of the item
     * @param e why it could not be read; its message is the warning line and, for the first bad item, part
     *     of the final error
     * @throws IOException {@code e} itself in strict mode, or a {@link TooManyBadItemsException} when this
     *     item makes too many bad ones
     */
    public void failed(int index, IOException e) throws IOException {
        if (strict) {
            throw e;
        }
        tried.add(index);
        if (bad.add(index)) {
            synchronized (this) {
                if (first == null) {
                    first = e.getMessage();
                }
            }
            check();
            warn.accept("warning: " + e.getMessage() + "; skipped (" + bad.size() + " unreadable of " + tried.size()
                    + " read so far; --strict stops at the first)");
        }
    }

    private void check() throws TooManyBadItemsException {
        int b = bad.size();
        int t = tried.size();
        if (b > 1 && t >= Math.min(MIN_TRIED, datasetSize) && b > MAX_FRACTION * t) {
            throw new TooManyBadItemsException(b + " of " + t + " images read so far are unreadable (more than "
                    + Math.round(MAX_FRACTION * 100) + "%); the first: " + first);
        }
    }

    /**
     * Items skipped so far.
     *
     * @return distinct items that failed (an item failing again in a later epoch counts once)
     */
    public int skipped() {
        return bad.size();
    }

    /** Thrown when more than the tolerated fraction of items is unreadable. */
    public static final class TooManyBadItemsException extends IOException {
        private static final long serialVersionUID = 1L;

        TooManyBadItemsException(String message) {
            super(message);
        }
    }
}
