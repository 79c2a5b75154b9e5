package org.resvision.eval.tide;

/**
 * TIDE's six main error types, in tidecv's order ({@code TIDE._error_types}), each named as tidecv
 * names it ({@code short_name}). A detection that is not a true positive has exactly one of the
 * first five, tested in this order of precedence: no non-crowd GT in its image is {@link #BKG};
 * then {@link #LOC}, {@link #CLS}, {@link #DUPE}, {@link #BKG}, and {@link #BOTH} for the rest.
 * {@link #MISS} is a GT that no detection matched and no CLS or LOC error could claim. Immutable,
 * thread-safe.
 */
public enum TideError {
    /** Wrong class, right box: IoU >= pos with a GT of another class (and not Loc). */
    CLS("Cls"),
    /** Right class, poor box: the best IoU with a GT of its class is in [background, pos]. */
    LOC("Loc"),
    /** None of the others: its best IoU with any GT is above background, yet it is neither Loc, Cls nor Dupe. */
    BOTH("Both"),
    /** Would be a true positive (IoU >= pos with a GT of its class), but a higher-scored detection took that GT. */
    DUPE("Dupe"),
    /** IoU {@code <=} background with every GT (or an image without non-crowd GT). */
    BKG("Bkg"),
    /** A GT that no detection matched, nor claimed through a Cls or Loc error. */
    MISS("Miss");

    private final String shortName;

    TideError(String shortName) {
        this.shortName = shortName;
    }

    /**
     * tidecv's {@code short_name}.
     *
     * @return {@code Cls}, {@code Loc}, {@code Both}, {@code Dupe}, {@code Bkg} or {@code Miss}: the key in
     *     {@link TideResult#toJson()} and the column header of {@link TideResult#summaryLines}
     */
    public String shortName() {
        return shortName;
    }
}
