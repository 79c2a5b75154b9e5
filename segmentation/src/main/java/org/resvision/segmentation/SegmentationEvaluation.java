package org.resvision.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.util.Random;
import org.resvision.data.loader.BadItems;
import org.resvision.data.loader.SampleSource;
import org.resvision.data.transform.Sample;
import org.resvision.eval.segmentation.ConfusionMatrix;

/**
 * Runs an FCN over a segmentation source and fills the eval module's confusion matrix.
 *
 * <p>Stateless; a pass runs on the calling thread, and the model must not be trained meanwhile.
 */
public final class SegmentationEvaluation {

    private SegmentationEvaluation() {}

    /**
     * Per-pixel argmax of {@code out} against each sample's map (255 ignored), one image at a time.
     * Unreadable images are skipped with a warning (see the other overload).
     *
     * @param model the network, run in inference mode
     * @param source images and class maps at the size to evaluate, in order ({@code load} gets a
     *     {@code Random(0)}: no augmentation expected)
     * @param manager the parent of each image's scratch manager (closed after the image)
     * @return a new confusion matrix of {@code numClasses} classes over every pixel that is not ignored
     * @throws IOException when more than 10% of the images read cannot be read
     */
    public static ConfusionMatrix evaluate(Fcn model, SampleSource source, NDManager manager) throws IOException {
        return evaluate(model, source, manager, false);
    }

    /**
     * As above; an unreadable image (or class map) is skipped with one warning line on stderr
     * (the pass fails when more than 10% are, see {@link BadItems}), unless {@code strict}, which
     * fails at the first.
     *
     * @param model the network, run in inference mode
     * @param source images and class maps at the size to evaluate, in order ({@code load} gets a
     *     {@code Random(0)}: no augmentation expected)
     * @param manager the parent of each image's scratch manager (closed after the image)
     * @param strict fail at the first unreadable image instead of skipping it
     * @return a new confusion matrix of {@code numClasses} classes over every pixel that is not ignored
     * @throws IOException when an image cannot be read in strict mode, or else when more than 10% of
     *     those read cannot
     */
    public static ConfusionMatrix evaluate(Fcn model, SampleSource source, NDManager manager, boolean strict) throws IOException {
        ConfusionMatrix cm = new ConfusionMatrix(model.config().numClasses());
        ParameterStore ps = new ParameterStore(manager, false);
        BadItems bad = new BadItems(strict, source.size(), System.err::println);
        for (int i = 0; i < source.size(); i++) {
            try (NDManager m = manager.newSubManager()) {
                Sample s;
                try {
                    s = source.load(i, new Random(0), m);
                } catch (IOException e) {
                    bad.failed(i, e);
                    continue;
                }
                bad.ok(i);
                NDList out = model.forward(ps, new NDList(s.image().expandDims(0)), false);
                NDArray pred = out.get(0).argMax(1).squeeze(0);
                cm.update(s.segMap().toType(DataType.INT32, false).toIntArray(), pred.toType(DataType.INT32, false).toIntArray());
            }
        }
        return cm;
    }
}
