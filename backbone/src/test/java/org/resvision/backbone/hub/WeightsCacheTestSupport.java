package org.resvision.backbone.hub;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** Catalog entries for tests, pointing at a {@link LoopbackServer}. */
public final class WeightsCacheTestSupport {

    private WeightsCacheTestSupport() {}

    public static String sha(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code MODEL:TEST_V1}, a classification entry served by {@code server} under {@code fileName}. */
    public static PublishedWeights entry(String model, String fileName, String hashPrefix, LoopbackServer server) {
        return new PublishedWeights(model, "TEST_V1", model + "_Weights", true, "classification", server.url(fileName), fileName, hashPrefix,
                150_000, List.of(1, 1), Map.of("Test", Map.of("acc@1", 50.0)), "", new PublishedWeights.Transform("classification",
                        List.of(8), List.of(8), List.of(0.5, 0.5, 0.5), List.of(0.25, 0.25, 0.25), "bilinear"), "two", List.of("a", "b"));
    }

    public static PublishedWeights withUrl(PublishedWeights w, String url) {
        return new PublishedWeights(w.model(), w.weights(), w.enumName(), w.isDefault(), w.task(), url, w.fileName(), w.hashPrefix(),
                w.numParams(), w.minSize(), w.metrics(), w.recipe(), w.transform(), w.categorySet(), w.categories());
    }

    public static PublishedWeights withHash(PublishedWeights w, String hashPrefix) {
        return new PublishedWeights(w.model(), w.weights(), w.enumName(), w.isDefault(), w.task(), w.url(), w.fileName(), hashPrefix,
                w.numParams(), w.minSize(), w.metrics(), w.recipe(), w.transform(), w.categorySet(), w.categories());
    }
}
