package org.resvision.detection;

import java.util.ArrayList;
import java.util.List;
import org.resvision.data.loader.Batch;
import org.resvision.data.transform.Sample;

/**
 * A loader batch as {@link FasterRcnn} takes it: the images' sizes before padding and, for
 * training, the targets. Used by training, the inference loop and benchmarks.
 */
public final class DetectionBatches {

    private DetectionBatches() {}

    /**
     * The batch's resized image sizes {@code {h, w}}.
     *
     * @param b a loader batch
     * @return per sample, in batch order, its height and width in pixels before the batch's padding
     */
    public static int[][] sizes(Batch b) {
        int[][] out = new int[b.size()][];
        for (int i = 0; i < b.size(); i++) {
            out[i] = new int[] {(int) b.samples().get(i).height(), (int) b.samples().get(i).width()};
        }
        return out;
    }

    /**
     * The batch's boxes and labels as training targets.
     *
     * @param b a loader batch whose samples have boxes ({@code x1, y1, x2, y2}, resized pixels) and labels
     * @return per sample, in batch order, a new target (copied boxes, the sample's label array)
     */
    public static List<Target> targets(Batch b) {
        List<Target> out = new ArrayList<>();
        for (Sample s : b.samples()) {
            out.add(new Target(s.boxes(), s.labels()));
        }
        return out;
    }
}
