package org.resvision.backbone.zoo;

import java.io.IOException;
import java.nio.file.Path;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCache;
import org.resvision.backbone.hub.WeightsCacheException;

/**
 * The local file of a published checkpoint, for {@code Pretrained} and the {@code resvision://}
 * DJL repository: every lookup goes through {@link #checkpoint}, so switching from "cached only"
 * to "cached or downloaded" is one private method.
 */
public final class PretrainedFiles {

    private PretrainedFiles() {}

    /**
     * The verified local file of {@code w}.
     *
     * @throws WeightsCacheException (one line) when it is not on this machine or its hash is wrong
     */
    public static Path checkpoint(PublishedWeights w) throws IOException {
        return resolve(w);
    }

    // the one place that decides where a published file comes from (WeightsCache.resolve, with a
    // download, once that lands)
    private static Path resolve(PublishedWeights w) throws IOException {
        WeightsCache cache = WeightsCache.fromEnvironment();
        return cache.findCached(w).orElseThrow(() -> new WeightsCacheException(w.id() + ": " + w.fileName() + " is not in "
                + cache.searchPath() + " (download " + w.url() + " into one of them)"));
    }
}
