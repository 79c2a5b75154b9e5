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
        /** Checks that the name is present. */
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
        /** Checks that the name is present. */
        public ClassDelta {
            Objects.requireNonNull(className, "className");
        }
    }

    /** Copies the lists. */
    public Comparison {
        Objects.requireNonNull(nameA, "nameA");
        Objects.requireNonNull(nameB, "nameB");
        stats = List.copyOf(stats);
        classes = List.copyOf(classes);
    }
}
