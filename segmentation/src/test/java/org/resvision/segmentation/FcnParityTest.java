package org.resvision.segmentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resvision.nn.LoadReport;
import org.resvision.nn.StateDictLoader;
import org.resvision.parity.ParityFixtures;
import org.resvision.parity.Tensors;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

/**
 * torchvision's fcn_resnet50 (aux, calibrated BN) loaded unchanged gives its backbone stages, out and aux,
 * with the heads' Winograd convolutions and without.
 */
class FcnParityTest {

    @ParameterizedTest
    @ValueSource(strings = {"weights.pth", "weights.safetensors"})
    void fcnResnet50MatchesTorchvision(String file) throws Exception {
        Path dir = ParityFixtures.caseDir("fcn_resnet50");
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict io = WeightsIO.load(dir.resolve("io.safetensors"), m);
            NDArray x = io.get("input");
            Fcn fcn = Fcn.of(FcnConfig.fcnResnet50());
            fcn.initialize(m, DataType.FLOAT32, x.getShape());
            LoadReport r = StateDictLoader.load(fcn, WeightsIO.load(dir.resolve(file), m), dir.resolve(file), "", true);
            assertTrue(r.isExact(), r.summary());
            assertEquals(334 - 55, r.loaded(), "every tensor but num_batches_tracked");
            ParameterStore ps = new ParameterStore(m, false);
            Map<String, NDArray> stages = fcn.backbone().features(ps, x, false, Set.of("stem", "layer1", "layer2", "layer3", "layer4"));
            for (var e : stages.entrySet()) {
                Tensors.assertClose("fcn " + e.getKey(), e.getValue(), io.get(e.getKey()), 1e-4);
            }
            NDList out = fcn.forward(ps, new NDList(x), false);
            assertEquals("out", out.get(0).getName());
            Tensors.assertClose("fcn out", out.get(0), io.get("out"), 1e-4);
            Tensors.assertClose("fcn aux", out.get(1), io.get("aux"), 1e-4);
            // the heads' 3x3 convolutions read 33x35 NCHW maps: Winograd (NNPACK) computed them
            // above; the direct convolution gives other roundings, as close to torchvision's
            System.setProperty("resvision.winograd", "false");
            try {
                NDList direct = fcn.forward(ps, new NDList(x), false);
                Tensors.assertClose("fcn out, direct head", direct.get(0), io.get("out"), 1e-4);
                Tensors.assertClose("fcn aux, direct head", direct.get(1), io.get("aux"), 1e-4);
                assertFalse(java.util.Arrays.equals(direct.get(0).toFloatArray(), out.get(0).toFloatArray()),
                        "the default forward must have run the head through Winograd");
            } finally {
                System.clearProperty("resvision.winograd");
            }
        }
    }
}
