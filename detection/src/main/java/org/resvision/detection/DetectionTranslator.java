package org.resvision.detection;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.BoundingBox;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.modality.cv.output.Rectangle;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.util.ArrayList;
import java.util.List;
import org.resvision.data.boxes.Boxes;

/**
 * DJL {@link Translator} from an {@link Image} to {@link DetectedObjects} for a {@link
 * FasterRcnn}: RGB in [0, 1], torchvision's detection transform, and the detections mapped back
 * to the image and given in DJL's convention (class names, probabilities, {@link Rectangle}s with
 * coordinates normalised by the image's width and height). Use with {@code
 * Model.setBlock(fasterRcnn)} and {@code model.newPredictor(translator)}; {@code batchPredict}
 * runs one padded batch (images of any sizes).
 *
 * <p>Immutable (the per-call state lives in DJL's {@code TranslatorContext}); safe to share between
 * threads, each with its own Predictor.
 */
public final class DetectionTranslator implements Translator<Image, DetectedObjects> {

    /** Per input, in order, {@code {resized h, w, original h, w}}: DJL's batchPredict shares one context. */
    private static final String SIZES = "resvision.sizes";

    private final DetectionTransform transform;
    private final List<String> classes;

    /**
     * A translator for a model.
     *
     * @param model supplies the transform ({@link FasterRcnn#transform()})
     * @param classNames a name per label, background first (copied)
     */
    public DetectionTranslator(FasterRcnn model, List<String> classNames) {
        this.transform = model.transform();
        this.classes = List.copyOf(classNames);
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image input) {
        NDArray hwc = input.toNDArray(ctx.getNDManager(), Image.Flag.COLOR);
        NDArray chw;
        try (NDArray t = hwc.transpose(2, 0, 1); NDArray f = t.toType(DataType.FLOAT32, false)) {
            chw = f.div(255f);
        }
        NDArray resized = transform.normalizeAndResize(chw);
        int[] size = {(int) resized.getShape().get(1), (int) resized.getShape().get(2)};
        sizes(ctx).addLast(new int[] {size[0], size[1], input.getHeight(), input.getWidth()});
        return new NDList(resized, ctx.getNDManager().create(new long[] {size[0], size[1]}));
    }

    @Override
    public DetectedObjects processOutput(TranslatorContext ctx, NDList list) {
        int[] s = sizes(ctx).removeFirst();
        int[] resized = {s[0], s[1]};
        int[] original = {s[2], s[3]};
        long[] labels = list.get(2).toLongArray();
        int[] l = new int[labels.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (int) labels[i];
        }
        Detections d = new Detections(Boxes.of(list.get(0).toFloatArray()), list.get(1).toFloatArray(), l)
                .rescale(resized[0], resized[1], original[0], original[1]);
        return toDetectedObjects(d, classes, original[0], original[1]);
    }

    @SuppressWarnings("unchecked")
    private static java.util.ArrayDeque<int[]> sizes(TranslatorContext ctx) {
        Object q = ctx.getAttachment(SIZES);
        if (q == null) {
            q = new java.util.ArrayDeque<int[]>();
            ctx.setAttachment(SIZES, q);
        }
        return (java.util.ArrayDeque<int[]>) q;
    }

    /**
     * Detections in an {@code h x w} image as DJL's {@link DetectedObjects} (normalised rectangles).
     *
     * @param d detections in the pixels of the {@code h x w} image
     * @param classes a name per label, background first
     * @param h the image's height in pixels
     * @param w the image's width in pixels
     * @return the detections in their order, named by class, rectangles {@code (x, y, width, height)} in
     *     fractions of the image's width and height
     * @throws IndexOutOfBoundsException when a label has no name in {@code classes}
     */
    public static DetectedObjects toDetectedObjects(Detections d, List<String> classes, int h, int w) {
        List<String> names = new ArrayList<>();
        List<Double> probs = new ArrayList<>();
        List<BoundingBox> boxes = new ArrayList<>();
        float[] b = d.boxes().toArray();
        for (int k = 0; k < d.size(); k++) {
            names.add(classes.get(d.labels()[k]));
            probs.add((double) d.scores()[k]);
            boxes.add(new Rectangle(b[4 * k] / (double) w, b[4 * k + 1] / (double) h, (b[4 * k + 2] - b[4 * k]) / (double) w,
                    (b[4 * k + 3] - b[4 * k + 1]) / (double) h));
        }
        return new DetectedObjects(names, probs, boxes);
    }

    @Override
    public Batchifier getBatchifier() {
        return new PaddingBatchifier();
    }

    /**
     * Pads the transformed images to one [N, 3, H, W] batch (multiple of 32, like {@code
     * GeneralizedRCNNTransform}) with their sizes [N, 2], as the DJL dataset adapter's batches are
     * ({@link org.resvision.data.djl.PaddingBatchifier}, whose batches the model takes in training
     * too); splits the model's per-image triples back.
     */
    static final class PaddingBatchifier implements Batchifier {

        private static final org.resvision.data.djl.PaddingBatchifier INPUTS =
                org.resvision.data.djl.PaddingBatchifier.images(DetectionTransform.SIZE_DIVISIBLE);

        @Override
        public NDList batchify(NDList[] inputs) {
            return INPUTS.batchify(inputs);
        }

        @Override
        public NDList[] unbatchify(NDList inputs) {
            NDList[] out = new NDList[inputs.size() / 3];
            for (int i = 0; i < out.length; i++) {
                out[i] = new NDList(inputs.get(3 * i), inputs.get(3 * i + 1), inputs.get(3 * i + 2));
            }
            return out;
        }

        @Override
        public NDList[] split(NDList list, int numOfSlices, boolean evenSplit) {
            throw new UnsupportedOperationException("detection batches are not split across devices");
        }
    }
}
