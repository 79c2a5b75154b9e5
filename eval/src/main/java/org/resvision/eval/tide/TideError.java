package org.resvision.eval.tide;

/**
 * TIDE's six main error types, in tidecv's order ({@code TIDE._error_types}), each named as tidecv
 * names it ({@code short_name}). A detection that is not a true positive has exactly one of the
 * first five, tested in this order of precedence: no non-crowd GT in its image is {@link #BKG};
 * then {@link #LOC}, {@link #CLS}, {@link #DUPE}, {@link #BKG}, and {@link #BOTH} for the rest.
 * {@link #MISS} is a GT that no detection matched and no CLS or LOC error could claim.
 */
public enum TideError {
    /** Right box (IoU >= pos with a GT of another class), wrong class. */
    CLS("Cls"),
    /** Right class, IoU with its best GT of that class in [background, pos]. */
    LOC("Loc"),
    /** Wrong class and IoU in (background, pos) with some GT: neither of the others. */
    BOTH("Both"),
    /** Would be a true positive, but a higher-scored detection already took the GT. */
    DUPE("Dupe"),
    /** IoU <= background with every GT (or an image without GT). */
    BKG("Bkg"),
    /** A GT nothing found. */
    MISS("Miss");

    private final String shortName;

    TideError(String shortName) {
        this.shortName = shortName;
    }

    /** tidecv's {@code short_name}. */
    public String shortName() {
        return shortName;
    }
}
