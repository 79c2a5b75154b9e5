package org.resvision.backbone.zoo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.resvision.backbone.hub.WeightsCache;
import org.resvision.backbone.hub.WeightsCatalog;

/**
 * A torch hub cache and an extra weights catalog in a temporary folder, for tests of the
 * pretrained entry points: {@link #publish} copies a checkpoint into the cache under {@code
 * NAME-HASHPREFIX.safetensors} and adds its catalog entry; {@link #install} points {@code
 * resvision.torch.home} and {@code resvision.weights.catalog} at them, {@link #restore} puts the
 * previous values back (and both reload the catalog).
 */
public final class ZooFixture {

    private static final List<String> PROPERTIES = List.of("resvision.torch.home", "resvision.weights.catalog", "resvision.weights.dir",
            "resvision.offline");

    private final Path root;
    private final Path checkpoints;
    private final ObjectNode catalog;
    private final Map<String, String> saved = new LinkedHashMap<>();

    public ZooFixture(Path root) throws IOException {
        this.root = root;
        this.checkpoints = Files.createDirectories(root.resolve("torch").resolve("hub").resolve("checkpoints"));
        catalog = new ObjectMapper().createObjectNode();
        catalog.put("source", "test");
        catalog.putArray("weights");
        catalog.putObject("categories");
    }

    /** A category list of the catalog. */
    public ZooFixture categories(String set, List<String> names) {
        ArrayNode a = ((ObjectNode) catalog.get("categories")).putArray(set);
        names.forEach(a::add);
        return this;
    }

    /**
     * Adds {@code model:weights} for {@code checkpoint}, copied into the cache (unless {@code
     * copy} is false: then the entry's file is absent).
     *
     * @param resize the resize of the shorter side (0 for detection; classification crops 7/8 of it)
     * @return the file name of the entry
     */
    public String publish(String model, String weights, String task, String categories, Path checkpoint, int resize, boolean copy)
            throws IOException {
        String hash = WeightsCache.sha256(checkpoint).substring(0, 8);
        String fileName = model + "_" + weights.toLowerCase(java.util.Locale.ROOT) + "-" + hash + ".safetensors";
        if (copy) {
            Files.copy(checkpoint, checkpoints.resolve(fileName), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        ObjectNode w = ((ArrayNode) catalog.get("weights")).addObject();
        w.put("model", model);
        w.put("weights", weights);
        w.put("enum", "Test_" + model + "_Weights");
        w.put("default", weights.equals("TEST"));
        w.put("task", task);
        w.put("url", "https://example.invalid/models/" + fileName);
        w.put("file_name", fileName);
        w.put("hash_prefix", hash);
        w.put("num_params", 0);
        w.putArray("min_size").add(1).add(1);
        w.putObject("metrics");
        w.put("recipe", "");
        ObjectNode t = w.putObject("transform");
        t.put("kind", task);
        if (resize > 0) {
            t.putArray("resize_size").add(resize);
            if (task.equals("classification")) {
                t.putArray("crop_size").add(resize * 7 / 8); // torchvision's 224 of 256
            }
            t.putArray("mean").add(0.485).add(0.456).add(0.406);
            t.putArray("std").add(0.229).add(0.224).add(0.225);
            t.put("interpolation", "bilinear");
        }
        w.put("categories", categories);
        return fileName;
    }

    /** Writes the catalog and points this process at the cache and the catalog. */
    public void install() throws IOException {
        Path file = root.resolve("catalog.json");
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), catalog);
        for (String p : PROPERTIES) {
            saved.put(p, System.getProperty(p));
        }
        System.setProperty("resvision.torch.home", root.resolve("torch").toString());
        System.setProperty("resvision.weights.catalog", file.toString());
        System.clearProperty("resvision.weights.dir");
        System.setProperty("resvision.offline", "1"); // an absent file is an error, never a download
        WeightsCatalog.reload();
    }

    /** Puts the system properties back as {@link #install} found them. */
    public void restore() {
        saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
        saved.clear();
        WeightsCatalog.reload();
    }

    public Path checkpoints() {
        return checkpoints;
    }
}
