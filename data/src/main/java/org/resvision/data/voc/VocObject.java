package org.resvision.data.voc;

/**
 * An {@code <object>} of a VOC annotation.
 *
 * @param name the class name ({@code <name>}, surrounding white space removed)
 * @param box {@code [xmin, ymin, xmax, ymax]} as written: 1-based, inclusive pixel coordinates
 * @param difficult {@code <difficult>} is 1 (VOC's evaluation ignores such objects)
 * @param truncated {@code <truncated>} is 1 (the object extends past the image)
 */
public record VocObject(String name, double[] box, boolean difficult, boolean truncated) {}
