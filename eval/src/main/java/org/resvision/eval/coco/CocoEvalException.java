package org.resvision.eval.coco;

/** Input the evaluator cannot use (unknown image ids, inconsistent results); one line. */
public class CocoEvalException extends Exception {
    private static final long serialVersionUID = 1L;

    public CocoEvalException(String message) {
        super(message);
    }
}
