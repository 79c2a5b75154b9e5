package org.resvision.segmentation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import org.resvision.data.loader.BadItems;
import org.resvision.data.loader.SampleSource;
import org.resvision.data.transform.Sample;
import org.resvision.eval.DatasetEvaluator;
import org.resvision.eval.EvaluationException;
import org.resvision.eval.segmentation.ConfusionMatrix;
import org.resvision.eval.segmentation.SegmentationEvaluator.LabelMaps;
import org.resvision.eval.segmentation.SegmentationEvaluator;
import org.resvision.train.InferenceLoop;

/**
 * The segmentation inference loop: an FCN over a source, one image at a time at its own size (as
 * torchvision's reference evaluation: no padding to a batch), each image's target and predicted
 * class maps handed to a {@link DatasetEvaluator} ({@link SegmentationEvaluator} for the confusion
 * matrix metrics). Training's validation, {@code resvision evaluate} and library users run it.
 *
 * <p>Stateless; a pass runs on the calling thread, and the model must not be trained meanwhile.
 */
public final class SegmentationEvaluation {

    private SegmentationEvaluation() {}

    /** One image and the scratch manager that owns its arrays, closed after the image. */
    private record Item(int index, NDManager manager) implements AutoCloseable {
        @Override
        public void close() {
            manager.close();
        }
    }

    /**
     * Runs the model over every image of {@code source} and hands each image's class maps to
     * {@code sink}, in order. An unreadable image (or class map) is skipped with one warning line on
     * stderr (the pass fails when more than 10% are, see {@link BadItems}), unless {@code strict},
     * which fails at the first.
     *
     * @param model the network, run in inference mode
     * @param source images and class maps at the size to evaluate, in order ({@code load} gets a
     *     {@code Random(0)}: no augmentation expected)
     * @param strict fail at the first unreadable image instead of skipping it
     * @param manager the parent of each image's scratch manager (closed after the image)
     * @param sink receives one {@link LabelMaps} per readable image (its id: the index in the source)
     * @return the pass's counts and time
     * @throws IOException when an image cannot be read in strict mode, or else when more than 10% of
     *     those read cannot
     * @throws Exception what the sink throws
     */
    public static InferenceLoop.Summary run(Fcn model, SampleSource source, boolean strict, NDManager manager,
            InferenceLoop.Sink<? super LabelMaps> sink) throws Exception {
        ParameterStore ps = new ParameterStore(manager, false);
        BadItems bad = new BadItems(strict, source.size(), System.err::println);
        Iterator<Item> items = new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < source.size();
            }

            @Override
            public Item next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int i = next++;
                return new Item(i, manager.newSubManager());
            }
        };
        return InferenceLoop.run(items, (Item item) -> {
            Sample s;
            try {
                s = source.load(item.index(), new Random(0), item.manager());
            } catch (IOException e) {
                bad.failed(item.index(), e);
                return List.of();
            }
            bad.ok(item.index());
            NDList out = model.forward(ps, new NDList(s.image().expandDims(0)), false);
            NDArray pred = out.get(0).argMax(1).squeeze(0);
            return List.of(new LabelMaps(String.valueOf(item.index()), s.segMap().toType(DataType.INT32, false).toIntArray(),
                    pred.toType(DataType.INT32, false).toIntArray()));
        }, sink);
    }

    /**
     * One evaluation pass: {@code evaluator} reset, fed every image by {@link #run}, evaluated.
     *
     * @param <R> the evaluator's result
     * @param model the network, run in inference mode
     * @param source images and class maps at the size to evaluate, in order
     * @param strict fail at the first unreadable image instead of skipping it
     * @param manager the parent of each image's scratch manager
     * @param evaluator the evaluation, for example a {@link SegmentationEvaluator}
     * @return the evaluator's result
     * @throws IOException as {@link #run}
     * @throws EvaluationException what the evaluator throws
     * @throws Exception what else the pass throws
     */
    public static <R> R evaluate(Fcn model, SampleSource source, boolean strict, NDManager manager,
            DatasetEvaluator<? super LabelMaps, R> evaluator) throws Exception {
        evaluator.reset();
        run(model, source, strict, manager, evaluator::process);
        return evaluator.evaluate();
    }

    /**
     * Per-pixel argmax of the model's output against each sample's map (255 ignored), one image at a
     * time. Unreadable images are skipped with a warning (see the other overload).
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
     * @throws IllegalArgumentException when a class map and the prediction differ in size, or the
     *     model predicts a class beyond its config's {@code numClasses}
     */
    public static ConfusionMatrix evaluate(Fcn model, SampleSource source, NDManager manager, boolean strict) throws IOException {
        try {
            return evaluate(model, source, strict, manager, new SegmentationEvaluator(model.numClasses()));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (EvaluationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException(e); // run's sink here is the evaluator: nothing else is thrown
        }
    }
}
