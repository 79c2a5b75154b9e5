package org.resvision.backbone.resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.resvision.backbone.fpn.BackboneWithFpn;
import org.resvision.nn.Norm;

class ResNetStructureTest {

    /** torchvision's {@code sum(p.numel() for p in model.parameters())} for each preset. */
    @ParameterizedTest
    @CsvSource({
        "resnet18, 11689512, 62",
        "resnet34, 21797672, 110",
        "resnet50, 25557032, 161",
        "resnet101, 44549160, 314",
        "resnet152, 60192808, 467",
        "resnext50_32x4d, 25028904, 161",
        "wide_resnet50_2, 68883240, 161"
    })
    void parameterCountsMatchTorchvision(String arch, long expected, int learnableTensors) {
        ResNet net = new ResNet(ResNetConfig.of(arch));
        long count = 0;
        int tensors = 0;
        for (Parameter p : net.namedParameters().values()) {
            if (p.getType() != Parameter.Type.RUNNING_MEAN && p.getType() != Parameter.Type.RUNNING_VAR) {
                count += p.getShape().size();
                tensors++;
            }
        }
        assertEquals(expected, count);
        assertEquals(learnableTensors, tensors);
    }

    @Test
    void namesAreTorchvisionStateDictKeys() {
        Map<String, Parameter> p = new ResNet(ResNetConfig.of("resnet50")).namedParameters();
        List<String> first = List.copyOf(p.keySet()).subList(0, 6);
        assertEquals(
                List.of("conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var",
                        "layer1.0.conv1.weight"),
                first);
        assertTrue(p.containsKey("layer4.2.bn3.running_var"));
        assertEquals(new Shape(2048, 1024, 1, 1), p.get("layer4.0.downsample.0.weight").getShape());
        assertEquals(new Shape(1000, 2048), p.get("fc.weight").getShape());
        assertEquals(320 - 53, p.size(), "torchvision's 320 keys minus 53 num_batches_tracked");
        Map<String, Long> extra = new ResNet(ResNetConfig.of("resnet50")).extraStateKeys();
        assertEquals(53, extra.size());
        assertTrue(extra.containsKey("layer1.0.downsample.1.num_batches_tracked"));
    }

    @Test
    void fpnBackboneNamesAndFrozenBuffers() {
        BackboneWithFpn b = BackboneWithFpn.resnetFpn("resnet50", Norm.frozenBatchNorm(), 3);
        Map<String, Parameter> p = b.namedParameters();
        assertEquals(281, p.size(), "torchvision's resnet_fpn_backbone state_dict has 281 keys");
        assertTrue(p.containsKey("body.layer3.5.bn3.running_mean"));
        assertTrue(p.containsKey("fpn.inner_blocks.3.0.weight"));
        assertEquals(new Shape(256, 2048, 1, 1), p.get("fpn.inner_blocks.3.0.weight").getShape());
        assertEquals(new Shape(256, 256, 3, 3), p.get("fpn.layer_blocks.0.0.weight").getShape());
        assertFalse(p.containsKey("body.fc.weight"));
        assertTrue(b.extraStateKeys().isEmpty(), "FrozenBatchNorm2d keeps no num_batches_tracked");
        // trainable_layers=3: layer2..4 convs and the FPN train, conv1/layer1 and every frozen BN do not
        assertTrue(p.get("body.layer2.0.conv1.weight").requiresGradient());
        assertFalse(p.get("body.layer1.0.conv1.weight").requiresGradient());
        assertFalse(p.get("body.conv1.weight").requiresGradient());
        assertFalse(p.get("body.layer4.0.bn1.weight").requiresGradient());
        assertTrue(p.get("fpn.layer_blocks.0.0.bias").requiresGradient());
    }

    @Test
    void trainableLayersFollowTorchvision() {
        ResNet net = new ResNet(ResNetConfig.of("resnet18").withNumClasses(0));
        net.setTrainableLayers(0);
        assertEquals(0, net.trainableParameterCount());
        net.setTrainableLayers(5);
        assertEquals(11689512 - 513000, net.trainableParameterCount(), "all but the fc head");
        net.setTrainableLayers(4);
        Map<String, Parameter> p = net.namedParameters();
        assertTrue(p.get("layer1.0.conv1.weight").requiresGradient());
        assertFalse(p.get("conv1.weight").requiresGradient(), "conv1 trains only with 5 layers");
        assertFalse(p.get("bn1.weight").requiresGradient(), "bn1 trains only with 5 layers");
        assertThrows(IllegalArgumentException.class, () -> net.setTrainableLayers(6));
    }

    @Test
    void stageShapesAndDilation() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet plain = new ResNet(ResNetConfig.of("resnet50").withNumClasses(0));
            ResNet dilated = new ResNet(ResNetConfig.of("resnet50").withNumClasses(0).withDilation(false, true, true));
            Shape in = new Shape(1, 3, 96, 128);
            plain.initialize(m, DataType.FLOAT32, in);
            dilated.initialize(m, DataType.FLOAT32, in);
            NDArray x = m.randomNormal(in);
            ParameterStore ps = new ParameterStore(m, false);
            Set<String> all = Set.of("stem", "layer1", "layer2", "layer3", "layer4");
            Map<String, NDArray> a = plain.features(ps, x, false, all);
            Map<String, NDArray> b = dilated.features(ps, x, false, all);
            assertEquals(new Shape(1, 64, 24, 32), a.get("stem").getShape());
            assertEquals(new Shape(1, 256, 24, 32), a.get("layer1").getShape());
            assertEquals(new Shape(1, 2048, 3, 4), a.get("layer4").getShape());
            assertEquals(new Shape(1, 2048, 12, 16), b.get("layer4").getShape(), "output stride 8");
            assertEquals(8, dilated.stride(4));
            Shape[] predicted = plain.getOutputShapes(new Shape[] {in});
            assertEquals(a.get("layer3").getShape(), predicted[2]);
            assertEquals(a.get("layer4").getShape(), predicted[3]);
        }
    }

    @Test
    void basicBlockNetworksDilateToo() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = new ResNet(ResNetConfig.of("resnet18").withNumClasses(0).withDilation(false, true, true));
            Shape in = new Shape(1, 3, 64, 64);
            net.initialize(m, DataType.FLOAT32, in);
            NDArray l4 = net.features(new ParameterStore(m, false), m.randomNormal(in), false, Set.of("layer4")).get("layer4");
            assertEquals(new Shape(1, 512, 8, 8), l4.getShape(), "output stride 8");
            assertEquals(new Shape(512, 512, 3, 3), net.namedParameters().get("layer4.1.conv2.weight").getShape(), "same weights as resnet18");
        }
        assertThrows(IllegalArgumentException.class, () -> ResNetConfig.of("resnet51"));
    }
}
