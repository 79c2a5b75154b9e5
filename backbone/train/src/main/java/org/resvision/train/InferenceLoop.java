package org.resvision.train;

import java.util.Iterator;
import java.util.List;

/**
 * The inference loop detection and segmentation share, {@link TrainLoop}'s counterpart (detectron2's
 * {@code inference_on_dataset}): for each batch, the model's outputs for its images, handed one by
 * one to a sink (an evaluator's {@code process}, a results writer), then the batch closed. Training's
 * validation, {@code resvision evaluate} and library users drive it through
 * {@code DetectionEvaluation.run} and {@code SegmentationEvaluation.run}, which supply the model's
 * half; nothing here knows a model or a metric.
 *
 * <p>A pass runs on the calling thread (the batches may be read ahead by their own threads); the
 * model must not be trained meanwhile.
 */
public final class InferenceLoop {

    /**
     * The model's half: one batch in, one output per image out.
     *
     * @param <B> the batch type
     * @param <O> one image's output
     */
    public interface Predictor<B, O> {
        /**
         * The outputs of one batch.
         *
         * @param batch the batch; the loop closes it after its outputs reach the sink, so outputs
         *     must not be views of its arrays
         * @return one output per image of the batch, in the batch's order (empty for a batch whose
         *     images were all unreadable)
         * @throws Exception what the forward pass or reading the outputs throws; it ends the pass
         */
        List<O> predict(B batch) throws Exception;
    }

    /**
     * Where each image's output goes.
     *
     * @param <O> one image's output
     */
    public interface Sink<O> {
        /**
         * Takes one image's output.
         *
         * @param output the output, in the source's order
         * @throws Exception any failure; it ends the pass and reaches the caller of {@link InferenceLoop#run}
         */
        void accept(O output) throws Exception;
    }

    /**
     * What a pass did.
     *
     * @param batches batches read
     * @param outputs outputs handed to the sink (images seen)
     * @param seconds wall time of the pass
     */
    public record Summary(int batches, int outputs, double seconds) {}

    private InferenceLoop() {}

    /**
     * Runs {@code predictor} over every batch and hands each output to {@code sink}; each batch is
     * closed after its outputs, also when a step throws.
     *
     * @param <B> the batch type
     * @param <O> one image's output
     * @param batches the batches, read once to the end
     * @param predictor the model's half
     * @param sink receives every output, in order
     * @return the counts and time of the pass
     * @throws Exception what the batches, the predictor or the sink throw (the pass stops there)
     */
    public static <B extends AutoCloseable, O> Summary run(Iterator<B> batches, Predictor<? super B, ? extends O> predictor,
            Sink<? super O> sink) throws Exception {
        long t0 = System.nanoTime();
        int nBatches = 0;
        int nOutputs = 0;
        while (batches.hasNext()) {
            try (B batch = batches.next()) {
                nBatches++;
                for (O out : predictor.predict(batch)) {
                    sink.accept(out);
                    nOutputs++;
                }
            }
        }
        return new Summary(nBatches, nOutputs, (System.nanoTime() - t0) / 1e9);
    }
}
