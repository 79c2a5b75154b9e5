package org.resvision.data.loader;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.resvision.data.transform.Sample;

/**
 * A batch: padded images [N, 3, H, W] (zeros at the bottom/right up to a multiple of 32), the
 * samples with their own sizes and targets, and the dataset indices. It owns one manager;
 * close the batch when the step is done.
 *
 * @param manager a child of the loader's root manager; it owns {@code images} and every array of
 *     {@code samples}, and closing the batch closes it
 * @param images the samples' images stacked, [N, 3, H, W], H and W the batch's largest image size rounded
 *     up to a multiple of 32, padding 0; a float32 [0, 3, 32, 32] array when every item was skipped
 * @param samples the transformed samples, in the order of {@code indices}, each with its own unpadded size
 * @param indices the dataset index of each sample; items skipped as unreadable are absent
 */
public record Batch(NDManager manager, NDArray images, List<Sample> samples, int[] indices) implements AutoCloseable {

    /**
     * Items in the batch.
     *
     * @return {@code samples().size()}; 0 when every item was skipped as unreadable
     */
    public int size() {
        return samples.size();
    }

    /** Closes {@code manager}, freeing the batch's arrays; use none of them afterwards. */
    @Override
    public void close() {
        manager.close();
    }
}
