package org.resvision.backbone.zoo;

import ai.djl.repository.Repository;
import ai.djl.repository.RepositoryFactory;
import java.net.URI;
import java.util.Set;

/**
 * DJL's {@link RepositoryFactory} for the {@code resvision:} scheme, registered in {@code
 * META-INF/services/ai.djl.repository.RepositoryFactory}: {@code
 * Criteria.builder().optModelUrls("resvision://fasterrcnn_resnet50_fpn_v2?weights=COCO_V1")}
 * reaches {@link ResVisionRepository}. See there for the whole route.
 */
public final class ResVisionRepositoryFactory implements RepositoryFactory {

    /** The URL scheme this factory serves: {@code resvision}. */
    public static final String SCHEME = "resvision";

    @Override
    public Repository newInstance(String name, URI uri) {
        return new ResVisionRepository(name, uri);
    }

    @Override
    public Set<String> getSupportedScheme() {
        return Set.of(SCHEME);
    }
}
