package org.resvision.eval.tide;

/** TIDE's two special errors, in tidecv's order ({@code TIDE._special_error_types}). Immutable, thread-safe. */
public enum TideSpecialError {
    /** Every false positive scored 0 and every true positive 1: perfect precision, same recall. */
    FALSE_POS("FalsePos"),
    /** Every GT no detection matched left out: perfect recall, same precision. */
    FALSE_NEG("FalseNeg");

    private final String shortName;

    TideSpecialError(String shortName) {
        this.shortName = shortName;
    }

    /**
     * tidecv's {@code short_name}.
     *
     * @return {@code FalsePos} or {@code FalseNeg}: the key in {@link TideResult#toJson()} and the column
     *     header of {@link TideResult#summaryLines}
     */
    public String shortName() {
        return shortName;
    }
}
