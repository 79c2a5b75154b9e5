package org.resvision.eval.report;

import java.util.List;
import java.util.Objects;

/**
 * The TIDE section (Bolya et al., 2020): how much AP each kind of error costs, as horizontal bars.
 *
 * @param main the main errors, in the order shown (TIDE's: Cls, Loc, Both, Dupe, Bkg, Miss)
 * @param special the special errors, in the order shown (TIDE's: FalsePos, FalseNeg)
 * @param note a line under the charts (thresholds used...), or {@code null}
 */
public record Tide(List<ErrorType> main, List<ErrorType> special, String note) {

    /**
     * One kind of error.
     *
     * @param name its short name ("Cls", "Loc"...)
     * @param dAp the AP gained by fixing it (a fraction, as AP)
     * @param count how many errors of this kind there are, or -1 when not counted (not shown)
     */
    public record ErrorType(String name, double dAp, long count) {
        /**
         * Checks that the name is present.
         *
         * @param name its short name; not null
         * @param dAp the AP gained by fixing it, a fraction like AP (tidecv's dAP / 100)
         * @param count how many errors of this kind there are, or -1 when not counted
         * @throws NullPointerException when {@code name} is null
         */
        public ErrorType {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Copies the lists.
     *
     * @param main the main errors, in the order shown; not null
     * @param special the special errors, in the order shown; not null, may be empty
     * @param note a line under the charts, or {@code null}
     * @throws NullPointerException when a list or an entry is null
     */
    public Tide {
        main = List.copyOf(main);
        special = List.copyOf(special);
    }
}
