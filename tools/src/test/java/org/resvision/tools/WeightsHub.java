package org.resvision.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.resvision.backbone.hub.LoopbackServer;
import org.resvision.backbone.hub.WeightsCacheTestSupport;
import org.resvision.backbone.hub.WeightsCatalog;

/**
 * A test's weights world: a loopback server serving one generated checkpoint, a catalog entry
 * {@code tinynet:TEST_V1} for it (added by {@code resvision.weights.catalog}), and torch's cache
 * in {@code dir/torch}. {@link #close} puts the process's settings back as they were.
 */
final class WeightsHub implements AutoCloseable {

    final LoopbackServer server;
    final byte[] data;
    final String sha;
    final String fileName;
    final Path hub;

    private static final String[] PROPERTIES = {"resvision.weights.catalog", "resvision.torch.home", "resvision.weights.dir",
        "resvision.weights.url", "resvision.offline"};
    private final java.util.Map<String, String> before = new java.util.HashMap<>();

    WeightsHub(Path dir) throws IOException {
        for (String p : PROPERTIES) {
            before.put(p, System.getProperty(p));
        }
        server = new LoopbackServer();
        data = LoopbackServer.safetensors(1000, 3);
        sha = WeightsCacheTestSupport.sha(data);
        fileName = "tinynet-" + sha.substring(0, 8) + ".pth";
        server.serve(fileName, data);
        hub = dir.resolve("torch/hub/checkpoints");
        Path catalog = Files.writeString(dir.resolve("catalog.json"), """
                {"source": "test", "categories": {"two": ["a", "b"]}, "weights": [{
                  "model": "tinynet", "weights": "TEST_V1", "enum": "TinyNet_Weights", "default": true,
                  "task": "classification", "url": "%s", "file_name": "%s", "hash_prefix": "%s",
                  "num_params": 1000, "min_size": [1, 1], "metrics": {"Test": {"acc@1": 50.5}}, "recipe": "",
                  "transform": {"kind": "classification", "resize_size": [8], "crop_size": [8],
                    "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25], "interpolation": "bilinear"},
                  "categories": "two"}]}
                """.formatted(server.url(fileName), fileName, sha.substring(0, 8)));
        System.setProperty("resvision.weights.catalog", catalog.toString());
        System.setProperty("resvision.torch.home", dir.resolve("torch").toString());
        System.clearProperty("resvision.weights.dir");
        System.clearProperty("resvision.weights.url");
        System.clearProperty("resvision.offline");
        WeightsCatalog.reload();
    }

    Path cached() {
        return hub.resolve(fileName);
    }

    @Override
    public void close() {
        server.close();
        for (String p : PROPERTIES) {
            if (before.get(p) == null) {
                System.clearProperty(p);
            } else {
                System.setProperty(p, before.get(p));
            }
        }
        WeightsCatalog.reload();
    }
}
