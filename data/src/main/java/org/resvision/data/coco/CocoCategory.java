package org.resvision.data.coco;

/**
 * An entry of {@code categories}.
 *
 * @param id the category id as written; need not be contiguous ({@link CocoDataset#label} maps it to 1..K)
 * @param name the {@code name} field, or {@code null} when the file has none
 * @param supercategory the {@code supercategory} field, or {@code null} when absent ({@link CocoWriter} then
 *     omits it)
 * @serial exclude
 */
public record CocoCategory(long id, String name, String supercategory) implements java.io.Serializable {}
