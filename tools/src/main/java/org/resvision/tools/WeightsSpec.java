package org.resvision.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.resvision.backbone.hub.DownloadProgress;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCache;
import org.resvision.backbone.hub.WeightsCatalog;

/**
 * A {@code --weights} (or {@code --init}) value: a file, or the name of a published checkpoint
 * ({@code fasterrcnn_resnet50_fpn_v2:COCO_V1}, {@code resnet50}), which is found in the caches or
 * downloaded (only because the user named it).
 *
 * @param entry the catalog entry, or null for a plain file
 * @param file the file to read
 */
record WeightsSpec(PublishedWeights entry, Path file) {

    /** Reads a command-line value; a catalog name is resolved to its (verified) file. */
    static WeightsSpec resolve(String value) throws IOException, UsageException {
        PublishedWeights w = find(value);
        if (w == null) {
            return new WeightsSpec(null, Path.of(value));
        }
        return new WeightsSpec(w, fetch(w));
    }

    /** The catalog entry a value names, or null when it reads as a file path. */
    static PublishedWeights find(String value) throws UsageException {
        WeightsCatalog catalog = WeightsCatalog.get();
        if (value == null || Files.exists(Path.of(value)) || !catalog.isName(value)) {
            return null;
        }
        try {
            return catalog.find(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The entry's file: from torch's hub cache or RESVISION_WEIGHTS_DIR, else downloaded. */
    static Path fetch(PublishedWeights w) throws IOException {
        return WeightsCache.fromEnvironment().resolve(w, DownloadProgress.terminal());
    }

    /** Whether this is a published checkpoint of {@code task}. */
    boolean is(String task) {
        return entry != null && entry.task().equals(task);
    }

    /** How the weights are named in messages: the catalog id, or the file. */
    String label() {
        return entry == null ? file.toString() : entry.id() + " (" + file + ")";
    }
}
