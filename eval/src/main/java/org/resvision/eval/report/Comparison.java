package org.resvision.eval.report;

import java.util.List;
import java.util.Objects;

/**
 * Two models compared: per stat their values, the difference B - A and its 95% interval (a
 * forest plot and a table), and the per-class AP differences (a diverging bar chart).
 *
 * @param nameA the first (reference) model's name
 * @param nameB the second model's name
 * @param stats one row per stat, in the order shown
 * @param classes one row per class (shown sorted by delta, largest gain first)
 */
public record Comparison(String nameA, String nameB, List<Stat> stats, List<ClassDelta> classes) {

    /**
     * One stat of both models.
     *
     * @param name the stat's name ("AP", "AP50"...)
     * @param a model A's value
     * @param b model B's value
     * @param delta {@code b - a}
     * @param low the lower end of the 95% interval of {@code delta} (bootstrap...), NaN if unknown
     * @param high the upper end of that interval, NaN if unknown
     */
    public record Stat(String name, double a, double b, double delta, double low, double high) {
        /**
         * Checks that the name is present.
         *
         * @param name the stat's name; not null
         * @param a model A's value ({@code -1}: not defined)
         * @param b model B's value ({@code -1}: not defined)
         * @param delta {@code b - a}; NaN when not defined
         * @param low the lower end of the interval of {@code delta}, NaN if unknown
         * @param high the upper end of that interval, NaN if unknown
         * @throws NullPointerException when {@code name} is null
         */
        public Stat {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * One class of both models.
     *
     * @param className the class name
     * @param apA model A's AP
     * @param apB model B's AP
     * @param delta {@code apB - apA}
     */
    public record ClassDelta(String className, double apA, double apB, double delta) {
        /**
         * Checks that the name is present.
         *
         * @param className the class name; not null
         * @param apA model A's AP ({@code -1}: no ground truth)
         * @param apB model B's AP ({@code -1}: no ground truth)
         * @param delta {@code apB - apA}; NaN when not defined
         * @throws NullPointerException when {@code className} is null
         */
        public ClassDelta {
            Objects.requireNonNull(className, "className");
        }
    }

    /**
     * Copies the lists.
     *
     * @param nameA the first (reference) model's name; not null
     * @param nameB the second model's name; not null
     * @param stats one row per stat, in the order shown; not null
     * @param classes one row per class; not null, may be empty
     * @throws NullPointerException when a name, a list or a row is null
     */
    public Comparison {
        Objects.requireNonNull(nameA, "nameA");
        Objects.requireNonNull(nameB, "nameB");
        stats = List.copyOf(stats);
        classes = List.copyOf(classes);
    }
}
