package org.resvision.data.coco;

/** An entry of {@code categories}. */
public record CocoCategory(long id, String name, String supercategory) implements java.io.Serializable {}
