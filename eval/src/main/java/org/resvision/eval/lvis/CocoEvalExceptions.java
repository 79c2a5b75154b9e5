package org.resvision.eval.lvis;

import org.resvision.eval.coco.CocoEvalException;

/** Builds {@link CocoEvalException}s about the ground truth. */
final class CocoEvalExceptions {
    private CocoEvalExceptions() {}

    static CocoEvalException gt(String message) {
        return new CocoEvalException(message, true);
    }
}
