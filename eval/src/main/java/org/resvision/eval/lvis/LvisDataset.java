package org.resvision.eval.lvis;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoFormatException;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;

/**
 * An LVIS ground truth: the COCO part ({@link CocoReader#readDataset}) plus what LVIS adds: per
 * image {@code neg_category_ids} and {@code not_exhaustive_category_ids}, per category
 * {@code frequency} ({@code r}, {@code c} or {@code f}), and the annotations' optional
 * {@code ignore} flag (lvis-api honours it). Immutable once built; thread-safe.
 */
public final class LvisDataset {

    private final CocoDataset coco;
    private final Map<Long, long[]> neg;
    private final Map<Long, long[]> notExhaustive;
    private final Map<Long, Character> frequency;
    private final Set<Long> ignored;

    /**
     * @param coco the COCO part
     * @param neg per image id, the categories verified absent; every image of {@code coco} needs an entry
     * @param notExhaustive per image id, the categories not exhaustively annotated; every image needs one
     * @param frequency per category id, {@code 'r'}, {@code 'c'} or {@code 'f'}; every category needs one
     * @param ignored annotation ids whose {@code ignore} flag is set
     * @throws IllegalArgumentException (one line, naming the record) for a missing entry, a frequency
     *     other than r/c/f, or a category id in a list that is not a category
     */
    public LvisDataset(CocoDataset coco, Map<Long, long[]> neg, Map<Long, long[]> notExhaustive,
            Map<Long, Character> frequency, Set<Long> ignored) {
        this.coco = coco;
        this.neg = Map.copyOf(neg);
        this.notExhaustive = Map.copyOf(notExhaustive);
        this.frequency = Map.copyOf(frequency);
        this.ignored = Set.copyOf(ignored);
        String problem = problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    private String problem() {
        List<CocoCategory> cats = coco.categories();
        for (int i = 0; i < cats.size(); i++) {
            Character f = frequency.get(cats.get(i).id());
            if (f == null) {
                return "category #" + (i + 1) + " (id " + cats.get(i).id() + ") has no 'frequency' (r, c or f), which LVIS evaluation needs";
            }
            if (f != 'r' && f != 'c' && f != 'f') {
                return "category #" + (i + 1) + " (id " + cats.get(i).id() + ") has frequency '" + f + "', not r, c or f";
            }
        }
        List<CocoImage> imgs = coco.images();
        for (int i = 0; i < imgs.size(); i++) {
            long id = imgs.get(i).id();
            for (String what : new String[] {"neg_category_ids", "not_exhaustive_category_ids"}) {
                long[] l = (what.startsWith("neg") ? neg : notExhaustive).get(id);
                if (l == null) {
                    return "image #" + (i + 1) + " (id " + id + ") has no '" + what + "', which LVIS evaluation needs";
                }
                for (long c : l) {
                    if (coco.category(c) == null) {
                        return "image #" + (i + 1) + " (id " + id + "): " + what + " holds " + c + ", which is not a category";
                    }
                }
            }
        }
        return null;
    }

    /**
     * The COCO part.
     *
     * @return images, annotations and categories, the object given (not copied)
     */
    public CocoDataset coco() {
        return coco;
    }

    /**
     * The image's {@code neg_category_ids} (do not modify).
     *
     * @param imageId a COCO image id
     * @return the category ids verified absent from the image, the array itself (shared, not a
     *     copy); null for an id that is not an image of {@link #coco()}
     */
    public long[] negCategoryIds(long imageId) {
        return neg.get(imageId);
    }

    /**
     * The image's {@code not_exhaustive_category_ids} (do not modify).
     *
     * @param imageId a COCO image id
     * @return the category ids not exhaustively annotated in the image, the array itself (shared,
     *     not a copy); null for an id that is not an image of {@link #coco()}
     */
    public long[] notExhaustiveCategoryIds(long imageId) {
        return notExhaustive.get(imageId);
    }

    /**
     * The category's frequency group: {@code 'r'}, {@code 'c'} or {@code 'f'}.
     *
     * @param categoryId a category id of {@link #coco()}; any other is a {@link NullPointerException}
     * @return {@code 'r'} (rare), {@code 'c'} (common) or {@code 'f'} (frequent)
     */
    public char frequency(long categoryId) {
        return frequency.get(categoryId);
    }

    /**
     * Whether the annotation carries a true {@code ignore} flag.
     *
     * @param annotationId an annotation id (an unknown one is simply not ignored)
     * @return true when the file's {@code ignore} was {@code true} or a non-zero number
     */
    public boolean ignored(long annotationId) {
        return ignored.contains(annotationId);
    }

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /**
     * Reads an LVIS annotation file: {@link CocoReader#readDataset}, then one streaming pass for the
     * LVIS fields. A missing {@code frequency}, {@code neg_category_ids} or
     * {@code not_exhaustive_category_ids}, or an unknown category id in those lists, is a
     * {@link CocoFormatException} naming the file and the record.
     *
     * @param file an LVIS v1 annotation JSON file
     * @return the dataset
     * @throws IOException when the file cannot be read; a {@link CocoFormatException} (a subclass)
     *     when it is not valid JSON or not a valid COCO or LVIS file
     */
    public static LvisDataset read(Path file) throws IOException {
        CocoDataset coco = CocoReader.readDataset(file);
        Map<Long, long[]> neg = new HashMap<>();
        Map<Long, long[]> ne = new HashMap<>();
        Map<Long, Character> freq = new HashMap<>();
        Set<Long> ignored = new HashSet<>();
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16);
                JsonParser p = JSON.createParser(in)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!(field.equals("images") || field.equals("categories") || field.equals("annotations"))
                        || p.currentToken() != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                int index = 0;
                while (p.nextToken() == JsonToken.START_OBJECT) {
                    index++;
                    Long id = null;
                    long[] n = null;
                    long[] x = null;
                    String f = null;
                    boolean ig = false;
                    JsonLocation at = p.currentTokenLocation();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String name = p.currentName();
                        JsonToken t = p.nextToken();
                        switch (name) {
                            case "id" -> id = p.getValueAsLong();
                            case "neg_category_ids", "not_exhaustive_category_ids" -> {
                                if (!field.equals("images")) {
                                    p.skipChildren();
                                    break;
                                }
                                if (t != JsonToken.START_ARRAY) {
                                    throw new CocoFormatException(file, at.getLineNr(), at.getColumnNr(),
                                            "image #" + index + ": '" + name + "' must be a list of category ids");
                                }
                                List<Long> l = new ArrayList<>();
                                while (p.nextToken() != JsonToken.END_ARRAY) {
                                    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                                        throw new CocoFormatException(file, at.getLineNr(), at.getColumnNr(),
                                                "image #" + index + ": '" + name + "' must be a list of category ids");
                                    }
                                    l.add(p.getLongValue());
                                }
                                long[] a = l.stream().mapToLong(Long::longValue).toArray();
                                if (name.startsWith("neg")) {
                                    n = a;
                                } else {
                                    x = a;
                                }
                            }
                            case "frequency" -> {
                                if (field.equals("categories")) {
                                    f = t == JsonToken.VALUE_STRING ? p.getText() : "<" + t + ">";
                                } else {
                                    p.skipChildren();
                                }
                            }
                            case "ignore" -> {
                                if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                                    ig = t == JsonToken.VALUE_TRUE;
                                } else if (t.isNumeric()) {
                                    ig = p.getDoubleValue() != 0; // Python truthiness
                                } else {
                                    p.skipChildren();
                                }
                            }
                            default -> p.skipChildren();
                        }
                    }
                    if (id == null) {
                        continue; // CocoReader has already refused it
                    }
                    switch (field) {
                        case "images" -> {
                            if (n != null) {
                                neg.put(id, n);
                            }
                            if (x != null) {
                                ne.put(id, x);
                            }
                        }
                        case "categories" -> {
                            if (f != null) {
                                if (f.length() != 1) {
                                    throw new CocoFormatException(file, at.getLineNr(), at.getColumnNr(),
                                            "category #" + index + " (id " + id + ") has frequency '" + f + "', not r, c or f");
                                }
                                freq.put(id, f.charAt(0));
                            }
                        }
                        default -> {
                            if (ig) {
                                ignored.add(id);
                            }
                        }
                    }
                }
            }
        } catch (JsonProcessingException e) {
            throw new CocoFormatException(file, "malformed JSON: " + e.getOriginalMessage());
        }
        try {
            return new LvisDataset(coco, neg, ne, freq, ignored);
        } catch (IllegalArgumentException e) {
            throw new CocoFormatException(file, e.getMessage());
        }
    }
}
