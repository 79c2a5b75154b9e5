package org.resvision.data.coco;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A COCO instances file: images, annotations and categories, with lookups by id and the
 * mapping between (possibly non-contiguous) category ids and training labels {@code 1..K}
 * (0 is background), labels following the order of {@code categories}.
 *
 * <p>Immutable (the records' arrays are shared, not copied: do not write into them); safe to share
 * between threads.
 */
public final class CocoDataset implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    /** The images, in file order (unmodifiable). */
    private final List<CocoImage> images;
    /** The annotations, in file order (unmodifiable). */
    private final List<CocoAnnotation> annotations;
    /** The categories, in file order, which is label order (unmodifiable). */
    private final List<CocoCategory> categories;
    /** Position in {@code images} of each image id (a repeated id: the last one). */
    private final LongIntMap imageIndex;
    /** Position in {@code categories} of each category id (a repeated id: the last one); the label is one more. */
    private final LongIntMap categoryIndex;

    /**
     * A dataset of these records. Ids are not checked for uniqueness here ({@link CocoReader} rejects
     * repeated ones); with a repeated category id the lookups see the last and labels skip a number.
     *
     * @param images the {@code images} entries (copied; no nulls)
     * @param annotations the {@code annotations} entries (copied)
     * @param categories the {@code categories} entries (copied; no nulls); their order defines the labels
     * @throws NullPointerException when a list, or an image or category in it, is null
     */
    public CocoDataset(List<CocoImage> images, List<CocoAnnotation> annotations, List<CocoCategory> categories) {
        this.images = List.copyOf(images);
        this.annotations = Collections.unmodifiableList(new ArrayList<>(annotations));
        this.categories = List.copyOf(categories);
        imageIndex = new LongIntMap(this.images.size());
        for (int i = 0; i < this.images.size(); i++) {
            imageIndex.put(this.images.get(i).id(), i);
        }
        categoryIndex = new LongIntMap(this.categories.size());
        for (int c = 0; c < this.categories.size(); c++) {
            categoryIndex.put(this.categories.get(c).id(), c);
        }
    }

    /**
     * The images.
     *
     * @return the {@code images} entries in file order, unmodifiable
     */
    public List<CocoImage> images() {
        return images;
    }

    /**
     * The annotations.
     *
     * @return the {@code annotations} entries in file order, unmodifiable (empty when the file has none)
     */
    public List<CocoAnnotation> annotations() {
        return annotations;
    }

    /**
     * The categories, in label order: entry {@code i} has training label {@code i + 1}.
     *
     * @return the {@code categories} entries in file order, unmodifiable
     */
    public List<CocoCategory> categories() {
        return categories;
    }

    /**
     * The image of that id, or {@code null}.
     *
     * @param id an image id ({@code image_id})
     * @return the image, or {@code null} when no image has that id
     */
    public CocoImage image(long id) {
        int i = imageIndex.get(id);
        return i < 0 ? null : images.get(i);
    }

    /**
     * The category of that id, or {@code null}.
     *
     * @param id a COCO category id ({@code category_id})
     * @return the category, or {@code null} when no category has that id
     */
    public CocoCategory category(long id) {
        int c = categoryIndex.get(id);
        return c < 0 ? null : categories.get(c);
    }

    /**
     * Training label 1..K of a category id; -1 when unknown.
     *
     * @param categoryId a COCO category id
     * @return its position in {@link #categories()} plus one, or -1
     */
    public int label(long categoryId) {
        int c = categoryIndex.get(categoryId);
        return c < 0 ? -1 : c + 1;
    }

    /**
     * Category id of a training label 1..K.
     *
     * @param label a training label, 1..K (0, background, has no category)
     * @return the COCO category id of {@code categories().get(label - 1)}
     * @throws IndexOutOfBoundsException when {@code label} is outside 1..K
     */
    public long categoryId(int label) {
        return categories.get(label - 1).id();
    }
}
