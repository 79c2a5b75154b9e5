package org.resvision.detection.track;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.resvision.data.boxes.Boxes;
import org.resvision.detection.Detections;

/**
 * A simple multi-object tracker: stable ids for detections across frames, ByteTrack-style.
 *
 * <p>Each track keeps its last box and a constant-velocity motion estimate (the smoothed change
 * of its box per processed frame). For a new frame, every track's box is predicted one step
 * ahead; then (1) detections scoring at least {@code highThresh} are matched to the predicted
 * boxes greedily by IoU (best pairs first, IoU at least {@code matchIou}, same label), (2) the
 * remaining tracks get a second chance with the low-scoring detections ({@code lowThresh} up to
 * {@code highThresh}), which keeps an object through frames where its score dips, (3) unmatched
 * high-scoring detections start new tracks, and tracks unmatched for more than {@code maxAge}
 * processed frames are dropped. Ids are never reused.
 *
 * <p>Not thread-safe: it keeps the tracks of one video; use one per video and thread (or synchronize).
 */
public final class IouTracker {

    /**
     * Tracker settings.
     *
     * @param highThresh detections scoring at least this are matched first and may start tracks
     * @param lowThresh detections scoring in {@code [lowThresh, highThresh)} only extend existing tracks;
     *     lower ones are ignored
     * @param matchIou the smallest IoU between a detection and a track's predicted box for a match
     * @param maxAge processed frames a track survives unmatched before it is dropped
     */
    public record Settings(float highThresh, float lowThresh, float matchIou, int maxAge) {
        /**
         * The defaults.
         *
         * @return high 0.5, low 0.1, IoU 0.3, age 30 frames
         */
        public static Settings defaults() {
            return new Settings(0.5f, 0.1f, 0.3f, 30);
        }
    }

    private static final float VELOCITY_SMOOTHING = 0.5f;

    private static final class Track {
        final int id;
        final int label;
        final float[] box = new float[4];
        final float[] velocity = new float[4];
        int age;

        Track(int id, int label, float[] b, int off) {
            this.id = id;
            this.label = label;
            System.arraycopy(b, off, box, 0, 4);
        }

        float[] predicted() {
            float[] p = new float[4];
            for (int k = 0; k < 4; k++) {
                p[k] = box[k] + velocity[k] * (age + 1);
            }
            return p;
        }

        void update(float[] b, int off) {
            for (int k = 0; k < 4; k++) {
                float step = (b[off + k] - box[k]) / (age + 1);
                velocity[k] = VELOCITY_SMOOTHING * velocity[k] + (1 - VELOCITY_SMOOTHING) * step;
                box[k] = b[off + k];
            }
            age = 0;
        }
    }

    private final Settings settings;
    private final List<Track> tracks = new ArrayList<>();
    private int nextId = 1;

    /**
     * A tracker with no tracks; the first id is 1.
     *
     * @param settings thresholds and track lifetime
     */
    public IouTracker(Settings settings) {
        this.settings = settings;
    }

    /**
     * Live tracks (matched within {@code maxAge} processed frames).
     *
     * @return how many tracks are kept now
     */
    public int activeTracks() {
        return tracks.size();
    }

    /**
     * Associates one frame's detections with the tracks; returns a track id per detection (0 for
     * a low-scoring detection that matched no track, which starts none).
     *
     * @param d one frame's detections (boxes in the same pixels every frame)
     * @return a new array, one id per detection in {@code d}'s order; ids start at 1
     */
    public int[] update(Detections d) {
        int n = d.size();
        int[] ids = new int[n];
        boolean[] trackUsed = new boolean[tracks.size()];
        boolean[] detUsed = new boolean[n];
        float[][] predicted = new float[tracks.size()][];
        for (int t = 0; t < tracks.size(); t++) {
            predicted[t] = tracks.get(t).predicted();
        }
        associate(d, ids, trackUsed, detUsed, predicted, true);
        associate(d, ids, trackUsed, detUsed, predicted, false);
        for (int t = tracks.size() - 1; t >= 0; t--) {
            if (!trackUsed[t]) {
                tracks.get(t).age++;
            }
        }
        Iterator<Track> it = tracks.iterator();
        while (it.hasNext()) {
            if (it.next().age > settings.maxAge()) {
                it.remove();
            }
        }
        for (int i = 0; i < n; i++) {
            if (!detUsed[i] && d.scores()[i] >= settings.highThresh()) {
                Track t = new Track(nextId++, d.labels()[i], d.boxes().box(i), 0);
                tracks.add(t);
                ids[i] = t.id;
            }
        }
        return ids;
    }

    private void associate(Detections d, int[] ids, boolean[] trackUsed, boolean[] detUsed, float[][] predicted, boolean high) {
        List<float[]> pairs = new ArrayList<>(); // {iou, track, det}
        for (int i = 0; i < d.size(); i++) {
            float s = d.scores()[i];
            boolean inBand = high ? s >= settings.highThresh() : s >= settings.lowThresh() && s < settings.highThresh();
            if (detUsed[i] || !inBand) {
                continue;
            }
            float[] box = d.boxes().box(i);
            for (int t = 0; t < predicted.length; t++) {
                if (trackUsed[t] || tracks.get(t).label != d.labels()[i]) {
                    continue;
                }
                float iou = Boxes.iou(box, predicted[t])[0][0];
                if (iou >= settings.matchIou()) {
                    pairs.add(new float[] {iou, t, i});
                }
            }
        }
        pairs.sort((a, b) -> Float.compare(b[0], a[0]));
        for (float[] p : pairs) {
            int t = (int) p[1];
            int i = (int) p[2];
            if (trackUsed[t] || detUsed[i]) {
                continue;
            }
            trackUsed[t] = true;
            detUsed[i] = true;
            Track tr = tracks.get(t);
            tr.update(d.boxes().box(i), 0);
            ids[i] = tr.id;
        }
    }
}
