package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.resvision.data.boxes.Boxes;
import org.resvision.nn.LoadReport;
import org.resvision.nn.StateDictLoader;
import org.resvision.parity.ParityFixtures;
import org.resvision.parity.Tensors;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

/**
 * The acceptance test of the detection model: torchvision's Faster R-CNN weights (random, with
 * calibrated BN) loaded unchanged, each stage run on torchvision's own inputs for that stage and
 * compared with its outputs: dense tensors within 1e-4 relative, anchors exactly, proposals and
 * detections as matched sets (>= 99% at IoU >= 0.99, score within 1e-4). Then the whole pipeline
 * from raw images. {@code fasterrcnn_resnet50_fpn_v2} is torchvision's v2 model (BatchNorm FPN and
 * box head, 2-conv RPN head) with every BatchNorm calibrated.
 */
class DetectionParityTest {

    static final double TOLERANCE = 1e-4;

    @ParameterizedTest(name = "{0} from {1}")
    @CsvSource({"fasterrcnn_resnet50_fpn, weights.pth", "fasterrcnn_resnet18_fpn, weights.safetensors",
            "fasterrcnn_resnet50_fpn_v2, weights.pth"})
    void everyStageMatchesTorchvision(String caseName, String weightsFile) throws Exception {
        Path dir = DetectionFixtures.caseDir(caseName);
        JsonNode meta = ParityFixtures.meta(dir);
        DetectionConfig config = DetectionFixtures.config(meta);
        int n = meta.get("images").asInt();
        int[][] sizes = new int[n][];
        for (int i = 0; i < n; i++) {
            sizes[i] = new int[] {meta.get("image_sizes").get(i).get(0).asInt(), meta.get("image_sizes").get(i).get(1).asInt()};
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            StateDict io = WeightsIO.load(dir.resolve("io.safetensors"), manager);
            FasterRcnn model = FasterRcnn.of(config).init(manager);
            StateDict weights = WeightsIO.load(dir.resolve(weightsFile), manager);
            LoadReport report = StateDictLoader.load(model, weights, dir.resolve(weightsFile), "", true);
            assertTrue(report.isExact(), report.summary());
            ParameterStore ps = new ParameterStore(manager, false);

            // 1. transform
            List<NDArray> raw = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                raw.add(io.get("raw_" + i));
            }
            DetectionTransform transform = config.model().transform();
            try (DetectionTransform.Prepared p = transform.prepare(raw)) {
                assertArrayEquals(sizes, p.imageSizes());
                Tensors.assertClose(caseName + " images", p.images(), io.get("images"), TOLERANCE);
            }

            // 2. backbone + FPN
            NDArray images = io.get("images");
            NDList fpn = model.features(ps, images, false);
            String[] names = {"0", "1", "2", "3", "pool"};
            List<NDArray> refFpn = new ArrayList<>();
            for (int l = 0; l < names.length; l++) {
                Tensors.assertClose(caseName + " fpn." + names[l], fpn.get(l), io.get("fpn." + names[l]), TOLERANCE);
                refFpn.add(io.get("fpn." + names[l]));
            }

            // 3. anchors (exact)
            int padH = (int) images.getShape().get(2);
            int padW = (int) images.getShape().get(3);
            int[] perLevel = new int[5];
            float[] anchors = model.rpn().anchors(refFpn, padH, padW, perLevel);
            assertArrayEquals(io.get("anchors").toFloatArray(), anchors, caseName + " anchors");

            // 4. RPN head
            NDList head = model.rpn().head().forward(ps, new NDList(refFpn), false);
            Tensors.assertClose(caseName + " objectness", head.get(0).reshape(-1), io.get("objectness"), TOLERANCE);
            Tensors.assertClose(caseName + " deltas", head.get(1).reshape(-1, 4), io.get("deltas"), TOLERANCE);

            // 5. proposal selection on the reference logits and deltas
            float[] obj = io.get("objectness").toFloatArray();
            float[] del = io.get("deltas").toFloatArray();
            int total = anchors.length / 4;
            List<float[]> refProposals = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                float[][] sel = model.rpn().select(java.util.Arrays.copyOfRange(obj, i * total, (i + 1) * total),
                        java.util.Arrays.copyOfRange(del, 4 * i * total, 4 * (i + 1) * total), anchors, perLevel, sizes[i], false);
                float[] expBoxes = io.get("proposals_" + i).toFloatArray();
                DetectionFixtures.assertMatched(caseName + " proposals " + i, expBoxes, io.get("proposal_scores_" + i).toFloatArray(), null,
                        sel[0], sel[1], null, 0.99);
                refProposals.add(expBoxes);
            }

            // 6. multi-scale RoIAlign on the reference proposals
            NDArray pooled = model.roiHeads().pooler().apply(refFpn.subList(0, 4), refProposals, sizes);
            Tensors.assertClose(caseName + " box_features", pooled, io.get("box_features"), TOLERANCE);

            // 7. box head alone (fixtures older than this key skip it), then box head + predictor
            if (io.contains("box_head")) {
                try (NDList rep = model.roiHeads().boxHead().forward(ps, new NDList(io.get("box_features")), false)) {
                    Tensors.assertClose(caseName + " box_head", rep.singletonOrThrow(), io.get("box_head"), TOLERANCE);
                }
            }
            NDList pred = model.roiHeads().predict(ps, io.get("box_features"), false);
            Tensors.assertClose(caseName + " class_logits", pred.get(0), io.get("class_logits"), TOLERANCE);
            Tensors.assertClose(caseName + " box_regression", pred.get(1), io.get("box_regression"), TOLERANCE);

            // 8. post-processing on the reference head outputs
            List<Detections> dets = model.roiHeads().postprocess(io.get("class_logits").toFloatArray(),
                    io.get("box_regression").toFloatArray(), refProposals, sizes);
            for (int i = 0; i < n; i++) {
                Detections d = dets.get(i);
                DetectionFixtures.assertMatched(caseName + " detections " + i, io.get("det_boxes_" + i).toFloatArray(),
                        io.get("det_scores_" + i).toFloatArray(), labels(io.get("det_labels_" + i)), d.boxes().toArray(), d.scores(), d.labels(), 0.99);
            }

            // 9. RPN + RoI heads end to end on the reference FPN maps: strict criterion
            RegionProposalNetwork.Output rpnOut = model.rpn().run(ps, refFpn, padH, padW, sizes, null, false, null);
            List<Detections> fromFpn = model.roiHeads().detect(ps, refFpn.subList(0, 4), rpnOut.proposals(), sizes);
            for (int i = 0; i < n; i++) {
                Detections d = fromFpn.get(i);
                DetectionFixtures.assertMatched(caseName + " heads from fpn " + i, io.get("det_boxes_" + i).toFloatArray(),
                        io.get("det_scores_" + i).toFloatArray(), labels(io.get("det_labels_" + i)), d.boxes().toArray(), d.scores(), d.labels(), 0.99);
            }

            // 10. the whole pipeline from the raw images, back in original coordinates. Here the
            // 1e-5 differences of the FPN maps propagate through the heads, whose score layers the
            // fixture scales up (so that random weights give distinct scores): the same boxes come
            // out in the same order with scores a few 1e-4 apart, so the tolerance is wider.
            try (DetectionTransform.Prepared p = transform.prepare(raw)) {
                // the reference detections mapped back to the original images: torchvision's final boxes
                List<Detections> refDets = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    refDets.add(new Detections(Boxes.of(io.get("det_boxes_" + i).toFloatArray()), io.get("det_scores_" + i).toFloatArray(),
                            labels(io.get("det_labels_" + i))));
                }
                List<Detections> rescaled = DetectionTransform.postprocess(refDets, p);
                for (int i = 0; i < n; i++) {
                    NDArray expected = io.get("final_boxes_" + i);
                    Tensors.assertClose(caseName + " final boxes " + i, manager.create(rescaled.get(i).boxes().toArray(), expected.getShape()), expected, TOLERANCE);
                }
                List<Detections> end = DetectionTransform.postprocess(model.detect(ps, p.images(), p.imageSizes()), p);
                for (int i = 0; i < n; i++) {
                    Detections d = end.get(i);
                    assertEquals(meta.get("original_sizes").get(i).get(0).asInt(), p.originalSizes()[i][0]);
                    DetectionFixtures.assertMatched(caseName + " end-to-end " + i, io.get("final_boxes_" + i).toFloatArray(),
                            io.get("det_scores_" + i).toFloatArray(), labels(io.get("det_labels_" + i)), d.boxes().toArray(), d.scores(), d.labels(), 0.95, 0.95f, 2e-3f);
                }
            }
        }
    }

    private static int[] labels(NDArray a) {
        long[] l = a.toLongArray();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = (int) l[i];
        }
        return out;
    }
}
