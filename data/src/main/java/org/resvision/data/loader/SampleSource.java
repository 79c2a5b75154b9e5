package org.resvision.data.loader;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.util.Random;
import org.resvision.data.transform.Sample;

/** Indexed training samples: decoding and augmentation of one item. */
public interface SampleSource {

    /** Number of items. */
    int size();

    /** Width / height of item {@code index} (for aspect-ratio grouping), without decoding it. */
    double aspectRatio(int index);

    /**
     * Decodes and transforms item {@code index}; all its arrays belong to {@code manager}.
     *
     * @param rnd this item's random source for this epoch (deterministic by seed, epoch, index)
     * @throws IOException a missing or broken file; the message names it
     */
    Sample load(int index, Random rnd, NDManager manager) throws IOException;
}
