package org.resvision.data.coco;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * A results list stored by column: image ids, category ids, scores and boxes in primitive arrays
 * (about 60 bytes per detection, against some 150 for a list of {@link CocoResult} records), the
 * masks, if any, in a {@link Segmentations} column (compressed RLEs packed, no object per mask).
 * It is a read-only {@code List<CocoResult>} whose {@link #get} makes the record on demand;
 * evaluators read the columns directly ({@link #imageId}, {@link #bbox(int, int)}, ...). Accessors
 * taking a detection index {@code d} throw {@link IndexOutOfBoundsException} unless {@code 0 <= d <
 * size()}.
 *
 * <p>Immutable once built (its {@link Builder} hands over its arrays and must not be used after
 * {@link Builder#build()}); safe to share between threads.
 */
public final class CocoResults extends AbstractList<CocoResult> implements RandomAccess {

    private final int n;
    private final long[] imageIds;
    private final long[] categoryIds;
    private final double[] scores;
    /** x, y, w, h per detection; NaN in x for a detection without a box (box values are finite). */
    private final double[] boxes;
    /** Null when no detection has a mask. */
    private final Segmentations masks;

    private CocoResults(int n, long[] imageIds, long[] categoryIds, double[] scores, double[] boxes, Segmentations masks) {
        this.n = n;
        this.imageIds = imageIds;
        this.categoryIds = categoryIds;
        this.scores = scores;
        this.boxes = boxes;
        this.masks = masks;
    }

    /**
     * {@code list} itself when it is a {@code CocoResults}, else its columns.
     *
     * @param list detections
     * @return {@code list}, or a new column store of its records in order
     * @throws IllegalArgumentException when a record's {@code bbox} does not have 4 numbers
     */
    public static CocoResults of(List<CocoResult> list) {
        if (list instanceof CocoResults r) {
            return r;
        }
        Builder b = new Builder(list.size());
        for (CocoResult r : list) {
            b.add(r);
        }
        return b.build();
    }

    /**
     * The image id column as stored, for readers that would otherwise copy it (evaluators at
     * scale): entry d is detection d's for {@code d < size()} (the array may be longer). Not a
     * copy: it must not be modified.
     *
     * @return the column
     */
    public long[] imageIdColumn() {
        return imageIds;
    }

    /**
     * The category id column as stored (as {@link #imageIdColumn()}).
     *
     * @return the column
     */
    public long[] categoryIdColumn() {
        return categoryIds;
    }

    /**
     * The score column as stored (as {@link #imageIdColumn()}).
     *
     * @return the column
     */
    public double[] scoreColumn() {
        return scores;
    }

    /**
     * The box column as stored (as {@link #imageIdColumn()}): detection d's x, y, w, h at {@code
     * [4 d, 4 d + 4)}, x NaN where it has no box.
     *
     * @return the column
     */
    public double[] boxColumn() {
        return boxes;
    }

    /**
     * The concatenation, in order.
     *
     * @param parts the lists to join
     * @return a new list of all their detections (empty for no parts)
     */
    public static CocoResults concat(List<CocoResults> parts) {
        Builder b = new Builder(parts.stream().mapToInt(CocoResults::size).sum());
        for (CocoResults p : parts) {
            b.addAll(p);
        }
        return b.build();
    }

    @Override
    public int size() {
        return n;
    }

    @Override
    public CocoResult get(int d) {
        return new CocoResult(imageId(d), categoryId(d), bbox(d), score(d), segmentation(d));
    }

    /**
     * Detection {@code d}'s image.
     *
     * @param d detection index, {@code 0 <= d < size()}
     * @return its {@code image_id}
     */
    public long imageId(int d) {
        return imageIds[check(d)];
    }

    /**
     * Detection {@code d}'s category.
     *
     * @param d detection index, {@code 0 <= d < size()}
     * @return its COCO {@code category_id}
     */
    public long categoryId(int d) {
        return categoryIds[check(d)];
    }

    /**
     * Detection {@code d}'s score.
     *
     * @param d detection index, {@code 0 <= d < size()}
     * @return its confidence
     */
    public double score(int d) {
        return scores[check(d)];
    }

    /**
     * Whether detection {@code d} has a box (a segmentation-only result has none).
     *
     * @param d detection index, {@code 0 <= d < size()}
     * @return true when it has a {@code bbox}
     */
    public boolean hasBbox(int d) {
        return !Double.isNaN(boxes[4 * check(d)]);
    }

    /**
     * Value {@code j} (x, y, w, h) of detection {@code d}'s box; NaN when it has none.
     * Without a box only {@code j = 0} is guaranteed NaN (test with {@link #hasBbox}); the other values are
     * whatever was added, 0 from {@link Builder#add(CocoResult)}.
     *
     * @param d detection index, {@code 0 <= d < size()}
     * @param j 0 (x), 1 (y), 2 (w) or 3 (h); not checked: another value reads a neighbouring detection
     * @return the value in pixels
     */
    public double bbox(int d, int j) {
        return boxes[4 * check(d) + j];
    }

    /**
     * A copy of detection {@code d}'s box {@code [x, y, w, h]}, or null.
     *
     * @param d detection index, {@code 0 <= d < size()}
     * @return a new 4-element array in pixels, or {@code null} when the detection has no box
     */
    public double[] bbox(int d) {
        return hasBbox(d) ? Arrays.copyOfRange(boxes, 4 * d, 4 * d + 4) : null;
    }

    /**
     * Detection {@code d}'s mask, or null.
     *
     * @param d detection index, {@code 0 <= d < size()}
     * @return its segmentation, or {@code null} when it has none (or masks were not read)
     */
    public Segmentation segmentation(int d) {
        check(d);
        return masks == null ? null : masks.get(d);
    }

    /**
     * The mask column: detection {@code d}'s segmentation is its slot {@code d} (a packed compressed
     * RLE is read there without making its string).
     *
     * @return the column, {@link #size()} slots, or {@code null} when no detection has a mask
     */
    public Segmentations segmentations() {
        return masks;
    }

    private int check(int d) {
        if (d < 0 || d >= n) {
            throw new IndexOutOfBoundsException("detection " + d + " of " + n);
        }
        return d;
    }

    /** Appends detections column by column; not thread-safe. */
    public static final class Builder {
        private int n;
        private long[] imageIds;
        private long[] categoryIds;
        private double[] scores;
        private double[] boxes;
        private Segmentations.Builder masks;

        /** An empty builder with room for 16 detections (it grows as needed). */
        public Builder() {
            this(16);
        }

        /**
         * An empty builder.
         *
         * @param capacity detections expected; room for at least 16 is made whatever the value
         */
        public Builder(int capacity) {
            int c = Math.max(16, capacity);
            imageIds = new long[c];
            categoryIds = new long[c];
            scores = new double[c];
            boxes = new double[4 * c];
        }

        /** Empties this builder to be filled again (its columns kept; masks handed to a list by {@link #addAll(Builder)} are not touched). */
        void clear() {
            n = 0;
            masks = null;
        }

        /**
         * Detections added so far.
         *
         * @return the count
         */
        public int size() {
            return n;
        }

        /**
         * Appends one detection; {@code x} NaN: no box (then y, w, h are ignored); {@code mask} may be null.
         * Values are stored as given, not checked.
         *
         * @param imageId the {@code image_id}
         * @param categoryId the COCO {@code category_id}
         * @param score the confidence
         * @param x box left edge in pixels, or NaN for a detection without a box
         * @param y box top edge in pixels
         * @param w box width in pixels
         * @param h box height in pixels
         * @param mask the segmentation, or {@code null}
         */
        public void add(long imageId, long categoryId, double score, double x, double y, double w, double h, Segmentation mask) {
            if (mask != null) {
                masks().put(n, mask);
            }
            add(imageId, categoryId, score, x, y, w, h);
        }

        /**
         * {@link #add(long, long, double, double, double, double, double, Segmentation) add} with
         * the compressed RLE {@code {"size": [maskH, maskW], "counts": "..."}} whose string lies in
         * {@code b[from..to)} as JSON writes it, kept packed (see {@link
         * Segmentations.Builder#putCompressed}).
         *
         * @param imageId the {@code image_id}
         * @param categoryId the COCO {@code category_id}
         * @param score the confidence
         * @param x box left edge in pixels, or NaN for a detection without a box
         * @param y box top edge in pixels
         * @param w box width in pixels
         * @param h box height in pixels
         * @param maskH the RLE's height
         * @param maskW the RLE's width
         * @param b bytes holding the {@code counts} string (copied)
         * @param from the index of its first byte
         * @param to the index after its last
         * @param escaped whether it holds backslash escapes ({@code \\}, {@code \"}, {@code \/}), undone here
         */
        public void addCompressed(long imageId, long categoryId, double score, double x, double y, double w, double h,
                int maskH, int maskW, byte[] b, int from, int to, boolean escaped) {
            masks().putCompressed(n, maskH, maskW, b, from, to, escaped);
            add(imageId, categoryId, score, x, y, w, h);
        }

        /**
         * {@link #addCompressed(long, long, double, double, double, double, double, int, int, byte[], int, int, boolean)}
         * with the positions in {@code b} of the backslashes that start an escape (the first {@code escapeCount} of
         * {@code escapes}), as the scanner found them: the string is copied between them.
         */
        void addCompressed(long imageId, long categoryId, double score, double x, double y, double w, double h,
                int maskH, int maskW, byte[] b, int from, int to, int[] escapes, int escapeCount) {
            masks().putCompressed(n, maskH, maskW, b, from, to, escapes, escapeCount);
            add(imageId, categoryId, score, x, y, w, h);
        }

        private Segmentations.Builder masks() {
            if (masks == null) {
                masks = new Segmentations.Builder(imageIds.length);
            }
            return masks;
        }

        private void add(long imageId, long categoryId, double score, double x, double y, double w, double h) {
            if (n == imageIds.length) {
                grow(Math.max(n + 1, n + (n >> 1)));
            }
            imageIds[n] = imageId;
            categoryIds[n] = categoryId;
            scores[n] = score;
            boxes[4 * n] = x;
            boxes[4 * n + 1] = y;
            boxes[4 * n + 2] = w;
            boxes[4 * n + 3] = h;
            n++;
        }

        /**
         * Appends one record.
         *
         * @param r the detection; a {@code null} bbox is stored as "no box"
         * @throws IllegalArgumentException when its {@code bbox} does not have 4 numbers
         */
        public void add(CocoResult r) {
            double[] b = r.bbox();
            if (b != null && b.length != 4) {
                throw new IllegalArgumentException("a bbox has 4 numbers, got " + b.length);
            }
            add(r.imageId(), r.categoryId(), r.score(), b == null ? Double.NaN : b[0], b == null ? 0 : b[1],
                    b == null ? 0 : b[2], b == null ? 0 : b[3], r.segmentation());
        }

        /**
         * Appends all detections of {@code r}, in order (a column copy, no records made).
         *
         * @param r the detections to append
         */
        public void addAll(CocoResults r) {
            append(r.imageIds, r.categoryIds, r.scores, r.boxes, r.masks, r.n);
        }

        /** Appends what {@code b} holds, in order (a column copy); {@code b} must not be used after unless {@link #clear()}ed. */
        void addAll(Builder b) {
            append(b.imageIds, b.categoryIds, b.scores, b.boxes, b.masks == null ? null : b.masks.build(b.n), b.n);
        }

        private void append(long[] ids, long[] cats, double[] sc, double[] bx, Segmentations seg, int m) {
            if (n + m > imageIds.length) {
                grow(Math.max(n + m, n + (n >> 1)));
            }
            System.arraycopy(ids, 0, imageIds, n, m);
            System.arraycopy(cats, 0, categoryIds, n, m);
            System.arraycopy(sc, 0, scores, n, m);
            System.arraycopy(bx, 0, boxes, 4 * n, 4 * m);
            if (seg != null) {
                masks().putAll(n, seg);
            }
            n += m;
        }

        private void grow(int c) {
            imageIds = Arrays.copyOf(imageIds, c);
            categoryIds = Arrays.copyOf(categoryIds, c);
            scores = Arrays.copyOf(scores, c);
            boxes = Arrays.copyOf(boxes, 4 * c);
        }

        /**
         * The list; arrays are trimmed only when much larger than needed (the builder must not be used after).
         *
         * @return the detections added, in order; it shares this builder's arrays
         */
        public CocoResults build() {
            if (imageIds.length > n + (n >> 3) + 16) {
                grow(n);
            }
            return new CocoResults(n, imageIds, categoryIds, scores, boxes, masks == null ? null : masks.build(n));
        }
    }
}
