package org.resvision.segmentation;

import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.output.CategoryMask;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import java.util.List;
import org.resvision.data.transform.Sample;
import org.resvision.data.transform.Transforms;

/**
 * DJL {@link Translator} from an {@link Image} to a {@link CategoryMask} for an {@link Fcn}: RGB
 * scaled to [0, 1], then {@link SegmentationTransform} (the short side resized, ImageNet
 * normalisation; back: the argmax at the image's size). Use with {@code Model.setBlock(fcn)} and
 * {@code model.newPredictor(translator)}; {@code batchPredict} runs images one by one (they may
 * differ in size).
 *
 * <p>Immutable (per-call state lives in DJL's {@code TranslatorContext}); safe to share between
 * threads, each with its own Predictor.
 */
public final class SegmentationTranslator implements Translator<Image, CategoryMask> {

    private final List<String> classes;
    private final SegmentationTransform transform;

    /**
     * A translator with the class names and the transform.
     *
     * @param classes a name per class index (background first)
     * @param transform the model's inference transform ({@link SegmentationTransform#of} a config)
     */
    public SegmentationTranslator(List<String> classes, SegmentationTransform transform) {
        this.classes = List.copyOf(classes);
        this.transform = transform;
    }

    /**
     * A translator resizing to a short side.
     *
     * @param classes a name per class index (background first)
     * @param shortSide resize the short side to this before the model, 0 to keep the size
     */
    public SegmentationTranslator(List<String> classes, int shortSide) {
        this(classes, new SegmentationTransform(shortSide));
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image input) {
        NDArray hwc = input.toNDArray(ctx.getNDManager(), Image.Flag.COLOR);
        NDArray chw = hwc.transpose(2, 0, 1).toType(DataType.FLOAT32, false).div(255f);
        ctx.setAttachment("size", new int[] {input.getHeight(), input.getWidth()});
        return new NDList(transform.prepare(chw).expandDims(0));
    }

    @Override
    public CategoryMask processOutput(TranslatorContext ctx, NDList list) {
        int[] size = (int[]) ctx.getAttachment("size");
        int[] flat = transform.classMap(list.get(0), size[0], size[1]).toIntArray();
        int[][] mask = new int[size[0]][size[1]];
        for (int y = 0; y < size[0]; y++) {
            System.arraycopy(flat, y * size[1], mask[y], 0, size[1]);
        }
        return new CategoryMask(classes, mask);
    }

    @Override
    public Batchifier getBatchifier() {
        return null; // one image at a time: sizes differ
    }
}
