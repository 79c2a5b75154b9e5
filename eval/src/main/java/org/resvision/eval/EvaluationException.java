package org.resvision.eval;

/**
 * An evaluation that cannot give a number: its message says which input (file, image, record) and
 * what is wrong with it, in one line. The COCO and LVIS evaluations throw its subclass
 * {@link org.resvision.eval.coco.CocoEvalException}.
 */
public class EvaluationException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * An error with a one-line message.
     *
     * @param message names the input and the problem
     */
    public EvaluationException(String message) {
        super(message);
    }
}
