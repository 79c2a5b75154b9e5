package org.resvision.backbone.zoo;

import java.io.IOException;
import java.nio.file.Path;
import org.resvision.backbone.hub.DownloadProgress;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCacheException;
import org.resvision.backbone.hub.WeightsCache;

/**
 * The local file of a published checkpoint, for {@code Pretrained} and the {@code resvision://}
 * DJL repository: the cached file (torch's hub cache, then {@code RESVISION_WEIGHTS_DIR}), else
 * downloaded there with a progress line on stderr, as torchvision's {@code weights=} does: the
 * caller named the checkpoint. {@code RESVISION_OFFLINE=1} turns the download into a one-line
 * error naming the URL and the path to put the file at.
 */
public final class PretrainedFiles {

    private PretrainedFiles() {}

    /**
     * The verified local file of {@code w}, downloaded when absent.
     *
     * @param w the catalog entry
     * @return the cached or downloaded file (settings read from the environment at this call; a
     *     download prints its progress on stderr)
     * @throws IOException another failure to read the file, or the thread was interrupted
     * @throws WeightsCacheException (one line) when it cannot be had (offline, unreachable, HTTP
     *     error) or a cached file's hash is wrong
     */
    public static Path checkpoint(PublishedWeights w) throws IOException {
        return WeightsCache.fromEnvironment().resolve(w, DownloadProgress.terminal());
    }
}
