package org.resvision.data.coco;

import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.MaskRuns;
import org.resvision.data.mask.Rle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The segmentations of a results list, one slot per detection ({@link CocoResults}' mask column).
 * A compressed RLE read by the fast scanner is kept packed: its size and the bytes of its {@code
 * counts} string in a shared page, no object per detection (at val2017 scale a record, a string
 * and its bytes per mask were 1.1 million small objects, each copied by the collector once); any
 * other segmentation is kept as the {@link Segmentation} it is. {@link #get} makes the record of a
 * packed one on demand; {@link #decode} and {@link #decodeProblem} read its bytes directly.
 *
 * <p>Immutable once built; safe to share between threads. Accessors taking a detection index
 * {@code d} throw {@link IndexOutOfBoundsException} unless {@code 0 <= d < size()}.
 */
public final class Segmentations implements java.io.Serializable {

    private static final long serialVersionUID = 1L;
    /**
     * Pages grow to this size: smaller than the arrays the launcher's collector settings make in the
     * old generation at once (512 KB), so that a page left over (a trimmed last page) dies young
     * instead of staying until a full collection (1 MB pages left 70 MB of them at val2017 scale).
     */
    private static final int MAX_PAGE = 1 << 18;
    /** Fields per packed entry: page, offset, length (-1: not packed), mask height, mask width. */
    private static final int F = 5;

    /** The number of slots. */
    private final int n;
    /** [F d .. F d + 4]: detection d's packed string; length -1 where it has none. */
    private final int[] packed;
    /** The pages packed strings lie in (one string never spans two). */
    private final byte[][] pages;
    /** Detection d's segmentation where it is not packed (null: none, or packed); null when all are packed or none. */
    private final Segmentation[] objects;

    private Segmentations(int n, int[] packed, byte[][] pages, Segmentation[] objects) {
        this.n = n;
        this.packed = packed;
        this.pages = pages;
        this.objects = objects;
    }

    /**
     * The number of slots (detections), with or without a segmentation.
     *
     * @return the count
     */
    public int size() {
        return n;
    }

    /**
     * Detection {@code d}'s segmentation, or null; a packed one as a new {@link
     * Segmentation.CompressedRle} equal to the one read.
     *
     * @param d detection index
     * @return the segmentation, or {@code null} when it has none
     */
    public Segmentation get(int d) {
        check(d);
        if (packed[F * d + 2] >= 0) {
            int at = F * d;
            return new Segmentation.CompressedRle(packed[at + 3], packed[at + 4],
                    new String(pages[packed[at]], packed[at + 1], packed[at + 2], StandardCharsets.ISO_8859_1));
        }
        return objects == null ? null : objects[d];
    }

    /**
     * Whether detection {@code d} has a segmentation ({@link #get} is not null), without making it.
     *
     * @param d detection index
     * @return true when it has one
     */
    public boolean has(int d) {
        return packed[F * check(d) + 2] >= 0 || objects != null && objects[d] != null;
    }

    /**
     * Whether detection {@code d}'s segmentation is a packed compressed RLE (then {@link #height},
     * {@link #width}, {@link #decode} and {@link #decodeProblem} read it).
     *
     * @param d detection index
     * @return true when packed
     */
    public boolean packed(int d) {
        return packed[F * check(d) + 2] >= 0;
    }

    /**
     * A packed RLE's height ({@code size[0]}).
     *
     * @param d detection index of a {@link #packed} segmentation
     * @return its height in pixels
     * @throws IllegalStateException when it is not packed
     */
    public int height(int d) {
        return packed[F * checkPacked(d) + 3];
    }

    /**
     * A packed RLE's width ({@code size[1]}).
     *
     * @param d detection index of a {@link #packed} segmentation
     * @return its width in pixels
     * @throws IllegalStateException when it is not packed
     */
    public int width(int d) {
        return packed[F * checkPacked(d) + 4];
    }

    /**
     * A packed RLE's mask: {@code MaskApi.fromString(counts, h, w)} without making the string.
     *
     * @param d detection index of a {@link #packed} segmentation
     * @return a new mask of its own size
     * @throws IllegalArgumentException as {@link MaskApi#fromString} does, for a malformed string
     * @throws IllegalStateException when it is not packed
     */
    public Rle decode(int d) {
        int at = F * checkPacked(d);
        int from = packed[at + 1];
        return MaskApi.fromBytes(pages[packed[at]], from, from + packed[at + 2], packed[at + 3], packed[at + 4]);
    }

    /**
     * A packed RLE's runs as an IoU reads them ({@link MaskRuns#of}): {@link #decode} without
     * making the mask, with the same errors.
     *
     * @param d detection index of a {@link #packed} segmentation
     * @return its foreground intervals and area
     * @throws IllegalArgumentException as {@link #decode} does, for a malformed string
     * @throws IllegalStateException when it is not packed
     */
    public MaskRuns decodeRuns(int d) {
        int at = F * checkPacked(d);
        int from = packed[at + 1];
        return MaskApi.runsFromBytes(pages[packed[at]], from, from + packed[at + 2], packed[at + 3], packed[at + 4]);
    }

    /**
     * Why {@link #decode} would refuse a packed RLE, with the same message, or null; no mask is made.
     *
     * @param d detection index of a {@link #packed} segmentation
     * @return the one-line reason, or null
     * @throws IllegalStateException when it is not packed
     */
    public String decodeProblem(int d) {
        int at = F * checkPacked(d);
        int from = packed[at + 1];
        return MaskApi.fromBytesProblem(pages[packed[at]], from, from + packed[at + 2], packed[at + 3], packed[at + 4]);
    }

    /**
     * The slots of several columns one after the other (a null part: {@code sizes[j]} empty slots).
     *
     * @param parts the columns, null entries allowed
     * @param sizes each part's slot count (a non-null part's {@link #size()})
     * @return a new column of {@code sum(sizes)} slots, or null when every part is null
     * @throws IllegalArgumentException when a part's size is not its entry in {@code sizes}
     */
    public static Segmentations concat(List<Segmentations> parts, int[] sizes) {
        if (parts.stream().allMatch(p -> p == null)) {
            return null;
        }
        Builder b = new Builder();
        int off = 0;
        for (int j = 0; j < parts.size(); j++) {
            Segmentations p = parts.get(j);
            if (p != null) {
                if (p.n != sizes[j]) {
                    throw new IllegalArgumentException("part " + j + " has " + p.n + " slots, not " + sizes[j]);
                }
                b.putAll(off, p);
            }
            off += sizes[j];
        }
        return b.build(off);
    }

    private int check(int d) {
        if (d < 0 || d >= n) {
            throw new IndexOutOfBoundsException("detection " + d + " of " + n);
        }
        return d;
    }

    private int checkPacked(int d) {
        if (!packed(d)) {
            throw new IllegalStateException("detection " + d + "'s segmentation is not a packed RLE");
        }
        return d;
    }

    /** Fills slots in any order (unfilled ones have no segmentation); not thread-safe. */
    public static final class Builder {
        private int[] packed;
        private Segmentation[] objects;
        private final List<byte[]> pages = new ArrayList<>();
        private byte[] page;
        private int fill;
        /** One more than the highest slot filled. */
        private int n;

        /** An empty column. */
        public Builder() {
            this(16);
        }

        /**
         * An empty column with room for {@code capacity} slots (it grows as needed: growing a column
         * of a million slots leaves arrays that only a full collection frees).
         *
         * @param capacity slots expected
         */
        public Builder(int capacity) {
            packed = new int[F * Math.max(0, capacity)];
            Arrays.fill(packed, -1);
        }

        /**
         * Sets slot {@code d} to {@code s} (null: none).
         *
         * @param d the slot, 0 or more
         * @param s the segmentation, kept by reference, or null
         */
        public void put(int d, Segmentation s) {
            ensure(d);
            packed[F * d + 2] = -1;
            if (s != null && objects == null) {
                objects = new Segmentation[packed.length / F];
            }
            if (objects != null) {
                objects[d] = s;
            }
        }

        /**
         * Sets slot {@code d} to the compressed RLE {@code {"size": [h, w], "counts": "..."}} whose
         * string lies in {@code b[from..to)} as JSON writes it: {@code escaped} says whether it
         * holds escapes ({@code \\}, {@code \"}, {@code \/}), which are undone here.
         *
         * @param d the slot, 0 or more
         * @param h the RLE's height
         * @param w the RLE's width
         * @param b bytes holding the string (copied)
         * @param from the index of its first byte
         * @param to the index after its last
         * @param escaped whether it holds backslash escapes
         */
        public void putCompressed(int d, int h, int w, byte[] b, int from, int to, boolean escaped) {
            int[] at = new int[escaped ? (to - from) / 2 + 1 : 0];
            int n = 0;
            for (int j = from; escaped && j < to; j++) {
                if (b[j] == '\\') {
                    at[n++] = j++;
                }
            }
            putCompressed(d, h, w, b, from, to, at, n);
        }

        /**
         * {@link #putCompressed(int, int, int, byte[], int, int, boolean)} with the positions of the
         * backslashes that start an escape known (the first {@code escapeCount} of {@code
         * escapes}, ascending): the string is copied between them.
         */
        void putCompressed(int d, int h, int w, byte[] b, int from, int to, int[] escapes, int escapeCount) {
            ensure(d);
            int len = to - from - escapeCount;
            if (page == null || page.length - fill < len) {
                int size = page == null ? 1 << 14 : Math.min(MAX_PAGE, 2 * page.length);
                page = new byte[Math.max(len, size)];
                pages.add(page);
                fill = 0;
            }
            int start = fill;
            int p = from;
            for (int e = 0; e < escapeCount; e++) {
                int bs = escapes[e];
                System.arraycopy(b, p, page, fill, bs - p);
                fill += bs - p;
                p = bs + 1; // the escaped byte starts the next stretch
            }
            System.arraycopy(b, p, page, fill, to - p);
            fill += to - p;
            int at = F * d;
            packed[at] = pages.size() - 1;
            packed[at + 1] = start;
            packed[at + 2] = fill - start;
            packed[at + 3] = h;
            packed[at + 4] = w;
            if (objects != null) {
                objects[d] = null;
            }
        }

        /** Slots {@code off ..} take {@code p}'s, its pages shared (not copied). */
        void putAll(int off, Segmentations p) {
            if (p.n == 0) {
                return;
            }
            ensure(off + p.n - 1);
            int shift = pages.size();
            pages.addAll(Arrays.asList(p.pages));
            page = null; // the next string starts a page of this builder's own
            for (int d = 0; d < p.n; d++) {
                int from = F * d;
                int to = F * (off + d);
                System.arraycopy(p.packed, from, packed, to, F);
                if (p.packed[from + 2] >= 0) {
                    packed[to] += shift;
                }
            }
            if (p.objects != null) {
                if (objects == null) {
                    objects = new Segmentation[packed.length / F];
                }
                System.arraycopy(p.objects, 0, objects, off, p.n);
            }
        }

        private void ensure(int d) {
            if (d < 0) {
                throw new IndexOutOfBoundsException("slot " + d);
            }
            int cap = packed.length / F;
            if (d >= cap) {
                int c = Math.max(d + 1, Math.max(16, cap + (cap >> 1)));
                packed = Arrays.copyOf(packed, F * c);
                for (int j = cap; j < c; j++) {
                    packed[F * j + 2] = -1;
                }
                if (objects != null) {
                    objects = Arrays.copyOf(objects, c);
                }
            }
            n = Math.max(n, d + 1);
        }

        /**
         * The column of {@code size} slots (those not filled have no segmentation); the builder
         * must not be used after.
         *
         * @param size the slot count, at least one more than the highest slot filled
         * @return the column
         * @throws IllegalArgumentException when a slot at or past {@code size} was filled
         */
        public Segmentations build(int size) {
            if (size < n) {
                throw new IllegalArgumentException("slot " + (n - 1) + " filled in a column of " + size);
            }
            if (size > 0) {
                ensure(size - 1);
            }
            int[] p = packed.length == F * size ? packed : Arrays.copyOf(packed, F * size);
            Segmentation[] o = objects == null ? null : objects.length == size ? objects : Arrays.copyOf(objects, size);
            if (page != null && fill < page.length / 2 && page.length > (1 << 14)) { // the last page trimmed
                byte[] trimmed = Arrays.copyOf(page, fill);
                pages.set(pages.size() - 1, trimmed);
            }
            return new Segmentations(size, p, pages.toArray(new byte[0][]), o);
        }
    }
}
