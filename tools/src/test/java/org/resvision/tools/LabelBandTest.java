package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where drawn labels go: above the box, else at the next free place, never over an earlier label when one is free. */
class LabelBandTest {

    private static String place(int[] box, List<int[]> taken) {
        int[] band = Drawing.labelBand(box, 40, 12, 200, 120, taken);
        taken.add(band);
        return Arrays.toString(band);
    }

    @Test
    void aShapeBoxedFourTimesShowsFourLabels() {
        List<int[]> taken = new ArrayList<>();
        int[] box = {10, 30, 50, 70};
        assertEquals("[10, 18, 50, 30]", place(box, taken)); // above
        assertEquals("[10, 30, 50, 42]", place(box, taken)); // inside the top
        assertEquals("[10, 70, 50, 82]", place(box, taken)); // below
        assertEquals("[10, 58, 50, 70]", place(box, taken)); // inside the bottom
        assertEquals("[10, 18, 50, 30]", place(box, taken)); // all taken: above again
        // a box that shares only the top-left corner region with them still moves
        assertEquals("[20, 30, 60, 42]", place(new int[] {20, 30, 90, 110}, new ArrayList<>(taken.subList(0, 1))));
    }

    @Test
    void bandsStayInsideTheImage() {
        assertEquals("[160, 5, 200, 17]", place(new int[] {190, 5, 199, 40}, new ArrayList<>())); // top edge: inside; right edge: shifted left
        assertEquals("[0, 100, 40, 112]", place(new int[] {0, 100, 30, 119}, new ArrayList<>(List.of(new int[] {0, 88, 40, 100})))); // no room below
        assertEquals("[0, 0, 40, 12]", Arrays.toString(Drawing.labelBand(new int[] {0, 0, 5, 5}, 40, 12, 200, 10, List.of()))); // image lower than a band
    }
}
