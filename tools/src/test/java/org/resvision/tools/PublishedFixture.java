package org.resvision.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.resvision.backbone.zoo.ZooFixture;

/**
 * A checkpoint made in a test, published under a catalog name ({@link ZooFixture}: a temporary
 * torch hub cache holding it under a hash-named file, and an extra catalog listing it, offline),
 * so commands resolve {@code MODEL:WEIGHTS} exactly as they do torchvision's published files.
 * Closing restores the system properties.
 */
final class PublishedFixture implements AutoCloseable {

    private final ZooFixture zoo;
    /** The torch home of the cache. */
    final Path hub;
    /** The published file. */
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
        Path root = dir.resolve("zoo-" + model + "-" + weights);
        zoo = new ZooFixture(root).categories("test", categories);
        int resize = switch (task) {
            case "classification" -> 256;
            case "segmentation" -> 520;
            default -> 0;
        };
        installed = zoo.checkpoints().resolve(zoo.publish(model, weights, task, "test", file, resize, true));
        hub = root.resolve("torch");
        zoo.install();
    }

    @Override
    public void close() {
        zoo.restore();
    }
}
