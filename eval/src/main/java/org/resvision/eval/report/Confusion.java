package org.resvision.eval.report;

import java.util.List;

/**
 * The detection confusion matrix: rows are the true classes, columns the predicted ones; the
 * last label is {@link #BACKGROUND}, so the background row counts detections that match no
 * ground truth and the background column the ground truth that no detection found. Shown as a
 * heatmap coloured by the row's share (each true class sums to 100%).
 *
 * @param labels the class names and then {@code "background"}, one per row and column
 * @param counts {@code counts[true][predicted]}, square, one row and column per label
 * @param iouThreshold the IoU from which a detection matches a ground truth
 * @param scoreThreshold the score from which a detection is counted
 */
public record Confusion(List<String> labels, long[][] counts, double iouThreshold, double scoreThreshold) {

    /** The conventional name of the last label. */
    public static final String BACKGROUND = "background";

    /**
     * Checks that the matrix is square with one row per label; copies it.
     *
     * @param labels the class names and then {@code "background"}; not null, no null entry
     * @param counts {@code counts[true][predicted]}, {@code labels.size()} rows of {@code labels.size()} counts
     * @param iouThreshold the IoU from which a detection matches a ground truth
     * @param scoreThreshold the score from which a detection is counted
     * @throws IllegalArgumentException when the matrix is not {@code labels.size()} square
     * @throws NullPointerException when {@code labels}, a label, {@code counts} or a row is null
     */
    public Confusion {
        labels = List.copyOf(labels);
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
            if (copy[i].length != labels.size()) {
                throw new IllegalArgumentException("row " + i + " has " + copy[i].length + " counts, not one per label (" + labels.size() + ")");
            }
        }
        if (copy.length != labels.size()) {
            throw new IllegalArgumentException(copy.length + " rows, not one per label (" + labels.size() + ")");
        }
        counts = copy;
    }

    /**
     * The counts, a copy.
     *
     * @return a deep copy of {@code counts[true][predicted]}
     */
    @Override
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    /**
     * {@code counts[row][col]}, without copying.
     *
     * @param row the true class's index in {@link #labels()}
     * @param col the predicted class's index in {@link #labels()}
     * @return the count; out-of-range indices throw {@link ArrayIndexOutOfBoundsException}
     */
    public long count(int row, int col) {
        return counts[row][col];
    }
}
