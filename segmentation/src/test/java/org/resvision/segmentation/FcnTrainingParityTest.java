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
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.resvision.nn.LoadReport;
import org.resvision.nn.StateDictLoader;
import org.resvision.parity.ParityFixtures;
import org.resvision.parity.Tensors;
import org.resvision.train.Sgd;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

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
        Fcn fcn = Fcn.of(new FcnConfig(base.backbone(), base.numClasses(), true, dropout));
        if (nchw) {
            fcn.backbone().setChannelsLastMinPositions(Long.MAX_VALUE);
        }
        fcn.initialize(m, DataType.FLOAT32, input);
        LoadReport r = StateDictLoader.load(fcn, dir.resolve("weights.safetensors"), m, "", true);
        assertTrue(r.isExact(), r.summary());
        return fcn;
    }

    /** One forward (train mode) on the fixture's input, the loss against its target, and the backward pass. */
    private static Step step(Fcn fcn, StateDict io, NDManager m) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDList out = fcn.forward(new ParameterStore(m, false), new NDList(io.get("input")), true);
            Map<String, NDArray> losses = SegmentationLoss.compute(out, io.get("target"));
            NDArray total = losses.get("out").add(losses.get("aux"));
            gc.backward(total);
            return new Step(out.get(0), losses, total);
        }
    }

    private record Step(NDArray out, Map<String, NDArray> losses, NDArray total) {}

    /** Each of the fixture's parameters: {@code actual(name)} against {@code io[prefix + name]}. */
    private static void assertParams(String what, JsonNode meta, Function<String, NDArray> actual, StateDict io, String prefix, double tol) {
        for (JsonNode n : meta.get("params")) {
            String name = n.asText();
            Tensors.assertClose(what + " " + name, actual.apply(name), io.get(prefix + name), tol);
        }
    }

    @Test
    void oneTrainingStepMatchesTorchvision() throws Exception {
        Path dir = ParityFixtures.caseDir("fcn_small_train");
        JsonNode meta = ParityFixtures.meta(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict io = WeightsIO.load(dir.resolve("io.safetensors"), m);
            Fcn fcn = model(dir, meta, 0f, true, io.get("input").getShape(), m);
            Step first = step(fcn, io, m);
            Tensors.assertClose("train-mode out", first.out(), io.get("out"), 1e-4);
            Tensors.assertClose("loss out", first.losses().get("out").reshape(1), io.get("loss_out"), 1e-5);
            Tensors.assertClose("loss aux", first.losses().get("aux").reshape(1), io.get("loss_aux"), 1e-5);
            var params = fcn.namedParameters();
            Tensors.assertClose("bn1 running_mean", params.get("backbone.bn1.running_mean").getArray(),
                    io.get("running_mean.backbone.bn1"), 1e-5);
            Tensors.assertClose("layer4.1.bn2 running_var", params.get("backbone.layer4.1.bn2.running_var").getArray(),
                    io.get("running_var.backbone.layer4.1.bn2"), 1e-5);
            assertParams("grad", meta, name -> params.get(name).getArray().getGradient(), io, "grad.", 1e-4);
            Sgd sgd = new Sgd(params, (float) meta.get("momentum").asDouble(), (float) meta.get("weight_decay").asDouble(), true, m);
            float lr = (float) meta.get("lr").asDouble();
            sgd.step(lr);
            assertParams("after SGD", meta, name -> params.get(name).getArray(), io, "step.", 1e-5);
            // the second step: gradients were zeroed, momentum carries over
            Tensors.assertClose("loss after one step", step(fcn, io, m).total().reshape(1), io.get("loss2"), 1e-4);
            sgd.step(lr);
            assertParams("after two steps", meta, name -> params.get(name).getArray(), io, "step2.", 1e-3);
        }
    }

    /** The default (partly channels-last) layout: the same step's gradients within 2e-3. */
    @Test
    void channelsLastGradientsStayClose() throws Exception {
        Path dir = ParityFixtures.caseDir("fcn_small_train");
        JsonNode meta = ParityFixtures.meta(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict io = WeightsIO.load(dir.resolve("io.safetensors"), m);
            Fcn fcn = model(dir, meta, 0f, false, io.get("input").getShape(), m);
            Tensors.assertClose("channels-last out", step(fcn, io, m).out(), io.get("out"), 1e-4);
            var params = fcn.namedParameters();
            assertParams("channels-last grad", meta, name -> params.get(name).getArray().getGradient(), io, "grad.", 2e-3);
        }
    }

    /** With the preset's dropout 0.1 the gradients still reach the first layer (and are close to p = 0's). */
    @Test
    void gradientsFlowThroughTrainingDropout() throws Exception {
        Path dir = ParityFixtures.caseDir("fcn_small_train");
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict io = WeightsIO.load(dir.resolve("io.safetensors"), m);
            Fcn fcn = model(dir, ParityFixtures.meta(dir), FcnConfig.small(1).dropout(), false, io.get("input").getShape(), m);
            step(fcn, io, m);
            for (String name : new String[] {"backbone.conv1.weight", "classifier.0.weight"}) {
                double ours = fcn.namedParameters().get(name).getArray().getGradient().norm().getFloat();
                double ref = io.get("grad." + name).norm().getFloat();
                assertTrue(ours > 0.5 * ref && ours < 2 * ref, name + ": gradient norm " + ours + " vs " + ref + " without dropout");
            }
        }
    }
}
