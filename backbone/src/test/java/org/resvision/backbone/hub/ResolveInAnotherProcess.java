package org.resvision.backbone.hub;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code main(hubDir, url, fileName, hashPrefix)}: resolves one entry in its own JVM and prints the
 * path (the other process of the two-process download test).
 */
public final class ResolveInAnotherProcess {

    private ResolveInAnotherProcess() {}

    public static void main(String[] args) throws Exception {
        PublishedWeights w = WeightsCacheTestSupport.withUrl(new PublishedWeights("tinynet", "TEST_V1", "Tinynet_Weights", true, "classification",
                args[1], args[2], args[3], 1, java.util.List.of(1, 1), java.util.Map.of(), "", null, "two", java.util.List.of("a", "b")), args[1]);
        WeightsCache cache = new WeightsCache(new WeightsCache.Settings(Path.of(args[0]), null, null, false, Duration.ofSeconds(5),
                Duration.ofSeconds(10)));
        System.out.println(cache.resolve(w, DownloadProgress.none()));
    }
}
