package org.resvision.eval.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The worst classes: the rows of lowest AP, as bars (AP over AP50), worst first.
 *
 * @param rows the classes shown, in the order shown
 */
public record WorstClasses(List<Summary.ClassRow> rows) {

    /**
     * Copies the rows.
     *
     * @param rows the classes shown, in the order shown; not null, may be empty
     * @throws NullPointerException when {@code rows} or a row is null
     */
    public WorstClasses {
        rows = List.copyOf(rows);
    }

    /**
     * The {@code n} rows of lowest AP among those with ground truth (AP not negative), lowest
     * first; ties keep the order of {@code classes}.
     *
     * @param classes the per-class rows (e.g. {@link Summary#classes()}); not modified
     * @param n the most rows to keep, at least 0
     * @return at most {@code n} rows; fewer when fewer classes have ground truth
     * @throws IllegalArgumentException when {@code n} is negative
     */
    public static WorstClasses of(List<Summary.ClassRow> classes, int n) {
        List<Summary.ClassRow> withGt = new ArrayList<>();
        for (Summary.ClassRow r : classes) {
            if (r.ap() >= 0) {
                withGt.add(r);
            }
        }
        withGt.sort(Comparator.comparingDouble(Summary.ClassRow::ap)); // stable
        return new WorstClasses(withGt.subList(0, Math.min(n, withGt.size())));
    }
}
