package org.resvision.eval.tide;

/**
 * What matching and error classification decided, on primitive arrays. Detections are indexed
 * in tidecv's push order ({@code seq}): images in the GT file's order, within an image by
 * descending score (ties in file order), cut to {@code maxDets}; GT as {@link TideInput} groups
 * them. Each image's {@link ImageMatcher} writes only its own slices, so images can be matched in
 * parallel; read-only afterwards.
 */
final class Outcomes {

    static final byte FP = 0;
    static final byte TP = 1;
    /** Inside a crowd region of its class: left out of AP (tidecv's {@code used = None}). */
    static final byte IGNORED = 2;
    static final byte NO_ERROR = -1;

    /** Kept detections: {@code [keptStart[i], keptStart[i+1])} per image. */
    final int[] keptStart;
    final int[] cls;
    final double[] score;
    final byte[] state;
    /** A {@link TideError} ordinal (not MISS), or {@link #NO_ERROR} for a true positive. */
    final byte[] error;
    /** CLS/LOC: the class the oracle moves it to; -1 otherwise. */
    final int[] fixClass;
    /** CLS/LOC: whether the oracle makes it a true positive (the first error to claim an unused GT). */
    final boolean[] fixTp;
    /** Per non-crowd GT: matched by a detection. */
    final boolean[] gtUsed;
    /** Per non-crowd GT: counted as a MISS error (unmatched and no CLS/LOC error claimed it). */
    final boolean[] gtMissed;

    Outcomes(TideInput in, int maxDets) {
        int nImg = in.imageCount();
        keptStart = new int[nImg + 1];
        for (int i = 0; i < nImg; i++) {
            keptStart[i + 1] = keptStart[i] + Math.min(maxDets, in.dStart[i + 1] - in.dStart[i]);
        }
        int n = keptStart[nImg];
        cls = new int[n];
        score = new double[n];
        state = new byte[n];
        error = new byte[n];
        fixClass = new int[n];
        fixTp = new boolean[n];
        int g = in.gCls.length;
        gtUsed = new boolean[g];
        gtMissed = new boolean[g];
    }

    int detectionCount() {
        return cls.length;
    }
}
