package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.resvision.data.boxes.Boxes;
import org.resvision.parity.ParityFixtures;

/**
 * The Faster R-CNN references of {@code tools/reference/parity/detection_fixtures.py} (Debian torchvision),
 * generated on first use into the parity folder; and the matched-set comparison of box sets.
 */
final class DetectionFixtures {

    private static boolean generated;

    private DetectionFixtures() {}

    static synchronized Path caseDir(String name) throws Exception {
        Path root = Path.of(System.getProperty("resvision.parity.dir", "target/parity")).resolve("detection");
        Path dir = root.resolve(name);
        if (!Files.exists(dir.resolve("meta.json"))) {
            ParityFixtures.assumeTorchvision();
            if (!generated) {
                ParityFixtures.runScript("detection_fixtures.py", root.resolve("detection_fixtures.log"), root.toString());
                generated = true;
            }
        }
        assertTrue(Files.exists(dir.resolve("meta.json")), "fixture generator did not write " + dir);
        return dir;
    }

    /** The config torchvision's model was built with (meta.json holds its constructor arguments). */
    static DetectionConfig config(JsonNode meta) {
        DetectionConfig.Builder c = DetectionConfig.builder(meta.has("model") ? meta.get("model").asText()
                : meta.get("arch").asText().equals("resnet50") ? "fasterrcnn_resnet50_fpn" : "fasterrcnn_resnet18_fpn");
        c.norm = meta.get("norm").asText();
        c.norm_eps = (float) meta.get("eps").asDouble();
        c.num_classes = meta.get("num_classes").asInt();
        c.min_size = meta.get("min_size").asInt();
        c.max_size = meta.get("max_size").asInt();
        c.box_score_thresh = (float) meta.path("box_score_thresh").asDouble(c.box_score_thresh);
        c.rpn_pre_nms_top_n_test = meta.path("rpn_pre_nms_top_n_test").asInt(c.rpn_pre_nms_top_n_test);
        c.rpn_post_nms_top_n_test = meta.path("rpn_post_nms_top_n_test").asInt(c.rpn_post_nms_top_n_test);
        c.box_detections_per_img = meta.path("box_detections_per_img").asInt(c.box_detections_per_img);
        return c.build();
    }

    /**
     * Greedy matching of expected boxes to actual ones (same label, IoU >= 0.99, score within
     * 1e-4, the criterion for a stage run on its reference inputs): asserts at least {@code minFraction} of each side is matched; returns the fraction.
     */
    static double assertMatched(String what, float[] expBoxes, float[] expScores, int[] expLabels, float[] boxes, float[] scores,
            int[] labels, double minFraction) {
        return assertMatched(what, expBoxes, expScores, expLabels, boxes, scores, labels, minFraction, 0.99f, 1e-4f);
    }

    /** As above with the IoU and score tolerances given. */
    static double assertMatched(String what, float[] expBoxes, float[] expScores, int[] expLabels, float[] boxes, float[] scores,
            int[] labels, double minFraction, float minIou, float scoreTol) {
        int n = expScores.length;
        int m = scores.length;
        boolean[] used = new boolean[m];
        float[][] iou = Boxes.iou(expBoxes, boxes);
        int matched = 0;
        for (int i = 0; i < n; i++) {
            int best = -1;
            for (int j = 0; j < m; j++) {
                if (!used[j] && iou[i][j] >= minIou && Math.abs(expScores[i] - scores[j]) <= scoreTol
                        && (expLabels == null || expLabels[i] == labels[j]) && (best < 0 || iou[i][j] > iou[i][best])) {
                    best = j;
                }
            }
            if (best >= 0) {
                used[best] = true;
                matched++;
            } else if (System.getenv("PARITY_DEBUG") != null) {
                int near = -1;
                for (int j = 0; j < m; j++) {
                    if ((expLabels == null || expLabels[i] == labels[j]) && (near < 0 || iou[i][j] > iou[i][near])) {
                        near = j;
                    }
                }
                System.out.printf(java.util.Locale.ROOT, "  unmatched %d score %.6f: nearest %d iou %.4f score %.6f%n", i, expScores[i], near,
                        near < 0 ? 0 : iou[i][near], near < 0 ? 0 : scores[near]);
            }
        }
        double fraction = n == 0 ? 1 : (double) matched / Math.max(n, m);
        System.out.printf(java.util.Locale.ROOT, "parity %-40s matched %d of %d (ours %d): %.4f%n", what, matched, n, m, fraction);
        assertTrue(fraction >= minFraction, what + ": matched " + matched + " of " + n + " expected (ours " + m + ")");
        if (n > 0) {
            assertEquals(n, m, 0.02 * n + 1, what + ": count");
        }
        return fraction;
    }
}
