package org.resvision.eval.coco;

/**
 * Input the evaluator cannot use (unknown image ids, malformed masks, inconsistent results); one
 * line, naming the record. {@link #inGroundTruth()} says which file it is in.
 */
public class CocoEvalException extends org.resvision.eval.EvaluationException {
    private static final long serialVersionUID = 1L;

    /** True when the problem is in the ground truth, false when in the results. */
    private final boolean inGroundTruth;

    /**
     * A problem with the results ({@link #inGroundTruth()} false).
     *
     * @param message one line naming the record and what is wrong with it
     */
    public CocoEvalException(String message) {
        this(message, false);
    }

    /**
     * A problem in the ground truth or in the results.
     *
     * @param message one line naming the record and what is wrong with it
     * @param inGroundTruth true when the record is in the ground truth, false when in the results
     */
    public CocoEvalException(String message, boolean inGroundTruth) {
        super(message);
        this.inGroundTruth = inGroundTruth;
    }

    static CocoEvalException groundTruth(String message) {
        return new CocoEvalException(message, true);
    }

    /**
     * Which input the problem is in.
     *
     * @return true when the problem is in the ground truth, false when in the results
     */
    public boolean inGroundTruth() {
        return inGroundTruth;
    }
}
