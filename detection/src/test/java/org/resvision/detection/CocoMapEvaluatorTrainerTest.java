package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.modality.cv.output.DetectedObjects;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.listener.TrainingListenerAdapter;
import ai.djl.training.loss.Loss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.boxes.Boxes;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.djl.DetectionDataset;
import org.resvision.data.loader.CocoDetectionSource;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvaluator;
import org.resvision.eval.djl.CocoMapEvaluator;
import org.resvision.eval.djl.DetectedObjectsCoco;

/**
 * The DJL side of evaluation with this repository's model: {@link CocoMapEvaluator} in a DJL
 * {@link Trainer} over {@link DetectionDataset} batches of a small Faster R-CNN, against {@link
 * CocoEvaluator} on the same predictions; and the round trip {@code Detections ->
 * DetectedObjects -> COCO results} against {@link CocoDetectionEvaluator#toCoco}.
 */
class CocoMapEvaluatorTrainerTest {

    private static final List<String> CLASSES = List.of("background", "circle", "rectangle", "triangle", "star");

    /** A trainer needs a loss, and validation updates it: this one takes any NDLists and is 0. */
    static final class NoLoss extends Loss {
        NoLoss() {
            super("no_loss");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            return labels.head().getManager().zeros(new Shape());
        }
    }

    /** What each validation batch held: its dataset indices, image sizes and per-image detections. */
    static final class Recorder extends TrainingListenerAdapter {
        final List<Long> indices = new ArrayList<>();
        final List<long[]> sizes = new ArrayList<>();
        final List<Detections> detections = new ArrayList<>();

        @Override
        public void onValidationBatch(Trainer trainer, BatchData batchData) {
            for (Object i : batchData.getBatch().getIndices()) {
                indices.add((Long) i);
            }
            long[] hw = batchData.getBatch().getData().get(1).toLongArray();
            for (NDList p : batchData.getPredictions().values()) {
                for (int i = 0; i < p.size() / 3; i++) {
                    sizes.add(new long[] {hw[2 * i], hw[2 * i + 1]});
                    long[] l = p.get(3 * i + 2).toLongArray();
                    int[] labels = new int[l.length];
                    for (int k = 0; k < l.length; k++) {
                        labels[k] = (int) l[k];
                    }
                    detections.add(new Detections(Boxes.of(p.get(3 * i).toFloatArray()), p.get(3 * i + 1).toFloatArray(), labels));
                }
            }
        }
    }

    @Test
    void trainerValidationGivesCocoEvaluatorsNumbers(@TempDir Path dir) throws Exception {
        // 40 scenes of 128 x 96, 8 of them validation; min/max size 96/128 keep them at scale 1
        new SyntheticDatasetWriter(new SyntheticScenes(new SyntheticScenes.Config(128, 96, 7, 1, 3))).writeCoco(dir, 40);
        CocoDataset val = CocoReader.readDataset(dir.resolve("annotations/instances_val.json"));
        DetectionConfig.Builder cb = FasterRcnnTrainingStepTest.tiny().toBuilder();
        cb.min_size = 96;
        cb.max_size = 128;
        cb.box_score_thresh = 0f; // an untrained model: keep every detection, so the numbers are not all 0
        cb.class_names = CLASSES;
        DetectionConfig c = cb.build();
        CocoDetectionSource source = new CocoDetectionSource(val, dir.resolve("images"), false, c.model().minSize(), c.model().maxSize());
        DetectionDataset dataset = DetectionDataset.builder(source).setSampling(3, false).build(); // batches of 3, 3, 2

        CocoMapEvaluator map = CocoMapEvaluator.builder().optAccumulatorKeys(EvaluatorTrainingListener.VALIDATE_EPOCH).build();
        CocoMapEvaluator direct = new CocoMapEvaluator("direct");
        direct.addAccumulator("direct");
        Recorder recorder = new Recorder();
        EvaluatorTrainingListener evaluators = new EvaluatorTrainingListener();
        DefaultTrainingConfig config = new DefaultTrainingConfig(new NoLoss()).addEvaluator(map).optDevices(new Device[] {Device.cpu()})
                .addTrainingListeners(evaluators, recorder);
        double[] stats;
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("faster_rcnn")) {
            Engine.getInstance().setRandomSeed(5);
            FasterRcnn net = FasterRcnn.of(c).init(m);
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(config)) {
                int batches = 0;
                for (Batch batch : trainer.iterateDataset(dataset)) {
                    EasyTrain.validateBatch(trainer, batch); // the listener updates map's validate/epoch
                    // the same by hand: trainer.evaluate, then updateAccumulator
                    NDList predictions = trainer.evaluate(batch.getData());
                    direct.updateAccumulator("direct", batch.getLabels(), predictions);
                    batch.close();
                    batches++;
                }
                assertEquals(3, batches);
                assertEquals(8, map.getImageCount(EvaluatorTrainingListener.VALIDATE_EPOCH));
                stats = map.getStats(EvaluatorTrainingListener.VALIDATE_EPOCH);
                assertArrayEquals(stats, direct.getStats("direct"), 0.0);

                // the epoch's end: DJL's listener reads the value and resets the accumulators
                trainer.notifyListeners(listener -> listener.onEpoch(trainer));
                assertEquals((float) stats[0], evaluators.getLatestEvaluations().get("validate_mAP"));
                assertEquals(-1f, evaluators.getLatestEvaluations().get("train_mAP"), "train/epoch does not collect");
                assertEquals(0, map.getImageCount(EvaluatorTrainingListener.VALIDATE_EPOCH));
            }

            // the reference: the recorded detections through DetectedObjects and the bridge, with the
            // images' real ids and the dataset's category ids, into CocoEvaluator
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), recorder.indices);
            Map<String, Long> ids = DetectedObjectsCoco.categoryIds(val);
            List<CocoResult> results = new ArrayList<>();
            for (int i = 0; i < recorder.detections.size(); i++) {
                assertArrayEquals(new long[] {96, 128}, recorder.sizes.get(i), "scale 1: detections are in the image's pixels");
                CocoImage im = val.images().get(recorder.indices.get(i).intValue());
                Detections d = recorder.detections.get(i);
                DetectedObjects objects = DetectionTranslator.toDetectedObjects(d, CLASSES, im.height(), im.width());
                List<CocoResult> bridged = DetectedObjectsCoco.toResults(im, objects, ids);
                assertSameResults(CocoDetectionEvaluator.toCoco(d, im.id(), val), bridged);
                results.addAll(bridged);
            }
            assertTrue(results.size() > 100, results.size() + " detections");
            CocoEvalParams bbox = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);
            // labels carry boxes, not the file's areas (mask areas here): with area = w * h all 12 agree
            double[] reference = CocoEvaluator.evaluate(withBoxAreas(val), results, bbox).stats();
            assertArrayEquals(reference, stats, 0.0);
            assertTrue(stats[0] > 0 && stats[8] > 0, "AP " + stats[0] + ", AR100 " + stats[8] + ": the comparison is not between zeros");
            // against the file itself, the all-area stats (AP, AP50, AP75, AR1, AR10, AR100) agree
            double[] file = CocoEvaluator.evaluate(val, results, bbox).stats();
            for (int s : new int[] {0, 1, 2, 6, 7, 8}) {
                assertEquals(file[s], stats[s], 0.0, CocoEvalResult.STAT_NAMES.get(s));
            }
            // and so does ResVision's own evaluation path (PrefetchLoader batches of 3, original coordinates)
            double[] published = DetectionEvaluation.evaluate(net, c.classNames(), val, source, 3, m).stats();
            for (int s : new int[] {0, 1, 2, 6, 7, 8}) {
                assertEquals(published[s], stats[s], 0.0, CocoEvalResult.STAT_NAMES.get(s));
            }
            System.out.printf(java.util.Locale.ROOT, "untrained tiny model, %d detections on 8 images: AP %.5f AP50 %.5f AR100 %.5f%n",
                    results.size(), stats[0], stats[1], stats[8]);
        }
    }

    @Test
    void detectionsSurviveTheRoundTripThroughDetectedObjects() {
        // non-contiguous category ids, in the model's class order
        CocoDataset gt = new CocoDataset(List.of(), List.of(), List.of(new CocoCategory(3, "circle", ""), new CocoCategory(7, "rectangle", ""),
                new CocoCategory(11, "triangle", ""), new CocoCategory(20, "star", "")));
        Map<String, Long> ids = DetectedObjectsCoco.categoryIds(gt);
        Random rnd = new Random(3);
        int[][] sizes = {{480, 640}, {333, 517}, {1, 1}, {1080, 1920}, {97, 13}};
        for (int[] hw : sizes) {
            int n = 300;
            float[] boxes = new float[4 * n];
            float[] scores = new float[n];
            int[] labels = new int[n];
            for (int k = 0; k < n; k++) {
                float x1 = rnd.nextFloat() * hw[1];
                float y1 = rnd.nextFloat() * hw[0];
                boxes[4 * k] = x1;
                boxes[4 * k + 1] = y1;
                boxes[4 * k + 2] = x1 + rnd.nextFloat() * (hw[1] - x1);
                boxes[4 * k + 3] = y1 + rnd.nextFloat() * (hw[0] - y1);
                scores[k] = rnd.nextFloat();
                labels[k] = 1 + rnd.nextInt(4);
            }
            Detections d = new Detections(Boxes.of(boxes), scores, labels);
            DetectedObjects objects = DetectionTranslator.toDetectedObjects(d, CLASSES, hw[0], hw[1]);
            assertSameResults(CocoDetectionEvaluator.toCoco(d, 9, gt), DetectedObjectsCoco.toResults(9, objects, hw[1], hw[0], ids));
        }
    }

    /** Same image, category, score and box, bit for bit. */
    private static void assertSameResults(List<CocoResult> expected, List<CocoResult> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            CocoResult e = expected.get(i);
            CocoResult a = actual.get(i);
            assertEquals(e.imageId(), a.imageId());
            assertEquals(e.categoryId(), a.categoryId());
            assertEquals(e.score(), a.score(), 0.0);
            assertArrayEquals(e.bbox(), a.bbox(), 0.0, "detection " + i);
        }
    }

    /** The dataset with each annotation's area replaced by its box's w * h (what labels give the evaluator). */
    private static CocoDataset withBoxAreas(CocoDataset gt) {
        List<CocoAnnotation> anns = new ArrayList<>();
        for (CocoAnnotation a : gt.annotations()) {
            anns.add(new CocoAnnotation(a.id(), a.imageId(), a.categoryId(), a.bbox(), a.bbox()[2] * a.bbox()[3], a.iscrowd(), a.segmentation()));
        }
        return new CocoDataset(gt.images(), anns, gt.categories());
    }
}
