package org.resvision.backbone.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.parity.ParityFixtures;

class WeightsCatalogTest {

    private final WeightsCatalog catalog = WeightsCatalog.get();

    @Test
    void holdsEveryCheckpointTheIssueNames() {
        assertEquals(List.of("resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d", "wide_resnet50_2",
                "fasterrcnn_resnet50_fpn", "fasterrcnn_resnet50_fpn_v2", "fcn_resnet50", "fcn_resnet101"), catalog.models());
        assertEquals(16, catalog.entries().size()); // 7 ImageNet V1 + 5 V2 (not resnet18/34) + 2 COCO + 2 VOC-label FCNs
        PublishedWeights v2 = catalog.find("fasterrcnn_resnet50_fpn_v2:COCO_V1");
        assertEquals("https://download.pytorch.org/models/fasterrcnn_resnet50_fpn_v2_coco-dd69338a.pth", v2.url());
        assertEquals("dd69338a", v2.hashPrefix());
        assertEquals(46.7, v2.metrics().get("COCO-val2017").get("box_map"));
        assertEquals(43_712_278, v2.numParams());
        assertEquals(91, v2.numClasses());
        assertEquals("__background__", v2.categories().get(0));
        assertEquals("N/A", v2.categories().get(12)); // COCO's unused id 12
        assertEquals("person", v2.categories().get(1));
        assertEquals("toothbrush", v2.categories().get(90));
        assertEquals("detection", v2.transform().kind());
        PublishedWeights v1 = catalog.find("fasterrcnn_resnet50_fpn");
        assertEquals(37.0, v1.metrics().get("COCO-val2017").get("box_map"));
        PublishedWeights fcn = catalog.find("fcn_resnet101");
        assertEquals(List.of(520), fcn.transform().resizeSize());
        assertEquals(63.7, fcn.metrics().get("COCO-val2017-VOC-labels").get("miou"));
        assertEquals(21, fcn.numClasses());
        assertEquals(1000, catalog.find("resnet18").numClasses());
    }

    @Test
    void namesResolveAsUsersTypeThem() {
        assertEquals("IMAGENET1K_V2", catalog.find("resnet50").weights()); // the model's DEFAULT
        assertEquals("IMAGENET1K_V1", catalog.find("resnet50:imagenet1k_v1").weights());
        assertEquals("IMAGENET1K_V1", catalog.find("resnet18").weights()); // resnet18 has no V2
        assertEquals("IMAGENET1K_V2", catalog.find("ResNet50_Weights.DEFAULT").weights());
        assertEquals("resnet101", catalog.find("ResNet101_Weights.IMAGENET1K_V1").model());
        assertEquals("COCO_V1", catalog.find("FasterRCNN_ResNet50_FPN_V2_Weights.COCO_V1").weights());
        assertEquals("resnet50", catalog.find("resnet50:DEFAULT").model());
        assertTrue(catalog.isName("fcn_resnet50"));
        assertTrue(catalog.isName("resnet50:IMAGENET1K_V9")); // a catalog model: find() then explains
        assertFalse(catalog.isName("run/model.safetensors"));
        assertFalse(catalog.isName("resnet50.pth"));
        assertFalse(catalog.isName("model"));
    }

    @Test
    void unknownNamesListTheClosest() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> catalog.find("fasterrcnn_resnet50_fpn_v3"));
        assertTrue(e.getMessage().startsWith("unknown weights 'fasterrcnn_resnet50_fpn_v3'; closest: fasterrcnn_resnet50_fpn_v2:COCO_V1, "
                + "fasterrcnn_resnet50_fpn:COCO_V1"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        e = assertThrows(IllegalArgumentException.class, () -> catalog.find("resnet18:IMAGENET1K_V2"));
        assertEquals("unknown weights 'resnet18:IMAGENET1K_V2': resnet18 has resnet18:IMAGENET1K_V1", e.getMessage());
        assertEquals(0, WeightsCatalog.distance("resnet", "resnet"));
        assertEquals(3, WeightsCatalog.distance("kitten", "sitting"));
    }

    @Test
    void extraCatalogsAddEntriesAndRefuseDuplicates(@TempDir Path dir) throws Exception {
        Path extra = dir.resolve("mine.json");
        Files.writeString(extra, """
                {"source": "mine", "categories": {"shapes": ["__background__", "circle", "square"]},
                 "weights": [{"model": "fasterrcnn_resnet18_fpn_small", "weights": "SHAPES_V1", "enum": "Mine", "default": true,
                   "task": "detection", "url": "https://example.invalid/shapes-0123abcd.safetensors",
                   "file_name": "shapes-0123abcd.safetensors", "hash_prefix": "0123abcd", "num_params": 1, "min_size": [1, 1],
                   "metrics": {}, "recipe": "", "transform": {"kind": "detection"}, "categories": "shapes"}]}
                """);
        WeightsCatalog both = catalog.with(WeightsCatalog.readFile(extra));
        assertEquals(17, both.entries().size());
        assertEquals(List.of("__background__", "circle", "square"), both.find("fasterrcnn_resnet18_fpn_small").categories());
        assertThrows(IllegalArgumentException.class, () -> both.with(WeightsCatalog.readFile(extra)));
        String old = System.getProperty("resvision.weights.catalog");
        try {
            System.setProperty("resvision.weights.catalog", extra.toString());
            WeightsCatalog.reload();
            assertEquals("SHAPES_V1", WeightsCatalog.get().find("fasterrcnn_resnet18_fpn_small").weights());
        } finally {
            if (old == null) {
                System.clearProperty("resvision.weights.catalog");
            } else {
                System.setProperty("resvision.weights.catalog", old);
            }
            WeightsCatalog.reload();
        }
        assertEquals(16, WeightsCatalog.get().entries().size());
    }

    /** The shipped catalog is what torchvision's own Weights enums say, today (Debian's torchvision 0.14). */
    @Test
    void equalsTorchvisionsWeightsEnums(@TempDir Path dir) throws Exception {
        ParityFixtures.assumeTorchvision();
        Path out = dir.resolve("catalog.json");
        ParityFixtures.runScript("weights_catalog.py", dir.resolve("log.txt"), out.toString());
        JsonNode fresh = new ObjectMapper().readTree(out.toFile());
        JsonNode shipped;
        try (var in = WeightsCatalog.class.getResourceAsStream("catalog.json")) {
            shipped = new ObjectMapper().readTree(in);
        }
        assertEquals(fresh, shipped, "catalog.json differs from torchvision's enums: rerun tools/reference/parity/weights_catalog.py");
        WeightsCatalog parsed = WeightsCatalog.parse(fresh);
        assertEquals(fresh.get("weights").size(), parsed.entries().size());
        for (int i = 0; i < parsed.entries().size(); i++) {
            PublishedWeights w = parsed.entries().get(i);
            JsonNode j = fresh.get("weights").get(i);
            assertEquals(j.get("url").asText(), w.url());
            assertTrue(w.url().endsWith("/" + w.fileName()) && w.fileName().contains("-" + w.hashPrefix() + "."), w.id());
            assertEquals(j.get("num_params").asLong(), w.numParams());
            assertEquals(fresh.get("categories").get(j.get("categories").asText()).size(), w.numClasses());
            Map<String, Map<String, Double>> m = w.metrics();
            assertFalse(m.isEmpty(), w.id());
        }
    }
}
