package org.resvision.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.resvision.backbone.hub.WeightsCache;
import org.resvision.backbone.hub.WeightsCatalog;

/**
 * A checkpoint made in a test, published under a catalog name: copied into a temporary torch hub
 * cache under a hash-named file and listed in an extra catalog ({@code resvision.weights.catalog}),
 * so commands resolve {@code MODEL:WEIGHTS} exactly as they do torchvision's published files.
 * Closing restores the system properties.
 */
final class PublishedFixture implements AutoCloseable {

    private final String oldCatalog = System.getProperty("resvision.weights.catalog");
    private final String oldTorchHome = System.getProperty("resvision.torch.home");
    private final String oldOffline = System.getProperty("resvision.offline");
    final Path hub;
    final Path installed;

    /**
     * @param dir a temporary folder
     * @param file the checkpoint
     * @param model a catalog model name (a preset or architecture)
     * @param weights the weights name ({@code TEST_V1})
     * @param task classification, detection or segmentation
     * @param categories class names, index = class
     */
    PublishedFixture(Path dir, Path file, String model, String weights, String task, List<String> categories) throws IOException {
        String sha = WeightsCache.sha256(file);
        String name = model + "_test-" + sha.substring(0, 8) + (file.toString().endsWith(".pth") ? ".pth" : ".safetensors");
        hub = dir.resolve("torch-home");
        installed = hub.resolve("hub/checkpoints").resolve(name);
        Files.createDirectories(installed.getParent());
        Files.copy(file, installed);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode doc = mapper.createObjectNode();
        doc.put("source", "test");
        ArrayNode cats = doc.putObject("categories").putArray("test");
        categories.forEach(cats::add);
        ObjectNode e = doc.putArray("weights").addObject();
        e.put("model", model).put("weights", weights).put("enum", "Test_Weights").put("default", false).put("task", task)
                .put("url", "http://127.0.0.1:9/" + name).put("file_name", name).put("hash_prefix", sha.substring(0, 8))
                .put("num_params", 0).put("recipe", "");
        e.putArray("min_size").add(1).add(1);
        e.putObject("metrics");
        ObjectNode t = e.putObject("transform");
        t.put("kind", task);
        if (!task.equals("detection")) {
            t.putArray("resize_size").add(task.equals("classification") ? 256 : 520);
            t.putArray("mean").add(0.485).add(0.456).add(0.406);
            t.putArray("std").add(0.229).add(0.224).add(0.225);
            t.put("interpolation", "bilinear");
        }
        e.put("categories", "test");
        Path catalog = dir.resolve("catalog-test.json");
        mapper.writeValue(catalog.toFile(), doc);
        System.setProperty("resvision.weights.catalog", catalog.toString());
        System.setProperty("resvision.torch.home", hub.toString());
        System.setProperty("resvision.offline", "1");
        WeightsCatalog.reload();
    }

    @Override
    public void close() {
        restore("resvision.weights.catalog", oldCatalog);
        restore("resvision.torch.home", oldTorchHome);
        restore("resvision.offline", oldOffline);
        WeightsCatalog.reload();
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
