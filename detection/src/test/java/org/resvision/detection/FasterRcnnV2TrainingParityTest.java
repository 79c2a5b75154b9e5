package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resvision.data.boxes.Boxes;
import org.resvision.nn.CpuQuirks;
import org.resvision.nn.LoadReport;
import org.resvision.nn.StateDictLoader;
import org.resvision.parity.ParityFixtures;
import org.resvision.parity.Tensors;
import org.resvision.train.Sgd;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

/**
 * One training step of {@code fasterrcnn_resnet50_fpn_v2} against torchvision (fixture {@code
 * fasterrcnn_resnet50_fpn_v2_train} of {@code tools/reference/parity/detection_fixtures.py}): the same
 * weights (every BatchNorm calibrated), the same transformed batch and targets, train mode on both
 * sides (BatchNorm with batch statistics everywhere, also in the frozen conv1 / bn1 / layer1 of
 * {@code trainable_layers=3}, whose parameters take no gradient). Compared: the four losses, the
 * running statistics after the forward (momentum 0.1, unbiased variance) of BNs in the frozen
 * stem, the body, the FPN and the box head, gradients, and the parameters of every part after one
 * SGD step (lr, momentum, weight decay as in {@link Sgd}).
 *
 * <p>The samplers are random on both sides; the fixture removes that: {@code
 * rpn_batch_size_per_image} and {@code box_batch_size_per_image} are 10^6 with positive fraction
 * 0.5, above every anchor and proposal count, so torchvision's {@code
 * BalancedPositiveNegativeSampler} ({@code num_pos = min(#pos, int(batch * fraction))}, {@code
 * num_neg = min(#neg, batch - num_pos)}) and ours take every positive and every negative; the
 * losses are then means (and a sum divided by the sampled count) over the same sets, in whatever
 * order. The body runs NCHW as torchvision's does (see FcnTrainingParityTest for the channels-last
 * bound).
 *
 * <p>Tolerances (max abs diff / max abs value): losses 1e-4 (measured <= 6e-7); running statistics
 * 1e-4 (<= 2e-7); gradients and the SGD step itself ({@code after - before}) 1e-2 on the resnet18
 * body, 2.5e-2 on resnet50's, parameters after the step 1e-4 and 2.5e-4 (the step is small beside
 * the weights; measured <= 3e-5 and 1.4e-4, torchvision against itself between 1 and 2 threads up to
 * 2.8e-4 on the resnet50 case's box_head.0.0.weight). The gradient bound is float32 summation order, not slack: the RPN head's and
 * the predictor's gradients agree to 1e-6, but those reaching the box head's convs, the FPN and the
 * body pass through batch-statistics BatchNorm over thousands of RoI positions and RoIAlign's
 * scatter, and there torchvision differs from itself between 1 and 2 threads by up to 6.6e-3 on the
 * resnet18 case (box_head.0.0.weight; 4.5e-3 layer4, 3.8e-3 layer2 BN) and 3.0e-2 on the resnet50
 * case (fpn.inner_blocks.1.0.weight; box_head.0.0.weight 2.6e-2, layer4.0.conv2 2.7e-2); ours
 * measured at most 3.4e-3 and 1.25e-2 (box_head.0.0.weight) from torchvision's. A wrong or missing
 * gradient is off by about 1.
 *
 * <p>Two fixtures: torchvision's {@code fasterrcnn_resnet50_fpn_v2} itself, and the same builder's
 * parts (BatchNorm FPN, 2-conv RPN head, BatchNorm 4-conv + 1-fc box head, frozen stem and layer1)
 * on a resnet18 body. Where {@link CpuQuirks} reports the oneDNN fault and its mend failed the
 * first checks the train-mode forward (losses, running statistics) and skips the rest: there
 * libtorch 2.7.1 dies (SIGFPE in {@code brgemm_convolution_bwd_strided}) in the backward pass of
 * ResNet-50's strided 1x1 convolutions, NCHW included (and with {@code ONEDNN_MAX_CPU_ISA=AVX2}).
 */
class FasterRcnnV2TrainingParityTest {

    /** Gradients and SGD steps, per body (see above). */
    static double gradTolerance(String arch) {
        return arch.equals("resnet50") ? 2.5e-2 : 1e-2;
    }

    /** Parameters after the step, per body (see above). */
    static double afterStepTolerance(String arch) {
        return arch.equals("resnet50") ? 2.5e-4 : 1e-4;
    }

    /** Compares all before failing, so that one run shows every difference. */
    private static void check(List<String> failures, String what, NDArray actual, NDArray expected, double tol) {
        double err = Tensors.relativeError(actual, expected);
        System.out.printf(java.util.Locale.ROOT, "parity %-40s rel err %.3g%n", what, err);
        if (!(err <= tol)) {
            failures.add(what + ": " + err + " > " + tol);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fasterrcnn_resnet18_fpn_v2_train", "fasterrcnn_resnet50_fpn_v2_train"})
    void oneTrainingStepMatchesTorchvision(String caseName) throws Exception {
        Path dir = DetectionFixtures.caseDir(caseName);
        JsonNode meta = ParityFixtures.meta(dir);
        boolean noBackward = meta.get("arch").asText().equals("resnet50") && CpuQuirks.channelsLastConvolutionCrashes();
        double gradTol = gradTolerance(meta.get("arch").asText());
        DetectionConfig.Builder cb = DetectionConfig.builder("fasterrcnn_resnet50_fpn_v2");
        cb.backbone = meta.get("arch").asText();
        cb.num_classes = meta.get("num_classes").asInt();
        cb.min_size = meta.get("min_size").asInt();
        cb.max_size = meta.get("max_size").asInt();
        cb.trainable_layers = meta.get("trainable_layers").asInt();
        cb.rpn_pre_nms_top_n_train = meta.get("rpn_pre_nms_top_n_train").asInt();
        cb.rpn_post_nms_top_n_train = meta.get("rpn_post_nms_top_n_train").asInt();
        cb.rpn_batch_size_per_image = meta.get("rpn_batch_size_per_image").asInt();
        cb.rpn_positive_fraction = (float) meta.get("rpn_positive_fraction").asDouble();
        cb.box_batch_size_per_image = meta.get("box_batch_size_per_image").asInt();
        cb.box_positive_fraction = (float) meta.get("box_positive_fraction").asDouble();
        DetectionConfig c = cb.build();
        int n = meta.get("images").asInt();
        int[][] sizes = new int[n][];
        for (int i = 0; i < n; i++) {
            sizes[i] = new int[] {meta.get("image_sizes").get(i).get(0).asInt(), meta.get("image_sizes").get(i).get(1).asInt()};
        }
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict io = WeightsIO.load(dir.resolve("io.safetensors"), m);
            FasterRcnn model = FasterRcnn.of(c).init(m);
            LoadReport report = StateDictLoader.load(model, WeightsIO.load(dir.resolve("weights.safetensors"), m),
                    dir.resolve("weights.safetensors"), "", true);
            assertTrue(report.isExact(), report.summary());
            model.backbone().body().setChannelsLastMinPositions(Long.MAX_VALUE);
            Map<String, Parameter> params = model.namedParameters();
            List<String> names = new ArrayList<>();
            meta.get("params").forEach(p -> names.add(p.asText()));
            Map<String, NDArray> before = new java.util.HashMap<>();
            for (String name : names) {
                before.put(name, params.get(name).getArray().duplicate());
            }
            List<Target> targets = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long[] l = io.get("target_labels_" + i).toLongArray();
                int[] labels = new int[l.length];
                for (int j = 0; j < l.length; j++) {
                    labels[j] = (int) l[j];
                }
                targets.add(new Target(Boxes.of(io.get("target_boxes_" + i).toFloatArray()), labels));
            }
            ParameterStore ps = new ParameterStore(m, false);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Map<String, NDArray> losses = model.losses(ps, io.get("images"), sizes, targets, new Random(0));
                NDArray total = null;
                for (JsonNode k : meta.get("losses")) {
                    NDArray l = losses.get(k.asText());
                    Tensors.assertClose(caseName + " " + k.asText(), l.reshape(1), io.get(k.asText()), 1e-4);
                    total = total == null ? l : total.add(l);
                }
                if (!noBackward) {
                    gc.backward(total);
                }
            }
            for (JsonNode b : meta.get("buffers")) {
                String bn = b.asText();
                Tensors.assertClose(caseName + " running_mean " + bn, params.get(bn + ".running_mean").getArray(), io.get("running_mean." + bn), 1e-4);
                Tensors.assertClose(caseName + " running_var " + bn, params.get(bn + ".running_var").getArray(), io.get("running_var." + bn), 1e-4);
            }
            Assumptions.assumeFalse(noBackward, "forward checked; libtorch's oneDNN cannot run ResNet-50's convolution backward on this CPU (CpuQuirks)");
            List<String> failures = new ArrayList<>();
            for (String name : names) {
                Parameter p = params.get(name);
                if (io.contains("grad." + name)) {
                    assertTrue(p.requiresGradient(), name + " is trainable in torchvision");
                    check(failures, caseName + " grad " + name, p.getArray().getGradient(), io.get("grad." + name), gradTol);
                } else {
                    assertFalse(p.requiresGradient(), name + " is frozen in torchvision (trainable_layers 3)");
                }
            }
            Sgd sgd = new Sgd(params, (float) meta.get("momentum").asDouble(), (float) meta.get("weight_decay").asDouble(), true, m);
            sgd.step((float) meta.get("lr").asDouble());
            for (String name : names) {
                NDArray after = params.get(name).getArray();
                NDArray expected = io.get("step." + name);
                check(failures, caseName + " after SGD " + name, after, expected, afterStepTolerance(meta.get("arch").asText()));
                NDArray refStep = expected.sub(before.get(name));
                if (io.contains("grad." + name)) {
                    check(failures, caseName + " SGD step " + name, after.sub(before.get(name)), refStep, gradTol);
                } else {
                    assertEquals(0f, refStep.abs().max().getFloat(), name + " moved in torchvision");
                    assertEquals(0f, after.sub(before.get(name)).abs().max().getFloat(), name + " is frozen and must not move");
                }
            }
            assertTrue(failures.isEmpty(), String.join("\n", failures));
        }
    }
}
