package org.resvision.backbone.train;

/**
 * Learning rate per iteration: a linear warm-up from {@code warmupFactor * base} over {@code
 * warmupIters}, then multi-step (x0.1 at each milestone), cosine, or poly ({@code (1 - it /
 * max)^0.9}, torchvision's segmentation recipe) decay.
 */
public record LrSchedule(String kind, float base, int maxIters, int warmupIters, float warmupFactor, int[] milestones) {

    public static LrSchedule poly(float base, int maxIters) {
        return new LrSchedule("poly", base, maxIters, 0, 1f, new int[0]);
    }

    public static LrSchedule multiStep(float base, int maxIters, int warmupIters, int... milestones) {
        return new LrSchedule("multistep", base, maxIters, warmupIters, 0.001f, milestones);
    }

    public static LrSchedule cosine(float base, int maxIters, int warmupIters) {
        return new LrSchedule("cosine", base, maxIters, warmupIters, 0.001f, new int[0]);
    }

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
