package org.resvision.data.voc;

/**
 * An {@code <object>} of a VOC annotation.
 *
 * @param box {@code [xmin, ymin, xmax, ymax]} as written: 1-based, inclusive pixel coordinates
 */
public record VocObject(String name, double[] box, boolean difficult, boolean truncated) {}
