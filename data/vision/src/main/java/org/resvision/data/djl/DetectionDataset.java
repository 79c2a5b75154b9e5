package org.resvision.data.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;
import java.io.IOException;
import java.util.Random;
import org.resvision.data.loader.SampleSource;
import org.resvision.data.transform.Sample;

/**
 * A {@link SampleSource} as a DJL {@link RandomAccessDataset}, so {@code trainer.iterateDataset}
 * and DJL's samplers work: data is the image [3, H, W] and its size [2] ({@code h, w}, int64),
 * labels are boxes [N, 4] ({@code x1, y1, x2, y2}, in the transformed image's pixels) and labels
 * [N] (int64); batches are padded by {@link PaddingBatchifier} (images to a multiple of 32,
 * missing objects labelled -1), so a batch's data is {@code [images [B, 3, H, W], sizes [B, 2]]},
 * the input a {@code FasterRcnn} block takes (the sizes say where each padded image ends). Each
 * item's augmentation is seeded by (seed, index). ResVision's own {@code PrefetchLoader} does the
 * same with per-epoch seeds and aspect-ratio grouping.
 *
 * <p>Holds no mutable state of its own: {@link #get} may run on several threads at once when the
 * {@link SampleSource} allows it (ResVision's sources do).
 */
public final class DetectionDataset extends RandomAccessDataset {

    private final SampleSource source;
    private final long seed;

    private DetectionDataset(Builder b) {
        super(b);
        this.source = b.source;
        this.seed = b.seed;
    }

    /**
     * A builder for {@code source}; as for any DJL dataset, call {@code setSampling} before
     * {@link Builder#build()}.
     *
     * @param source the items
     * @return a builder with the padding batchifiers set (images to a multiple of 32, labels padded with -1)
     */
    public static Builder builder(SampleSource source) {
        return new Builder(source);
    }

    /**
     * Item {@code index}, loaded and transformed by the source with {@code Seeds.random(seed, index)}: the
     * same augmentation in every epoch, independent between items.
     *
     * @param manager owns every array of the record
     * @param index item index, below {@code source.size()}
     * @return data {@code [image [3, H, W] float32, size [2] int64 (h, w)]}, labels
     *     {@code [boxes [N, 4] float32, labels [N] int64]}
     * @throws IOException when the source cannot read the item
     */
    @Override
    public Record get(NDManager manager, long index) throws IOException {
        Sample s = source.load((int) index, org.resvision.data.loader.Seeds.random(seed, index), manager);
        float[] flat = s.boxes().toArray();
        long[] labels = new long[s.labels().length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = s.labels()[i];
        }
        NDArray size = manager.create(new long[] {s.height(), s.width()});
        return new Record(new NDList(s.image(), size),
                new NDList(manager.create(flat, new Shape(s.boxes().size(), 4)), manager.create(labels).toType(DataType.INT64, false)));
    }

    @Override
    protected long availableSize() {
        return source.size();
    }

    @Override
    public void prepare(Progress progress) {}

    /** DJL's builder, with padding batchifiers preset. */
    public static final class Builder extends BaseBuilder<Builder> {
        private final SampleSource source;
        private long seed;

        Builder(SampleSource source) {
            this.source = source;
            optDataBatchifier(PaddingBatchifier.images(32));
            optLabelBatchifier(PaddingBatchifier.targets());
        }

        /**
         * Sets the seed of every item's augmentation (default 0).
         *
         * @param s the seed
         * @return this builder
         */
        public Builder optSeed(long s) {
            seed = s;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /**
         * The dataset.
         *
         * @return a new dataset over the builder's source
         * @throws NullPointerException when no sampling was set ({@code setSampling} or {@code optSampler})
         */
        public DetectionDataset build() {
            return new DetectionDataset(this);
        }
    }
}
