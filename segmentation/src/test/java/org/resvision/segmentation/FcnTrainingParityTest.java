package org.resvision.segmentation;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.resvision.backbone.nn.LoadReport;
import org.resvision.backbone.nn.StateDictLoader;
import org.resvision.backbone.parity.ParityFixtures;
import org.resvision.backbone.parity.Tensors;
import org.resvision.backbone.train.Sgd;
import org.resvision.backbone.weights.StateDict;
import org.resvision.backbone.weights.WeightsIO;

/**
 * One training step of the CPU preset against torchvision (same weights, input and target; train
 * mode, dropout 0): output, both losses, BatchNorm's running statistics, gradients deep and
 * shallow, and the weights after SGD (momentum, weight decay) and after a second step. This is
 * what makes a torchvision recipe transfer: the same step gives the same update.
 *
 * <p>The step is compared with NCHW throughout, like torchvision's (gradients agree to 2e-6).
 * With ResVision's default layout the stem and layer1-2 run channels-last at this size (as in
 * training), and libtorch 2.7.1's channels-last backward differs from torch 1.13's NCHW one by up
 * to 8e-4 relative in the gradients below those stages; a second test bounds that. A wrong or
 * missing gradient is off by 1.0.
 */
class FcnTrainingParityTest {

    /** The fixture's CPU preset (dropout {@code p}, NCHW throughout or ResVision's default layout) with its weights, exactly. */
    private static Fcn model(Path dir, JsonNode meta, float dropout, boolean nchw, Shape input, NDManager m) throws Exception {
        FcnConfig base = FcnConfig.small(meta.get("num_classes").asInt());
        Fcn fcn = new Fcn(new FcnConfig(base.backbone(), base.numClasses(), true, dropout));
        if (nchw) {
            fcn.backbone().setChannelsLastMinPositions(Long.MAX_VALUE);
        }
        fcn.initialize(m, DataType.FLOAT32, input);
        LoadReport r = StateDictLoader.load(fcn, dir.resolve("weights.safetensors"), m, "", true);
        assertTrue(r.isExact(), r.summary());
        return fcn;
    }

    @Test
    void oneTrainingStepMatchesTorchvision() throws Exception {
        Path dir = ParityFixtures.caseDir("fcn_small_train");
        JsonNode meta = ParityFixtures.meta(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict io = WeightsIO.load(dir.resolve("io.safetensors"), m);
            NDArray x = io.get("input");
            Fcn fcn = model(dir, meta, 0f, true, x.getShape(), m);
            ParameterStore ps = new ParameterStore(m, false);
            Map<String, NDArray> losses;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDList out = fcn.forward(ps, new NDList(x), true);
                Tensors.assertClose("train-mode out", out.get(0), io.get("out"), 1e-4);
                losses = SegmentationLoss.compute(out, io.get("target"));
                gc.backward(losses.get("out").add(losses.get("aux")));
            }
            Tensors.assertClose("loss out", losses.get("out").reshape(1), io.get("loss_out"), 1e-5);
            Tensors.assertClose("loss aux", losses.get("aux").reshape(1), io.get("loss_aux"), 1e-5);
            var params = fcn.namedParameters();
            Tensors.assertClose("bn1 running_mean", params.get("backbone.bn1.running_mean").getArray(),
                    io.get("running_mean.backbone.bn1"), 1e-5);
            Tensors.assertClose("layer4.1.bn2 running_var", params.get("backbone.layer4.1.bn2.running_var").getArray(),
                    io.get("running_var.backbone.layer4.1.bn2"), 1e-5);
            for (JsonNode n : meta.get("params")) {
                String name = n.asText();
                Tensors.assertClose("grad " + name, params.get(name).getArray().getGradient(), io.get("grad." + name), 1e-4);
            }
            Sgd sgd = new Sgd(params, (float) meta.get("momentum").asDouble(), (float) meta.get("weight_decay").asDouble(), true, m);
            float lr = (float) meta.get("lr").asDouble();
            sgd.step(lr);
            for (JsonNode n : meta.get("params")) {
                String name = n.asText();
                Tensors.assertClose("after SGD " + name, params.get(name).getArray(), io.get("step." + name), 1e-5);
            }
            // the second step: gradients were zeroed, momentum carries over
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Map<String, NDArray> l2 = SegmentationLoss.compute(fcn.forward(ps, new NDList(x), true), io.get("target"));
                NDArray total = l2.get("out").add(l2.get("aux"));
                Tensors.assertClose("loss after one step", total.reshape(1), io.get("loss2"), 1e-4);
                gc.backward(total);
            }
            sgd.step(lr);
            for (JsonNode n : meta.get("params")) {
                String name = n.asText();
                Tensors.assertClose("after two steps " + name, params.get(name).getArray(), io.get("step2." + name), 1e-3);
            }
        }
    }

    /** The default (partly channels-last) layout: the same step's gradients within 2e-3. */
    @Test
    void channelsLastGradientsStayClose() throws Exception {
        Path dir = ParityFixtures.caseDir("fcn_small_train");
        JsonNode meta = ParityFixtures.meta(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict io = WeightsIO.load(dir.resolve("io.safetensors"), m);
            NDArray x = io.get("input");
            Fcn fcn = model(dir, meta, 0f, false, x.getShape(), m);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDList out = fcn.forward(new ParameterStore(m, false), new NDList(x), true);
                Tensors.assertClose("channels-last out", out.get(0), io.get("out"), 1e-4);
                Map<String, NDArray> losses = SegmentationLoss.compute(out, io.get("target"));
                gc.backward(losses.get("out").add(losses.get("aux")));
            }
            for (JsonNode n : meta.get("params")) {
                String name = n.asText();
                Tensors.assertClose("channels-last grad " + name, fcn.namedParameters().get(name).getArray().getGradient(),
                        io.get("grad." + name), 2e-3);
            }
        }
    }

    /** With the preset's dropout 0.1 the gradients still reach the first layer (and are close to p = 0's). */
    @Test
    void gradientsFlowThroughTrainingDropout() throws Exception {
        Path dir = ParityFixtures.caseDir("fcn_small_train");
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict io = WeightsIO.load(dir.resolve("io.safetensors"), m);
            NDArray x = io.get("input");
            Fcn fcn = model(dir, ParityFixtures.meta(dir), FcnConfig.small(1).dropout(), false, x.getShape(), m);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                Map<String, NDArray> losses = SegmentationLoss.compute(fcn.forward(new ParameterStore(m, false), new NDList(x), true), io.get("target"));
                gc.backward(losses.get("out").add(losses.get("aux")));
            }
            for (String name : new String[] {"backbone.conv1.weight", "classifier.0.weight"}) {
                double ours = fcn.namedParameters().get(name).getArray().getGradient().norm().getFloat();
                double ref = io.get("grad." + name).norm().getFloat();
                assertTrue(ours > 0.5 * ref && ours < 2 * ref, name + ": gradient norm " + ours + " vs " + ref + " without dropout");
            }
        }
    }
}
