package org.resvision.data.coco;

/** An entry of {@code images}: pixel size and file name. */
public record CocoImage(long id, String fileName, int width, int height) implements java.io.Serializable {}
