package org.resvision.train;

/**
 * Learning rate per iteration: a linear warm-up from {@code warmupFactor * base} over {@code
 * warmupIters}, then multi-step (x0.1 at each milestone), cosine, or poly ({@code (1 - it /
 * max)^0.9}, torchvision's segmentation recipe) decay.
 *
 * <p>The warm-up multiplies the decayed rate by {@code warmupFactor * (1 - it / warmupIters) + it /
 * warmupIters} for {@code it < warmupIters}.
 *
 * @param kind {@code poly}, {@code multistep} or {@code cosine}; checked only by {@link #at}
 * @param base the learning rate before decay and after warm-up
 * @param maxIters the run's iterations: poly and cosine reach 0 at {@code it = maxIters} and stay
 *     there; must be positive for them
 * @param warmupIters iterations of linear warm-up, 0 for none
 * @param warmupFactor the fraction of the rate at iteration 0 of the warm-up
 * @param milestones for {@code multistep}, the iterations from which the rate is multiplied by
 *     another 0.1; the array is not copied (not used by the other kinds)
 */
public record LrSchedule(String kind, float base, int maxIters, int warmupIters, float warmupFactor, int[] milestones) {

    /**
     * torchvision's segmentation schedule, without warm-up.
     *
     * @param base the initial learning rate
     * @param maxIters the run's iterations (positive)
     * @return {@code base * (1 - min(it, maxIters) / maxIters)^0.9}
     */
    public static LrSchedule poly(float base, int maxIters) {
        return new LrSchedule("poly", base, maxIters, 0, 1f, new int[0]);
    }

    /**
     * Step decay, torchvision's detection recipe: x0.1 at each milestone, after a warm-up from
     * {@code 0.001 * base}.
     *
     * @param base the learning rate after warm-up and before the first milestone
     * @param maxIters the run's iterations (recorded; multistep does not use it)
     * @param warmupIters iterations of linear warm-up, 0 for none
     * @param milestones iterations (0-based) from which the rate drops by another factor 10
     * @return the schedule
     */
    public static LrSchedule multiStep(float base, int maxIters, int warmupIters, int... milestones) {
        return new LrSchedule("multistep", base, maxIters, warmupIters, 0.001f, milestones);
    }

    /**
     * Cosine decay to 0 at {@code maxIters}, after a warm-up from {@code 0.001 * base}.
     *
     * @param base the peak learning rate
     * @param maxIters the run's iterations (positive)
     * @param warmupIters iterations of linear warm-up, 0 for none
     * @return {@code base * 0.5 * (1 + cos(pi * min(it, maxIters) / maxIters))}, times the warm-up
     *     factor
     */
    public static LrSchedule cosine(float base, int maxIters, int warmupIters) {
        return new LrSchedule("cosine", base, maxIters, warmupIters, 0.001f, new int[0]);
    }

    /**
     * The learning rate of one iteration.
     *
     * @param it the 0-based iteration
     * @return the rate to step with at {@code it}
     * @throws IllegalArgumentException {@code kind} is not one of the three known
     */
    public float at(int it) {
        float lr = switch (kind) {
            case "poly" -> (float) (base * Math.pow(1 - Math.min(it, maxIters) / (double) maxIters, 0.9));
            case "cosine" -> (float) (base * 0.5 * (1 + Math.cos(Math.PI * Math.min(it, maxIters) / maxIters)));
            case "multistep" -> {
                float v = base;
                for (int m : milestones) {
                    if (it >= m) {
                        v *= 0.1f;
                    }
                }
                yield v;
            }
            default -> throw new IllegalArgumentException("unknown schedule '" + kind + "' (poly, cosine, multistep)");
        };
        if (it < warmupIters) {
            float alpha = (float) it / warmupIters;
            lr *= warmupFactor * (1 - alpha) + alpha;
        }
        return lr;
    }
}
