package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.boxes.Boxes;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.djl.DetectionDataset;
import org.resvision.data.loader.CocoDetectionSource;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;

/**
 * Training a Faster R-CNN with DJL's own {@code Trainer}: the forward with labels gives exactly
 * {@link FasterRcnn#losses}' numbers on the batch's targets, {@link FasterRcnnLoss} their sum,
 * {@code EasyTrain.trainBatch} + {@code step} lowers them, and validation's loss is NaN, not a
 * made-up number.
 */
class FasterRcnnTrainerTest {

    @Test
    void easyTrainTrainsTheModelOnDetectionDatasetBatches(@TempDir Path dir) throws Exception {
        new SyntheticDatasetWriter(new SyntheticScenes(new SyntheticScenes.Config(128, 96, 7, 1, 3))).writeCoco(dir, 10);
        CocoDataset train = CocoReader.readDataset(dir.resolve("annotations/instances_train.json"));
        DetectionConfig.Builder cb = FasterRcnnTrainingStepTest.tiny().toBuilder();
        cb.min_size = 96;
        cb.max_size = 128;
        cb.seed = 3;
        DetectionConfig c = cb.build();
        CocoDetectionSource source = new CocoDetectionSource(train, dir.resolve("images"), false, c.model().minSize(), c.model().maxSize());
        DetectionDataset dataset = DetectionDataset.builder(source).setSampling(4, false).build();
        DefaultTrainingConfig config = new DefaultTrainingConfig(new FasterRcnnLoss()).optDevices(new Device[] {Device.cpu()})
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.02f)).optMomentum(0.9f).build());
        try (NDManager m = NDManager.newBaseManager(); Model model = Model.newInstance("faster_rcnn")) {
            Engine.getInstance().setRandomSeed(7);
            FasterRcnn net = FasterRcnn.of(c).init(m);
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(config)) {
                Batch batch = trainer.iterateDataset(dataset).iterator().next();
                List<Target> targets = targets(batch);
                assertTrue(targets.stream().mapToInt(t -> t.labels().length).sum() > 4, "objects to learn from");
                int[][] sizes = sizes(batch);

                // the forward with labels: losses(...)'s four numbers (the same sampling stream: Random(seed))
                NDList viaTrainer = trainer.forward(batch.getData(), batch.getLabels());
                Map<String, NDArray> direct = net.losses(new ParameterStore(m, false), batch.getData().get(0), sizes, targets, new Random(c.recipe().seed()));
                assertEquals(List.of("loss_objectness", "loss_rpn_box_reg", "loss_classifier", "loss_box_reg").stream().sorted().toList(),
                        viaTrainer.stream().map(NDArray::getName).sorted().toList());
                float sum = 0;
                for (NDArray a : viaTrainer) {
                    assertEquals(direct.get(a.getName()).getFloat(), a.getFloat(), 0f, a.getName());
                    sum += a.getFloat();
                }
                assertEquals(sum, new FasterRcnnLoss().evaluate(batch.getLabels(), viaTrainer).getFloat(), 1e-5f);

                // EasyTrain on this batch: the loss (measured with one fixed sampling) goes down
                float before = total(net, m, batch, targets, sizes);
                for (int step = 0; step < 8; step++) {
                    EasyTrain.trainBatch(trainer, batch);
                    trainer.step();
                }
                float after = total(net, m, batch, targets, sizes);
                assertTrue(Float.isFinite(after) && after < 0.8f * before, "loss " + before + " -> " + after);

                // validation: detections come out, the loss has no value
                NDList detections = trainer.evaluate(batch.getData());
                assertEquals(3 * 4, detections.size(), "boxes, scores, labels per image");
                assertTrue(Float.isNaN(new FasterRcnnLoss().evaluate(batch.getLabels(), detections).getFloat()));
                // a forward in training mode without labels says what to do
                UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                        () -> net.forward(new ParameterStore(m, false), batch.getData(), true));
                assertTrue(e.getMessage().contains("trainer.forward(data, labels)"), e.getMessage());
                batch.close();
            }
        }
    }

    private static float total(FasterRcnn net, NDManager m, Batch batch, List<Target> targets, int[][] sizes) {
        float t = 0;
        for (NDArray a : net.losses(new ParameterStore(m, false), batch.getData().get(0), sizes, targets, new Random(0)).values()) {
            t += a.getFloat();
        }
        return t;
    }

    private static int[][] sizes(Batch batch) {
        long[] hw = batch.getData().get(1).toLongArray();
        int[][] sizes = new int[hw.length / 2][];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = new int[] {(int) hw[2 * i], (int) hw[2 * i + 1]};
        }
        return sizes;
    }

    /** The batch's labels as targets, padding (-1) dropped: what the model must see. */
    private static List<Target> targets(Batch batch) {
        NDList labels = batch.getLabels();
        long[] shape = labels.get(1).getShape().getShape();
        float[] boxes = labels.get(0).toFloatArray();
        long[] classes = labels.get(1).toLongArray();
        List<Target> out = new ArrayList<>();
        for (int i = 0; i < shape[0]; i++) {
            List<float[]> b = new ArrayList<>();
            List<Integer> l = new ArrayList<>();
            for (int k = 0; k < shape[1]; k++) {
                int at = (int) (i * shape[1] + k);
                if (classes[at] >= 0) {
                    b.add(new float[] {boxes[4 * at], boxes[4 * at + 1], boxes[4 * at + 2], boxes[4 * at + 3]});
                    l.add((int) classes[at]);
                }
            }
            float[] flat = new float[4 * b.size()];
            for (int k = 0; k < b.size(); k++) {
                System.arraycopy(b.get(k), 0, flat, 4 * k, 4);
            }
            out.add(new Target(Boxes.of(flat), l.stream().mapToInt(Integer::intValue).toArray()));
        }
        return out;
    }
}
