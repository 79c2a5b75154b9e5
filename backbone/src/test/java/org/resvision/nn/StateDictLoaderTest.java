package org.resvision.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.backbone.fpn.BackboneWithFpn;
import org.resvision.backbone.resnet.ResNet;
import org.resvision.backbone.resnet.ResNetConfig;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsFormatException;
import org.resvision.weights.WeightsIO;

class StateDictLoaderTest {

    static final Path SRC = Path.of("ckpt.pth");
    @TempDir Path dir;

    private static ResNet resnet18(NDManager m, int classes) {
        ResNet net = new ResNet(ResNetConfig.of("resnet18").withNumClasses(classes));
        net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
        return net;
    }

    @Test
    void exportThenLoadRestoresEveryTensorAndTorchExtras() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet a = resnet18(m, 10);
            ResNet b = resnet18(m, 10);
            StateDict sd = StateDictLoader.export(a, m);
            assertEquals(122, sd.size(), "torchvision's resnet18 state_dict has 122 keys");
            assertEquals(DataType.INT64, sd.get("layer1.0.bn1.num_batches_tracked").getDataType());
            Path file = dir.resolve("r18.safetensors");
            WeightsIO.saveSafetensors(file, sd, Map.of());
            LoadReport r = StateDictLoader.load(b, WeightsIO.load(file, m), file, "", true);
            assertTrue(r.isExact(), r.summary());
            assertEquals(102, r.loaded());
            for (var e : a.namedParameters().entrySet()) {
                NDArray x = e.getValue().getArray();
                NDArray y = b.namedParameters().get(e.getKey()).getArray();
                assertArrayEquals(x.toFloatArray(), y.toFloatArray(), 0f, e.getKey());
            }
        }
    }

    /** A new thread records by default; loading there must still be a plain copy (it was an autograd error). */
    @Test
    void loadsOnAThreadOtherThanTheEngines() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet a = resnet18(m, 10);
            ResNet b = resnet18(m, 10);
            StateDict sd = StateDictLoader.export(a, m);
            Throwable[] failed = new Throwable[1];
            Thread t = new Thread(() -> {
                try {
                    StateDictLoader.load(b, sd, SRC, "", true);
                } catch (Throwable e) {
                    failed[0] = e;
                }
            });
            t.start();
            t.join();
            assertEquals(null, failed[0], () -> "loading on a new thread: " + failed[0]);
            NDArray x = a.namedParameters().get("conv1.weight").getArray();
            assertArrayEquals(x.toFloatArray(), b.namedParameters().get("conv1.weight").getArray().toFloatArray(), 0f);
        }
    }

    @Test
    void lenientModeSkipsAnotherClassCountAndReportsIt() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict sd = StateDictLoader.export(resnet18(m, 1000), m);
            ResNet target = resnet18(m, 5);
            float[] fcBefore = target.namedParameters().get("fc.weight").getArray().toFloatArray();
            LoadReport r = StateDictLoader.load(target, sd, SRC, "", false);
            assertEquals(List.of("fc.weight: checkpoint (1000, 512) vs model (5, 512)",
                    "fc.bias: checkpoint (1000) vs model (5)"), r.shapeMismatches());
            assertEquals(100, r.loaded());
            assertArrayEquals(fcBefore, target.namedParameters().get("fc.weight").getArray().toFloatArray(), 0f);
            WeightsFormatException e = assertThrows(WeightsFormatException.class,
                    () -> StateDictLoader.load(resnet18(m, 5), sd, SRC, "", true));
            assertTrue(e.getMessage().startsWith("ckpt.pth: checkpoint does not fit the model: 100 tensors loaded; 2 shape mismatches: fc.weight"),
                    e.getMessage());
        }
    }

    @Test
    void missingAndUnexpectedKeysAreNamed() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict sd = StateDictLoader.export(resnet18(m, 1000), m);
            StateDict partial = new StateDict();
            for (var e : sd) {
                if (!e.getKey().startsWith("layer4.1.")) {
                    partial.put(e.getKey(), e.getValue());
                }
            }
            partial.put("extra.thing", m.zeros(new Shape(2)));
            LoadReport r = StateDictLoader.load(resnet18(m, 1000), partial, SRC, "", false);
            assertEquals(10, r.missing().size());
            assertEquals("layer4.1.conv1.weight", r.missing().get(0));
            assertEquals(List.of("extra.thing"), r.unexpected());
        }
    }

    @Test
    void wrongArchitectureIsOneClearError() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict vgg = new StateDict().put("features.0.weight", m.zeros(new Shape(64, 3, 3, 3)));
            WeightsFormatException e = assertThrows(WeightsFormatException.class,
                    () -> StateDictLoader.load(resnet18(m, 1000), vgg, SRC, "", false));
            assertTrue(e.getMessage().contains("no tensor matches this model (wrong architecture?)"), e.getMessage());
        }
    }

    @Test
    void prefixesAndLegacyFpnNamesLoad() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            BackboneWithFpn src = BackboneWithFpn.resnetFpn("resnet18", Norm.frozenBatchNorm(), 3);
            src.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            // a detection checkpoint: "backbone." prefix, pre-0.13 FPN names, a DataParallel "module."
            StateDict det = new StateDict();
            for (var e : StateDictLoader.export(src, m)) {
                String k = e.getKey().replaceAll("(inner_blocks|layer_blocks)\\.(\\d+)\\.0\\.", "$1.$2.");
                det.put("module.backbone." + k, e.getValue());
            }
            det.put("module.rpn.head.conv.0.0.weight", m.zeros(new Shape(1)));
            BackboneWithFpn dst = BackboneWithFpn.resnetFpn("resnet18", Norm.frozenBatchNorm(), 3);
            dst.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            LoadReport r = StateDictLoader.load(dst, det, SRC, "backbone.", true);
            assertEquals(16, r.renamed().size(), "4 inner + 4 layer blocks, weight and bias");
            assertEquals("fpn.inner_blocks.0.weight -> fpn.inner_blocks.0.0.weight", r.renamed().get(0));
            assertArrayEquals(
                    src.namedParameters().get("fpn.layer_blocks.3.0.weight").getArray().toFloatArray(),
                    dst.namedParameters().get("fpn.layer_blocks.3.0.weight").getArray().toFloatArray(), 0f);
        }
    }

    @Test
    void detectsTheCheckpointPrefix() {
        try (NDManager m = NDManager.newBaseManager()) {
            ResNet net = resnet18(m, 1000);
            StateDict plain = StateDictLoader.export(net, m);
            assertEquals("", StateDictLoader.detectPrefix(net, plain));
            StateDict nested = new StateDict();
            for (var e : plain) {
                nested.put("module.backbone.body." + e.getKey(), e.getValue());
            }
            nested.put("module.roi_heads.box_predictor.cls_score.weight", m.zeros(new Shape(1)));
            assertEquals("backbone.body.", StateDictLoader.detectPrefix(net, nested));
            assertEquals(null, StateDictLoader.detectPrefix(net, new StateDict().put("x.y", m.zeros(new Shape(1)))));
        }
    }
}
