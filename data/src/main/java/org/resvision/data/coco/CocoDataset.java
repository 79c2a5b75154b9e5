package org.resvision.data.coco;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A COCO instances file: images, annotations and categories, with lookups by id and the
 * mapping between (possibly non-contiguous) category ids and training labels {@code 1..K}
 * (0 is background), labels following the order of {@code categories}.
 */
public final class CocoDataset implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final List<CocoImage> images;
    private final List<CocoAnnotation> annotations;
    private final List<CocoCategory> categories;
    private final Map<Long, CocoImage> imageById = new HashMap<>();
    private final Map<Long, CocoCategory> categoryById = new HashMap<>();
    private final Map<Long, Integer> labelByCategory = new HashMap<>();

    public CocoDataset(List<CocoImage> images, List<CocoAnnotation> annotations, List<CocoCategory> categories) {
        this.images = List.copyOf(images);
        this.annotations = Collections.unmodifiableList(new ArrayList<>(annotations));
        this.categories = List.copyOf(categories);
        for (CocoImage i : images) {
            imageById.put(i.id(), i);
        }
        int label = 1;
        for (CocoCategory c : categories) {
            categoryById.put(c.id(), c);
            labelByCategory.put(c.id(), label++);
        }
    }

    public List<CocoImage> images() {
        return images;
    }

    public List<CocoAnnotation> annotations() {
        return annotations;
    }

    public List<CocoCategory> categories() {
        return categories;
    }

    /** The image of that id, or {@code null}. */
    public CocoImage image(long id) {
        return imageById.get(id);
    }

    /** The category of that id, or {@code null}. */
    public CocoCategory category(long id) {
        return categoryById.get(id);
    }

    /** Training label 1..K of a category id; -1 when unknown. */
    public int label(long categoryId) {
        return labelByCategory.getOrDefault(categoryId, -1);
    }

    /** Category id of a training label 1..K. */
    public long categoryId(int label) {
        return categories.get(label - 1).id();
    }
}
