package org.resvision.data.coco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams COCO JSON with Jackson's parser (no JSON tree is built): instances files ({@link
 * #readDataset}) and results lists ({@link #readResults}). Unknown fields ({@code info},
 * {@code licenses}, {@code keypoints}, ...) are skipped. Malformed JSON and fields of the wrong
 * type are reported with the file, line and column, and the record ({@code detection #3},
 * {@code annotation #7 (id 12)}, counted from 1 in file order). Beyond types it rejects what no
 * reader of the file could mean: NaN or infinite numbers (which Python's json writes), duplicate
 * image, category or annotation ids, {@code iscrowd} other than 0, 1, true or false, an RLE size
 * that is not two non-negative integers, negative or fractional RLE counts, and detections with a
 * negative box width or height or with neither box nor segmentation.
 *
 * <p>Stateless: its static methods may be called from several threads at once (each call has its own
 * parser; {@link #readResults(Path)} also starts and stops its own worker threads).
 */
public final class CocoReader {

    /** Jackson's fast double parser is exact (correctly rounded), just faster than the JDK's. */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS) // to name the record, below
            .build();

    private final Path file;
    private final JsonParser p;

    private CocoReader(Path file, JsonParser p) {
        this.file = file;
        this.p = p;
    }

    /**
     * Reads an instances file ({@code images}, {@code annotations}, {@code categories}).
     *
     * @param file the JSON file
     * @return the dataset, masks included; annotations empty when the file has no {@code annotations}
     * @throws CocoFormatException when the file is missing, unreadable, malformed, lacks {@code images} or
     *     {@code categories}, or holds a record it rejects (see above), naming the file, line and column
     * @throws IOException when reading fails otherwise
     */
    public static CocoDataset readDataset(Path file) throws IOException {
        return readDataset(file, true);
    }

    /**
     * As {@link #readDataset(Path)}; {@code masks} false skips each annotation's {@code
     * segmentation} (checked as JSON only; the annotations have none): what a bbox evaluation
     * needs, in less time and memory.
     *
     * @param file the JSON file
     * @param masks false: annotations get a {@code null} segmentation
     * @return the dataset
     * @throws CocoFormatException as {@link #readDataset(Path)}
     * @throws IOException when reading fails otherwise
     */
    public static CocoDataset readDataset(Path file, boolean masks) throws IOException {
        try (InputStream in = open(file); JsonParser p = JSON.createParser(in)) {
            CocoReader r = new CocoReader(file, p);
            r.masks = masks;
            return r.dataset();
        } catch (JsonProcessingException e) {
            throw syntax(file, e);
        }
    }

    /**
     * Reads a results file: a JSON list of {@code {image_id, category_id, bbox, score,
     * segmentation?}}, into columns ({@link CocoResults}, a {@code List<CocoResult>}). The common
     * shape of a detection is read by a byte scanner on all cores, in windows (files of any size);
     * anything else in a detection is read by Jackson, as {@link #readResultsSequentially} does.
     * Same values, same errors (with file, line and column); a file cut off inside the list is also
     * named with the byte where it ends.
     *
     * @param file the JSON file
     * @return the detections in file order, masks included
     * @throws CocoFormatException when the file is missing, unreadable, not a list, malformed, or holds a
     *     detection it rejects (see above)
     * @throws IOException when reading fails otherwise
     */
    public static CocoResults readResults(Path file) throws IOException {
        return readResults(file, true);
    }

    /**
     * As {@link #readResults(Path)}; {@code masks} false drops the {@code segmentation} of every
     * detection that has a {@code bbox}, checked as JSON only (a bbox evaluation never reads it, as
     * pycocotools' {@code loadRes} does not): less memory and time on files that carry masks.
     * Files of 8 MiB or more are read by one thread per core.
     *
     * @param file the JSON file
     * @param masks false: detections with a box get a {@code null} segmentation
     * @return the detections in file order
     * @throws CocoFormatException as {@link #readResults(Path)}
     * @throws IOException when reading fails otherwise
     */
    public static CocoResults readResults(Path file, boolean masks) throws IOException {
        long size = Files.size(checkIsFile(file));
        int threads = Runtime.getRuntime().availableProcessors();
        // small chunks: the windows die young (a collection copies only those being read) and the cores share the work evenly
        long chunk = 2L << 20;
        return readResults(file, masks, size < PARALLEL_MIN_BYTES ? 1 : threads, chunk);
    }

    /** The scanner with explicit threads and chunk size (tests split small files with it). */
    static CocoResults readResults(Path file, boolean masks, int threads, long chunk) throws IOException {
        CocoResults r = ResultsScanner.read(checkIsFile(file), masks, threads, chunk);
        return r != null ? r : CocoResults.of(readResultsSequentially(file)); // not a list: Jackson's message
    }

    /**
     * One detection's bytes (a copy starting at byte {@code base} of {@code file}) read by Jackson
     * as {@link #readResultsSequentially} reads a detection; errors name detection {@code index + 1}
     * at its line and column ({@code locator}: a byte offset of the file to {line, column}; null
     * when the message is not wanted).
     */
    static CocoResult oneResult(Path file, byte[] bytes, long base, boolean masks, int index,
            java.util.function.LongFunction<long[]> locator) throws IOException {
        if (!masks) {
            try {
                CocoResult r = parseOne(file, bytes, base, false, index, null);
                if (r.bbox() != null) {
                    return r;
                }
            } catch (IOException e) {
                // below, with its mask: the error the whole reader gives
            }
        }
        return parseOne(file, bytes, base, true, index, locator); // a mask-only detection keeps its mask
    }

    private static CocoResult parseOne(Path file, byte[] bytes, long base, boolean masks, int index,
            java.util.function.LongFunction<long[]> locator) throws IOException {
        try (JsonParser p = JSON.createParser(bytes)) {
            CocoReader r = new CocoReader(file, p);
            r.base = base;
            r.locator = locator;
            r.masks = masks;
            r.index = index;
            p.nextToken();
            r.at("detection", ++r.index);
            return r.result();
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            if (locator == null || l == null) {
                throw new CocoFormatException(file, "malformed JSON: " + e.getOriginalMessage());
            }
            long[] lc = locator.apply(base + Math.max(0, l.getByteOffset()));
            throw new CocoFormatException(file, lc[0], lc[1], "malformed JSON: " + e.getOriginalMessage());
        }
    }

    /** For {@link #oneResult}: the slice's offset in the file and how to name a position in it. */
    private long base;
    private java.util.function.LongFunction<long[]> locator;
    /** False: a detection's segmentation is skipped (see {@link #readResults(Path, boolean)}). */
    private boolean masks = true;

    /** Files from this size on are read by two threads. */
    static final long PARALLEL_MIN_BYTES = 8L << 20;

    /** The one-thread reader (for tests comparing the two). */
    static List<CocoResult> readResultsSequentially(Path file) throws IOException {
        try (InputStream in = open(file); JsonParser p = JSON.createParser(in)) {
            return new CocoReader(file, p).results();
        } catch (JsonProcessingException e) {
            throw syntax(file, e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        return new java.io.BufferedInputStream(Files.newInputStream(checkIsFile(file)), 1 << 16);
    }

    /**
     * A missing file, a folder or an unreadable file, as one line naming it.
     *
     * @param file the path to check
     * @return {@code file} itself, when it is a readable regular file
     * @throws CocoFormatException when it does not exist, is a folder or cannot be read
     */
    public static Path checkIsFile(Path file) throws CocoFormatException {
        if (Files.isDirectory(file)) {
            throw new CocoFormatException(file, "is a folder, not a file");
        }
        if (!Files.exists(file)) {
            throw new CocoFormatException(file, "no such file");
        }
        if (!Files.isReadable(file)) {
            throw new CocoFormatException(file, "cannot be read (permission denied)");
        }
        return file;
    }

    private static CocoFormatException syntax(Path file, JsonProcessingException e) {
        JsonLocation l = e.getLocation();
        String m = e.getOriginalMessage();
        if (l == null || l.getLineNr() < 1) {
            return new CocoFormatException(file, "malformed JSON: " + m);
        }
        return new CocoFormatException(file, l.getLineNr(), l.getColumnNr(), "malformed JSON: " + m);
    }

    /**
     * The record being read, for messages ("annotation #12 (id 7)"; {@code whereRecord} null
     * outside records), kept as its parts: made into text only for an error (a string per record
     * was most of the ground truth's garbage).
     */
    private String whereRecord;
    private int whereIndex;
    private long whereId;
    private boolean whereHasId;
    private int index;
    /** {@link #numbers}' growing buffer, reused from list to list. */
    private double[] numberBuffer = new double[16];

    /** From now on, messages name the {@code i}-th (1-based) {@code record}. */
    private void at(String record, int i) {
        whereRecord = record;
        whereIndex = i;
        whereHasId = false;
    }

    private String where() {
        return whereRecord + " #" + whereIndex + (whereHasId ? " (id " + whereId + ")" : "");
    }

    private CocoFormatException error(String problem) {
        JsonLocation l = p.currentTokenLocation();
        if (locator != null) {
            long[] lc = locator.apply(base + Math.max(0, l.getByteOffset()));
            return new CocoFormatException(file, lc[0], lc[1], whereRecord == null ? problem : where() + ": " + problem);
        }
        return new CocoFormatException(file, l.getLineNr(), l.getColumnNr(), whereRecord == null ? problem : where() + ": " + problem);
    }

    private CocoDataset dataset() throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new CocoFormatException(file, "the file is empty");
        }
        if (first != JsonToken.START_OBJECT) {
            throw error("expected a JSON object with images, annotations and categories");
        }
        List<CocoImage> images = null;
        List<CocoAnnotation> annotations = null;
        List<CocoCategory> categories = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "images" -> images = list(this::image, "images");
                case "annotations" -> annotations = list(this::annotation, "annotations");
                case "categories" -> categories = list(this::category, "categories");
                default -> p.skipChildren();
            }
        }
        if (images == null) {
            throw new CocoFormatException(file, "no 'images' list: not a COCO instances file");
        }
        if (categories == null) {
            throw new CocoFormatException(file, "no 'categories' list: not a COCO instances file");
        }
        if (annotations == null) {
            annotations = List.of();
        }
        unique(images, CocoImage::id, "image");
        unique(categories, CocoCategory::id, "category");
        unique(annotations, CocoAnnotation::id, "annotation");
        expectEnd();
        return new CocoDataset(images, annotations, categories);
    }

    /** Jackson stops after the first value; anything after it means the file is not what it seems. */
    private void expectEnd() throws IOException {
        if (p.nextToken() != null) {
            throw error("unexpected content after the end of the JSON value");
        }
    }

    /** pycocotools keys its indexes by id: a repeated id silently replaces (or doubles) a record. */
    private <T> void unique(List<T> items, java.util.function.ToLongFunction<T> id, String what) throws CocoFormatException {
        LongIntMap seen = new LongIntMap(items.size());
        for (int i = 0; i < items.size(); i++) {
            long key = id.applyAsLong(items.get(i));
            if (seen.get(key) >= 0) {
                throw new CocoFormatException(file, what + " id " + key + " appears twice (again as "
                        + what + " #" + (i + 1) + ")");
            }
            seen.put(key, i);
        }
    }

    private List<CocoResult> results() throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw new CocoFormatException(file, "the file is empty");
        }
        if (first != JsonToken.START_ARRAY) {
            throw error("expected a JSON list of detections (COCO results format)");
        }
        List<CocoResult> out = new ArrayList<>();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == null) {
                throw error("the list of detections is not closed (truncated file?)");
            }
            at("detection", ++index);
            out.add(result());
            whereRecord = null;
        }
        expectEnd();
        return out;
    }

    interface Item<T> {
        T read() throws IOException;
    }

    private <T> List<T> list(Item<T> item, String what) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error("'" + what + "' must be a list");
        }
        List<T> out = new ArrayList<>();
        String record = what.equals("categories") ? "category" : what.substring(0, what.length() - 1);
        while (p.nextToken() != JsonToken.END_ARRAY) {
            at(record, out.size() + 1);
            out.add(item.read());
        }
        whereRecord = null;
        return out;
    }

    private void expectObject(String what) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error("each entry of '" + what + "' must be an object");
        }
    }

    private CocoImage image() throws IOException {
        expectObject("images");
        Long id = null;
        String name = null;
        int w = -1;
        int h = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "id" -> id = integer("id");
                case "file_name" -> name = p.getValueAsString();
                case "width" -> w = size("width");
                case "height" -> h = size("height");
                default -> p.skipChildren();
            }
        }
        if (id == null) {
            throw error("an image has no 'id'");
        }
        return new CocoImage(id, name, w, h);
    }

    private CocoCategory category() throws IOException {
        expectObject("categories");
        Long id = null;
        String name = null;
        String sup = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "id" -> id = integer("id");
                case "name" -> name = p.getValueAsString();
                case "supercategory" -> sup = p.getValueAsString();
                default -> p.skipChildren();
            }
        }
        if (id == null) {
            throw error("a category has no 'id'");
        }
        return new CocoCategory(id, name, sup);
    }

    private CocoAnnotation annotation() throws IOException {
        expectObject("annotations");
        long id = 0;
        long imageId = 0;
        long categoryId = 0;
        boolean hasImage = false;
        boolean hasCategory = false;
        double[] bbox = null;
        double area = Double.NaN;
        boolean crowd = false;
        Segmentation seg = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "id" -> {
                    id = integer("id");
                    whereId = id;
                    whereHasId = true;
                }
                case "image_id" -> {
                    imageId = integer("image_id");
                    hasImage = true;
                }
                case "category_id" -> {
                    categoryId = integer("category_id");
                    hasCategory = true;
                }
                case "bbox" -> bbox = numbers("bbox");
                case "area" -> area = number("area");
                case "iscrowd" -> crowd = iscrowd();
                case "segmentation" -> {
                    if (masks) {
                        seg = segmentation();
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (!hasImage || !hasCategory) {
            throw error("lacks image_id or category_id");
        }
        if (bbox != null && bbox.length != 4) {
            throw error("bbox must have 4 numbers, got " + bbox.length);
        }
        return new CocoAnnotation(id, imageId, categoryId, bbox, area, crowd, seg);
    }

    private CocoResult result() throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error("each detection must be an object");
        }
        Long imageId = null;
        Long categoryId = null;
        double[] bbox = null;
        double score = Double.NaN;
        Segmentation seg = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "image_id" -> imageId = integer("image_id");
                case "category_id" -> categoryId = integer("category_id");
                case "bbox" -> bbox = numbers("bbox");
                case "score" -> score = number("score");
                case "segmentation" -> {
                    if (masks) {
                        seg = segmentation();
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (imageId == null || categoryId == null) {
            throw error("lacks image_id or category_id");
        }
        if (Double.isNaN(score)) {
            throw error("(image " + imageId + ") has no numeric score");
        }
        if (bbox != null && bbox.length != 4) {
            throw error("(image " + imageId + ") bbox must have 4 numbers, got " + bbox.length);
        }
        if (bbox != null && (bbox[2] < 0 || bbox[3] < 0)) {
            throw error("(image " + imageId + ") bbox " + java.util.Arrays.toString(bbox) + " has a negative width or height");
        }
        if (bbox == null && seg == null) {
            throw error("(image " + imageId + ") has neither bbox nor segmentation");
        }
        return new CocoResult(imageId, categoryId, bbox, score, seg);
    }

    private Segmentation segmentation() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t == JsonToken.START_ARRAY) {
            List<double[]> parts = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                parts.add(numbers("segmentation polygon"));
            }
            return new Segmentation.Polygons(parts.toArray(new double[0][]));
        }
        if (t != JsonToken.START_OBJECT) {
            throw error("segmentation must be a list of polygons or an RLE object");
        }
        int[] size = null;
        int[] counts = null;
        String compressed = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            switch (f) {
                case "size" -> {
                    double[] s = numbers("size");
                    if (s.length != 2 || !isCount(s[0]) || !isCount(s[1])) {
                        throw error("RLE size must be [h, w], two non-negative integers, got " + java.util.Arrays.toString(s));
                    }
                    size = new int[] {(int) s[0], (int) s[1]};
                }
                case "counts" -> {
                    if (p.currentToken() == JsonToken.VALUE_STRING) {
                        compressed = p.getText();
                    } else {
                        double[] c = numbers("counts");
                        counts = new int[c.length];
                        for (int i = 0; i < c.length; i++) {
                            if (!isCount(c[i])) {
                                throw error("RLE counts must be non-negative integers, got " + c[i]);
                            }
                            counts[i] = (int) c[i];
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (size == null || (counts == null && compressed == null)) {
            throw error("RLE segmentation needs 'size' and 'counts'");
        }
        return compressed != null
                ? new Segmentation.CompressedRle(size[0], size[1], compressed)
                : new Segmentation.UncompressedRle(size[0], size[1], counts);
    }

    private long integer(String what) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return p.getLongValue();
        }
        if (t == JsonToken.VALUE_NUMBER_FLOAT && p.getDoubleValue() == Math.rint(p.getDoubleValue())
                && Math.abs(p.getDoubleValue()) < 0x1p53) {
            return (long) p.getDoubleValue();
        }
        throw error("'" + what + "' must be an integer, got " + p.getText());
    }

    /** An image's width or height: a non-negative int. */
    private int size(String what) throws IOException {
        long v = integer(what);
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw error("'" + what + "' must be a non-negative integer, got " + p.getText());
        }
        return (int) v;
    }

    private static boolean isCount(double v) {
        return v >= 0 && v <= Integer.MAX_VALUE && v == Math.rint(v);
    }

    /** pycocotools tests {@code iscrowd} for truth and casts it with int(): only 0, 1, true, false mean one thing. */
    private boolean iscrowd() throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
            return t == JsonToken.VALUE_TRUE;
        }
        if (t.isNumeric() && (p.getDoubleValue() == 0 || p.getDoubleValue() == 1)) {
            return p.getDoubleValue() == 1;
        }
        throw error("'iscrowd' must be 0, 1, true or false, got " + (t == JsonToken.VALUE_STRING ? "\"" + p.getText() + "\"" : p.getText()));
    }

    private double number(String what) throws IOException {
        if (!p.currentToken().isNumeric()) {
            throw error("'" + what + "' must be a number, got " + p.getText());
        }
        return finite(what);
    }

    /** The current number, which must be finite (NaN and Infinity are accepted by the parser only to be named here). */
    private double finite(String what) throws IOException {
        double v = p.getDoubleValue();
        if (!Double.isFinite(v)) {
            throw error("'" + what + "' holds " + p.getText() + ", not a finite number");
        }
        return v;
    }

    private double[] numbers(String what) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error("'" + what + "' must be a list of numbers");
        }
        double[] buf = numberBuffer;
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (!p.currentToken().isNumeric()) {
                throw error("'" + what + "' must hold only numbers, got " + p.getText());
            }
            if (n == buf.length) {
                buf = java.util.Arrays.copyOf(buf, n * 2);
                numberBuffer = buf;
            }
            buf[n++] = finite(what);
        }
        return java.util.Arrays.copyOf(buf, n);
    }
}
