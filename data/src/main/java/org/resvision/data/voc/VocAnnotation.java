package org.resvision.data.voc;

import java.util.List;

/** One {@code Annotations/<id>.xml}: the image's id (file stem), size and objects. */
public record VocAnnotation(String imageId, String fileName, int width, int height, List<VocObject> objects) {}
