package org.resvision.data.loader;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.resvision.data.transform.Sample;

/**
 * A batch: padded images [N, 3, H, W] (zeros at the bottom/right up to a multiple of 32), the
 * samples with their own sizes and targets, and the dataset indices. It owns one manager;
 * close the batch when the step is done.
 */
public record Batch(NDManager manager, NDArray images, List<Sample> samples, int[] indices) implements AutoCloseable {

    public int size() {
        return samples.size();
    }

    @Override
    public void close() {
        manager.close();
    }
}
