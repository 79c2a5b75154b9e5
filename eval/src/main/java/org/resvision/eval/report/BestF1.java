package org.resvision.eval.report;

import java.util.Objects;

/**
 * One class's best operating point: the score threshold of highest F1 (a row of the best-F1
 * table).
 *
 * @param className the class name
 * @param f1 the best F1
 * @param scoreThreshold the score from which detections are kept to reach it
 * @param precision the precision there
 * @param recall the recall there
 */
public record BestF1(String className, double f1, double scoreThreshold, double precision, double recall) {
    /**
     * Checks that the name is present.
     *
     * @param className the class name; not null (escaped when rendered)
     * @param f1 the best F1, in [0, 1]
     * @param scoreThreshold the lowest score of a kept detection at that F1
     * @param precision the precision there, in [0, 1]
     * @param recall the recall there, in [0, 1]
     * @throws NullPointerException when {@code className} is null
     */
    public BestF1 {
        Objects.requireNonNull(className, "className");
    }
}
