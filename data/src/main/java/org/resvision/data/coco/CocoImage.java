package org.resvision.data.coco;

/**
 * An entry of {@code images}: pixel size and file name.
 *
 * @param id the image id that annotations and results refer to ({@code image_id})
 * @param fileName the {@code file_name} field, relative to the images folder; {@code null} when absent
 * @param width width in pixels; -1 when the file does not give it
 * @param height height in pixels; -1 when the file does not give it
 * @serial exclude
 */
public record CocoImage(long id, String fileName, int width, int height) implements java.io.Serializable {}
