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

    /** Copies the rows. */
    public WorstClasses {
        rows = List.copyOf(rows);
    }

    /**
     * The {@code n} rows of lowest AP among those with ground truth (AP not negative), lowest
     * first; ties keep the order of {@code classes}.
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
