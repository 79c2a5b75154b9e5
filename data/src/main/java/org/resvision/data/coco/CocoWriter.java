package org.resvision.data.coco;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.resvision.data.io.AtomicFiles;

/**
 * Writes COCO instances and results files, atomically (a temporary file, then a rename). Stateless;
 * safe to call from several threads at once (when two calls write one file, the last rename wins).
 */
public final class CocoWriter {

    private static final JsonFactory JSON = new JsonFactory();

    private CocoWriter() {}

    interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * An instances file: {@code images}, {@code annotations}, {@code categories}.
     * Null fields ({@code bbox}, {@code segmentation}, {@code supercategory}) are left out; a null
     * {@code file_name} or {@code name} is written as JSON {@code null}.
     *
     * @param file the JSON file; missing parent folders are created, an existing file is replaced
     * @param ds the dataset to write, records in their order
     * @throws IOException when the file cannot be written; it is then left as it was
     */
    public static void writeDataset(Path file, CocoDataset ds) throws IOException {
        atomically(file, g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("images");
            for (CocoImage im : ds.images()) {
                g.writeStartObject();
                g.writeNumberField("id", im.id());
                g.writeStringField("file_name", im.fileName());
                g.writeNumberField("width", im.width());
                g.writeNumberField("height", im.height());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("annotations");
            for (CocoAnnotation a : ds.annotations()) {
                g.writeStartObject();
                g.writeNumberField("id", a.id());
                g.writeNumberField("image_id", a.imageId());
                g.writeNumberField("category_id", a.categoryId());
                if (a.bbox() != null) {
                    g.writeFieldName("bbox");
                    g.writeArray(a.bbox(), 0, a.bbox().length);
                }
                g.writeNumberField("area", a.area());
                g.writeNumberField("iscrowd", a.iscrowd() ? 1 : 0);
                if (a.segmentation() != null) {
                    g.writeFieldName("segmentation");
                    segmentation(g, a.segmentation());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("categories");
            for (CocoCategory c : ds.categories()) {
                g.writeStartObject();
                g.writeNumberField("id", c.id());
                g.writeStringField("name", c.name());
                if (c.supercategory() != null) {
                    g.writeStringField("supercategory", c.supercategory());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * A results file: the list {@code loadRes} reads.
     * A null {@code bbox} or {@code segmentation} is left out of its detection.
     *
     * @param file the JSON file; missing parent folders are created, an existing file is replaced
     * @param results the detections, written in order
     * @throws IOException when the file cannot be written; it is then left as it was
     */
    public static void writeResults(Path file, List<CocoResult> results) throws IOException {
        atomically(file, g -> {
            g.writeStartArray();
            for (CocoResult r : results) {
                g.writeStartObject();
                g.writeNumberField("image_id", r.imageId());
                g.writeNumberField("category_id", r.categoryId());
                if (r.bbox() != null) {
                    g.writeFieldName("bbox");
                    g.writeArray(r.bbox(), 0, r.bbox().length);
                }
                g.writeNumberField("score", r.score());
                if (r.segmentation() != null) {
                    g.writeFieldName("segmentation");
                    segmentation(g, r.segmentation());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    private static void segmentation(JsonGenerator g, Segmentation s) throws IOException {
        if (s instanceof Segmentation.Polygons p) {
            g.writeStartArray();
            for (double[] part : p.parts()) {
                g.writeArray(part, 0, part.length);
            }
            g.writeEndArray();
        } else if (s instanceof Segmentation.UncompressedRle u) {
            g.writeStartObject();
            g.writeFieldName("size");
            g.writeArray(new int[] {u.h(), u.w()}, 0, 2);
            g.writeFieldName("counts");
            g.writeArray(u.counts(), 0, u.counts().length);
            g.writeEndObject();
        } else if (s instanceof Segmentation.CompressedRle c) {
            g.writeStartObject();
            g.writeFieldName("size");
            g.writeArray(new int[] {c.h(), c.w()}, 0, 2);
            g.writeStringField("counts", c.counts());
            g.writeEndObject();
        }
    }

    private static void atomically(Path file, Body body) throws IOException {
        AtomicFiles.write(file, tmp -> {
            try (JsonGenerator g = JSON.createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
                body.write(g);
            }
        });
    }
}
