package org.resvision.eval.report;

import java.util.List;

/**
 * The calibration section: a reliability diagram (accuracy against score per score bin) and a
 * histogram of the detections per bin.
 *
 * @param bins the score bins, in increasing order
 * @param ece expected calibration error (count-weighted mean of |accuracy - mean score|)
 * @param mce maximum calibration error (largest |accuracy - mean score| of a non-empty bin)
 */
public record Reliability(List<Bin> bins, double ece, double mce) {

    /**
     * One score bin.
     *
     * @param lower the bin's lowest score
     * @param upper the bin's highest score
     * @param count detections in the bin (an empty bin is drawn as nothing)
     * @param meanScore their mean score; NaN for an empty bin
     * @param accuracy the share of them that are true positives; NaN for an empty bin
     */
    public record Bin(double lower, double upper, long count, double meanScore, double accuracy) {}

    /**
     * Copies the bins.
     *
     * @param bins the score bins, in increasing order; not null
     * @param ece expected calibration error, in [0, 1]
     * @param mce maximum calibration error, in [0, 1]
     * @throws NullPointerException when {@code bins} or a bin is null
     */
    public Reliability {
        bins = List.copyOf(bins);
    }
}
