package org.resvision.backbone.zoo;

import ai.djl.MalformedModelException;
import ai.djl.repository.MRL;
import ai.djl.repository.zoo.BaseModelLoader;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelLoader;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooModel;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.resvision.backbone.hub.PublishedWeights;
import org.resvision.backbone.hub.WeightsCache;
import org.resvision.backbone.hub.WeightsCacheException;
import org.resvision.backbone.hub.WeightsCatalog;

/**
 * The weights catalog as a DJL {@link ModelZoo} (group {@code org.resvision}, found through
 * {@link ResVisionZooProvider} by {@code ServiceLoader}), for criteria without a URL: {@code
 * Criteria.builder().setTypes(Image.class, DetectedObjects.class).optGroupId("org.resvision")
 * .optArtifactId("fasterrcnn_resnet50_fpn_v2").optFilter("weights", "COCO_V1")}. One loader per
 * entry whose module is on the class path, the model's default first;
 * each is DJL's {@link BaseModelLoader} over a {@link ResVisionRepository}. The list follows the
 * current catalog ({@link WeightsCatalog#get()}), extra catalogs included.
 *
 * <p>A criteria that names no artifact (a search over every zoo) skips entries whose file is not
 * on this machine, so other zoos still get their turn; one that names the artifact gets the
 * one-line reason.
 *
 * <p>This class keeps no state of its own: every call builds new loaders from the current catalog,
 * whose {@link WeightsCatalog#get()} is thread-safe.
 */
public final class ResVisionModelZoo extends ModelZoo {

    @Override
    public String getGroupId() {
        return ResVisionRepository.GROUP_ID;
    }

    @Override
    public Set<String> getSupportedEngines() {
        return Set.of("PyTorch");
    }

    @Override
    public Collection<ModelLoader> getModelLoaders() {
        List<PublishedWeights> entries = new ArrayList<>(WeightsCatalog.get().entries());
        List<String> models = WeightsCatalog.get().models();
        entries.sort(Comparator.comparingInt((PublishedWeights w) -> models.indexOf(w.model())).thenComparing(w -> !w.isDefault()));
        List<ModelLoader> loaders = new ArrayList<>();
        for (PublishedWeights w : entries) {
            ResVisionRepository repo;
            try {
                repo = new ResVisionRepository("resvision", URI.create("resvision://" + w.model() + "?weights="
                        + URLEncoder.encode(w.weights(), StandardCharsets.UTF_8)));
            } catch (IllegalArgumentException e) {
                continue; // its module (resvision-detection / -segmentation) is not on the class path
            }
            loaders.add(new CatalogLoader(repo.getResources().get(0), w));
        }
        return loaders;
    }

    @Override
    public ModelLoader getModelLoader(String name) {
        return getModelLoaders().stream().filter(l -> l.getArtifactId().equals(name)).findFirst().orElse(null);
    }

    /** DJL's loader, except that an absent file is "not found here" for a criteria that did not name the model. */
    private static final class CatalogLoader extends BaseModelLoader {

        private final PublishedWeights weights;

        CatalogLoader(MRL mrl, PublishedWeights weights) {
            super(mrl);
            this.weights = weights;
        }

        @Override
        public <I, O> ZooModel<I, O> loadModel(Criteria<I, O> criteria)
                throws IOException, ModelNotFoundException, MalformedModelException {
            if (criteria.getArtifactId() == null) {
                try {
                    if (WeightsCache.fromEnvironment().findCached(weights).isEmpty()) {
                        throw new ModelNotFoundException(weights.id() + ": " + weights.fileName() + " is not on this machine");
                    }
                } catch (WeightsCacheException e) {
                    throw new ModelNotFoundException(e.getMessage(), e);
                }
            }
            return super.loadModel(criteria);
        }
    }
}
