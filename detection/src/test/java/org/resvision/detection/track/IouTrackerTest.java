package org.resvision.detection.track;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.resvision.data.boxes.Boxes;
import org.resvision.detection.Detections;

/** Track ids stay with moving objects, survive a low-score frame and a missed frame, and are never reused. */
class IouTrackerTest {

    private static Detections dets(float[][] boxes, float[] scores, int[] labels) {
        float[] flat = new float[4 * boxes.length];
        for (int i = 0; i < boxes.length; i++) {
            System.arraycopy(boxes[i], 0, flat, 4 * i, 4);
        }
        return new Detections(Boxes.of(flat), scores, labels);
    }

    @Test
    void fastMovingObjectsKeepTheirIds() {
        IouTracker tracker = new IouTracker(IouTracker.Settings.defaults());
        int idA = 0;
        int idB = 0;
        for (int f = 0; f < 20; f++) {
            // A moves right 12 px per frame (IoU with its previous box about 0.45 without prediction),
            // B moves left towards A's lane; both 30 px boxes. Frame 7: A's score dips to 0.3.
            // Frame 12: B is missed entirely.
            float ax = 10 + 12 * f;
            float bx = 300 - 9 * f;
            float scoreA = f == 7 ? 0.3f : 0.9f;
            Detections d = f == 12
                    ? dets(new float[][] {{ax, 50, ax + 30, 80}}, new float[] {scoreA}, new int[] {1})
                    : dets(new float[][] {{ax, 50, ax + 30, 80}, {bx, 90, bx + 30, 120}}, new float[] {scoreA, 0.8f}, new int[] {1, 2});
            int[] ids = tracker.update(d);
            if (f == 0) {
                idA = ids[0];
                idB = ids[1];
                assertNotEquals(idA, idB);
            } else {
                assertEquals(idA, ids[0], "A at frame " + f);
                if (f != 12) {
                    assertEquals(idB, ids[1], "B at frame " + f);
                }
            }
        }
        // a new object gets a fresh id
        int[] ids = tracker.update(dets(new float[][] {{500, 500, 530, 530}}, new float[] {0.9f}, new int[] {3}));
        assertEquals(Math.max(idA, idB) + 1, ids[0]);
    }

    @Test
    void lowScoreDetectionsNeverStartTracksAndStaleTracksExpire() {
        IouTracker tracker = new IouTracker(new IouTracker.Settings(0.5f, 0.1f, 0.3f, 2));
        assertEquals(0, tracker.update(dets(new float[][] {{0, 0, 10, 10}}, new float[] {0.3f}, new int[] {1}))[0]);
        assertEquals(0, tracker.activeTracks());
        int id = tracker.update(dets(new float[][] {{0, 0, 10, 10}}, new float[] {0.9f}, new int[] {1}))[0];
        assertEquals(1, tracker.activeTracks());
        for (int f = 0; f < 3; f++) {
            tracker.update(dets(new float[0][], new float[0], new int[0]));
        }
        assertEquals(0, tracker.activeTracks());
        assertNotEquals(id, tracker.update(dets(new float[][] {{0, 0, 10, 10}}, new float[] {0.9f}, new int[] {1}))[0]);
    }
}
