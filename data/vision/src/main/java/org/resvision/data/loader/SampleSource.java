package org.resvision.data.loader;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Random;
import org.resvision.data.transform.Sample;

/**
 * Indexed training samples: decoding and augmentation of one item.
 *
 * <p>{@link PrefetchLoader} calls {@link #load} from several worker threads at once (each batch with
 * its own manager), so implementations must allow concurrent calls; ResVision's sources hold no
 * mutable state after construction.
 */
public interface SampleSource {

    /**
     * Number of items.
     *
     * @return the item count; indices run from 0 to {@code size() - 1}
     */
    int size();

    /**
     * Width / height of item {@code index} (for aspect-ratio grouping), without decoding it.
     *
     * @param index item index, 0-based
     * @return the ratio; 1 or more puts the item in the landscape group, less in the portrait group
     */
    double aspectRatio(int index);

    /**
     * Decodes and transforms item {@code index}; all its arrays belong to {@code manager}.
     *
     * @param index item index, 0-based
     * @param rnd this item's random source for this epoch (deterministic by seed, epoch, index)
     * @param manager owns every array of the returned sample
     * @return the transformed item: image [3, H, W] float32, boxes in that image's pixels
     * @throws IOException a missing or broken file; the message names it
     */
    Sample load(int index, Random rnd, NDManager manager) throws IOException;
}
