package org.resvision.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;

/** Tensor comparisons for parity tests. */
public final class Tensors {

    private Tensors() {}

    /** max |a - b| / max |b|: the parity measure of the issues (1e-4 passes). */
    public static double relativeError(NDArray actual, NDArray expected) {
        assertEquals(expected.getShape(), actual.getShape(), "shape of " + expected.getName());
        double diff = actual.sub(expected).abs().max().getFloat();
        double scale = expected.abs().max().getFloat();
        return diff / Math.max(scale, 1e-12);
    }

    public static void assertClose(String what, NDArray actual, NDArray expected, double tol) {
        double err = relativeError(actual, expected);
        System.out.printf(java.util.Locale.ROOT, "parity %-40s rel err %.3g%n", what, err);
        assertTrue(err <= tol, what + ": max abs diff / max abs value = " + err + " > " + tol);
    }
}
