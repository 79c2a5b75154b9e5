package org.resvision.data.voc;

import java.util.List;

/**
 * One {@code Annotations/<id>.xml}: the image's id (file stem), size and objects.
 *
 * @param imageId the id the file was read for (its file stem, as listed in the split file)
 * @param fileName the {@code <filename>} element, or {@code null} when absent
 * @param width {@code <size><width>} in pixels; -1 when the file has no {@code <size>}
 * @param height {@code <size><height>} in pixels; -1 when the file has no {@code <size>}
 * @param objects the {@code <object>} elements in file order (difficult ones included; may be empty)
 */
public record VocAnnotation(String imageId, String fileName, int width, int height, List<VocObject> objects) {}
