package org.resvision.backbone.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.resvision.backbone.fpn.BackboneWithFpn;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.nn.LoadReport;
import org.resvision.nn.Norm;
import org.resvision.nn.StateDictLoader;
import org.resvision.nn.TorchModule;
import org.resvision.parity.ParityFixtures;
import org.resvision.parity.Tensors;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

/**
 * The acceptance test of the backbone: torchvision's weights (as {@code .pth} and as
 * safetensors) loaded unchanged give torchvision's tensors at every stage, within 1e-4 of the
 * largest value.
 */
class BackboneParityTest {

    static final double TOLERANCE = 1e-4;

    /**
     * {@code layout}: {@code mixed} is the default policy (channels-last for large maps),
     * {@code nchw} forces contiguous NCHW everywhere; both must match.
     */
    @ParameterizedTest(name = "{0} from {1}, {2}")
    @CsvSource({
        "resnet18, weights.pth, mixed",
        "resnet18, weights.safetensors, mixed",
        "resnet50, weights.pth, mixed",
        "resnet50, weights.safetensors, nchw",
        "resnet50_dilated, weights.pth, mixed",
        "resnet50_dilated, weights.pth, nchw",
        "resnet50_fpn, weights.pth, mixed",
        "resnet50_fpn, weights.safetensors, nchw"
    })
    void everyStageMatchesTorchvision(String caseName, String weightsFile, String layout) throws Exception {
        Path dir = ParityFixtures.caseDir(caseName);
        JsonNode meta = ParityFixtures.meta(dir);
        try (NDManager manager = NDManager.newBaseManager()) {
            StateDict io = WeightsIO.load(dir.resolve("io.safetensors"), manager);
            NDArray input = io.get("input");
            boolean fpn = "resnet_fpn".equals(meta.get("kind").asText());
            TorchModule model = build(meta);
            model.initialize(manager, DataType.FLOAT32, input.getShape());
            StateDict weights = WeightsIO.load(dir.resolve(weightsFile), manager);
            LoadReport report = StateDictLoader.load(model, weights, dir.resolve(weightsFile), "", true);
            assertTrue(report.isExact(), report.summary());
            assertEquals(model.namedParameters().size(), report.loaded());

            ParameterStore ps = new ParameterStore(manager, false);
            ResNet body = fpn ? ((BackboneWithFpn) model).body() : (ResNet) model;
            if (layout.equals("nchw")) {
                body.setChannelsLastMinPositions(Long.MAX_VALUE);
            }
            Set<String> stages = new LinkedHashSet<>(List.of("stem", "layer1", "layer2", "layer3", "layer4"));
            if (body.hasHead()) {
                stages.add("logits");
            }
            Map<String, NDArray> got = body.features(ps, input, false, stages);
            for (String stage : stages) {
                Tensors.assertClose(caseName + " " + layout + " " + stage, got.get(stage), io.get(stage), TOLERANCE);
            }
            if (fpn) {
                NDList levels = model.forward(ps, new NDList(input), false);
                List<String> names = ((BackboneWithFpn) model).outputNames();
                assertEquals(5, levels.size());
                for (int i = 0; i < names.size(); i++) {
                    assertEquals(names.get(i), levels.get(i).getName());
                    Tensors.assertClose(caseName + " " + layout + " fpn." + names.get(i), levels.get(i), io.get("fpn." + names.get(i)), TOLERANCE);
                }
            }
        }
    }

    static TorchModule build(JsonNode meta) {
        String arch = meta.get("arch").asText();
        float eps = (float) meta.get("eps").asDouble();
        if ("resnet_fpn".equals(meta.get("kind").asText())) {
            Norm norm = "frozen".equals(meta.get("norm").asText()) ? Norm.frozenBatchNorm() : Norm.batchNorm();
            return BackboneWithFpn.resnetFpn(arch, norm.withEps(eps), meta.get("trainable_layers").asInt());
        }
        JsonNode d = meta.get("dilation");
        ResNetConfig config = ResNetConfig.of(arch)
                .withNorm(Norm.batchNorm().withEps(eps))
                .withDilation(d.get(0).asBoolean(), d.get(1).asBoolean(), d.get(2).asBoolean())
                .withNumClasses(meta.get("num_classes").asInt());
        return new ResNet(config);
    }
}
