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
 * DJL {@link Translator} from an {@link Image} to a {@link CategoryMask} for an {@link Fcn}:
 * RGB scaled to [0, 1], ImageNet-normalised at the image's own size (or resized so the short
 * side is {@code shortSide}, then the mask resized back with nearest neighbour), per-pixel argmax
 * of {@code out}. Use with {@code Model.setBlock(fcn)} and {@code model.newPredictor(translator)};
 * {@code batchPredict} runs images one by one (they may differ in size).
 *
 * <p>Immutable (per-call state lives in DJL's {@code TranslatorContext}); safe to share between
 * threads, each with its own Predictor.
 */
public final class SegmentationTranslator implements Translator<Image, CategoryMask> {

    private final List<String> classes;
    private final int shortSide;

    /**
     * @param classes a name per class index (background first)
     * @param shortSide resize the short side to this before the model, 0 to keep the size
     */
    public SegmentationTranslator(List<String> classes, int shortSide) {
        this.classes = List.copyOf(classes);
        this.shortSide = shortSide;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Image input) {
        NDArray hwc = input.toNDArray(ctx.getNDManager(), Image.Flag.COLOR);
        NDArray chw = hwc.transpose(2, 0, 1).toType(DataType.FLOAT32, false).div(255f);
        ctx.setAttachment("size", new int[] {input.getHeight(), input.getWidth()});
        if (shortSide > 0) {
            int[] hw = resized(input.getHeight(), input.getWidth(), shortSide);
            chw = Transforms.bilinear(chw, hw[0], hw[1]);
        }
        Sample s = Transforms.normalize(Sample.of(chw),
                Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD);
        return new NDList(s.image().expandDims(0));
    }

    /**
     * torchvision's {@code resize(img, [shortSide])}: the shorter side becomes {@code shortSide},
     * the longer {@code int(shortSide * long / short)} (truncated, as torchvision computes it).
     *
     * @param h the image's height in pixels
     * @param w the image's width in pixels
     * @param shortSide the shorter side's new length in pixels
     * @return {@code {height, width}} after the resize
     */
    public static int[] resized(int h, int w, int shortSide) {
        if (h <= w) {
            return new int[] {shortSide, (int) ((long) shortSide * w / h)};
        }
        return new int[] {(int) ((long) shortSide * h / w), shortSide};
    }

    @Override
    public CategoryMask processOutput(TranslatorContext ctx, NDList list) {
        NDArray pred = list.get(0).argMax(1); // [1, H, W]
        int[] size = (int[]) ctx.getAttachment("size");
        if (pred.getShape().get(1) != size[0] || pred.getShape().get(2) != size[1]) {
            NDArray f = pred.toType(DataType.FLOAT32, false).expandDims(0);
            pred = f.getNDArrayInternal().interpolation(new long[] {size[0], size[1]}, 0, false).squeeze(0); // nearest
        }
        int[] flat = pred.squeeze(0).toType(DataType.INT32, false).toIntArray();
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
