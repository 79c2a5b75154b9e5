package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.output.BoundingBox;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code model.newPredictor(new DetectionTranslator(model, classNames))} gives the model's own detections,
 * mapped to the image and normalised DJL rectangles, alone and in a batch of different sizes.
 */
class DetectionTranslatorTest {

    @Test
    void predictorAndBatchPredictGiveTheModelsDetections() throws Exception {
        DetectionConfig.Builder cb = FasterRcnnTrainingStepTest.tiny().toBuilder();
        cb.box_score_thresh = 0f;
        cb.box_detections_per_img = 20;
        cb.class_names = List.of("background", "circle", "rectangle", "triangle", "star");
        DetectionConfig c = cb.build();
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("faster_rcnn")) {
            ai.djl.engine.Engine.getInstance().setRandomSeed(11);
            FasterRcnn net = FasterRcnn.of(c).init(m);
            model.setBlock(net);
            NDArray a = m.randomUniform(0, 255, new Shape(150, 200, 3)).toType(DataType.UINT8, false);
            NDArray b = m.randomUniform(0, 255, new Shape(210, 120, 3)).toType(DataType.UINT8, false);
            Image ia = ImageFactory.getInstance().fromNDArray(a);
            Image ib = ImageFactory.getInstance().fromNDArray(b);
            // the reference: the model's detect on the transformed batch, mapped back
            DetectionTransform t = c.model().transform();
            List<Detections> direct;
            NDArray fa = a.transpose(2, 0, 1).toType(DataType.FLOAT32, false).div(255f);
            NDArray fb = b.transpose(2, 0, 1).toType(DataType.FLOAT32, false).div(255f);
            try (DetectionTransform.Prepared p = t.prepare(List.of(fa, fb))) {
                direct = DetectionTransform.postprocess(net.detect(new ParameterStore(m, false), p.images(), p.imageSizes()), p);
            }
            try (Predictor<Image, DetectedObjects> predictor = model.newPredictor(new DetectionTranslator(net, c.classNames()))) {
                List<DetectedObjects> batch = predictor.batchPredict(List.of(ia, ib));
                DetectedObjects single = predictor.predict(ib);
                assertSame(direct.get(0), batch.get(0), 150, 200, c);
                assertSame(direct.get(1), batch.get(1), 210, 120, c);
                // alone, image b is padded differently: the same detections up to float noise
                assertEquals(batch.get(1).getNumberOfObjects(), single.getNumberOfObjects());
            }
        }
    }

    private static void assertSame(Detections d, DetectedObjects o, int h, int w, DetectionConfig c) {
        assertEquals(d.size(), o.getNumberOfObjects());
        for (int k = 0; k < d.size(); k++) {
            DetectedObjects.DetectedObject obj = o.item(k);
            assertEquals(c.model().classNames().get(d.labels()[k]), obj.getClassName());
            assertEquals(d.scores()[k], obj.getProbability(), 1e-5);
            BoundingBox box = obj.getBoundingBox();
            assertEquals(d.boxes().get(k, 0) / w, box.getBounds().getX(), 1e-4);
            assertEquals(d.boxes().get(k, 1) / h, box.getBounds().getY(), 1e-4);
            assertEquals((d.boxes().get(k, 2) - d.boxes().get(k, 0)) / w, box.getBounds().getWidth(), 1e-4);
        }
    }
}
