package org.resvision.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.CategoryMask;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.resvision.data.transform.Sample;
import org.resvision.data.transform.Transforms;

class SegmentationTranslatorTest {

    @Test
    void predictorGivesTheModelsArgmaxAtTheImagesSize() throws Exception {
        BufferedImage bi = new BufferedImage(40, 24, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 40; x++) {
                bi.setRGB(x, y, (x * 6) << 16 | (y * 10) << 8 | 90);
            }
        }
        Image image = ImageFactory.getInstance().fromImage(bi);
        List<String> classes = List.of("background", "circle", "rectangle");
        try (Model model = Model.newInstance("fcn")) {
            Fcn fcn = Fcn.of(FcnConfig.small(3));
            model.setBlock(fcn);
            fcn.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 3, 24, 40));
            try (Predictor<Image, CategoryMask> p = model.newPredictor(new SegmentationTranslator(classes, 0))) {
                CategoryMask mask = p.predict(image);
                assertEquals(classes, mask.getClasses());
                assertEquals(24, mask.getMask().length);
                assertEquals(40, mask.getMask()[0].length);
                // the same argmax computed by hand from the same pixels
                try (NDManager m = NDManager.newBaseManager()) {
                    NDArray chw = image.toNDArray(m, Image.Flag.COLOR).transpose(2, 0, 1).toType(DataType.FLOAT32, false).div(255f);
                    NDArray x = Transforms.normalize(Sample.of(chw),
                            Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD).image().expandDims(0);
                    int[] want = fcn.forward(new ParameterStore(m, false), new NDList(x), false).get(0).argMax(1)
                            .toType(DataType.INT32, false).toIntArray();
                    assertEquals(want[5 * 40 + 7], mask.getMask()[5][7]);
                    assertEquals(want[23 * 40 + 39], mask.getMask()[23][39]);
                }
                assertEquals(2, p.batchPredict(List.of(image, image)).size());
            }
        }
    }
}
