package org.resvision.backbone.zoo;

import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooProvider;

/** Registers {@link ResVisionModelZoo} with DJL ({@code META-INF/services/ai.djl.repository.zoo.ZooProvider}). */
public final class ResVisionZooProvider implements ZooProvider {

    @Override
    public ModelZoo getModelZoo() {
        return new ResVisionModelZoo();
    }
}
