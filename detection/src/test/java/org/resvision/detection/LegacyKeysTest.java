package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.resvision.nn.LoadReport;
import org.resvision.nn.StateDictLoader;
import org.resvision.weights.StateDict;

/**
 * torchvision's published COCO checkpoints predate 0.13's key names: {@code rpn.head.conv.weight}
 * and {@code backbone.fpn.inner_blocks.0.weight}. They load unchanged into the current layout.
 */
class LegacyKeysTest {

    @Test
    void preV013KeysLoadIntoTheCurrentLayout() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(4);
            FasterRcnn source = FasterRcnn.of(FasterRcnnTrainingStepTest.tiny()).init(m);
            StateDict legacy = new StateDict();
            for (var e : StateDictLoader.export(source, m)) {
                String k = e.getKey().replace("rpn.head.conv.0.0.", "rpn.head.conv.")
                        .replaceAll("(inner_blocks|layer_blocks)\\.(\\d+)\\.0\\.", "$1.$2.");
                legacy.put(k, e.getValue());
            }
            assertTrue(legacy.names().contains("rpn.head.conv.weight") && legacy.names().contains("backbone.fpn.inner_blocks.0.weight"));
            Engine.getInstance().setRandomSeed(5);
            FasterRcnn target = FasterRcnn.of(FasterRcnnTrainingStepTest.tiny()).init(m);
            LoadReport report = StateDictLoader.load(target, legacy, java.nio.file.Path.of("legacy.pth"), "", true);
            assertTrue(report.isExact(), report.summary());
            assertArrayEquals(source.namedParameters().get("rpn.head.conv.0.0.weight").getArray().toFloatArray(),
                    target.namedParameters().get("rpn.head.conv.0.0.weight").getArray().toFloatArray());
        }
    }
}
