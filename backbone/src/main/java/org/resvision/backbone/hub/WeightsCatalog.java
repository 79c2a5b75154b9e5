package org.resvision.backbone.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The checkpoints torchvision 0.14 publishes for the architectures ResVision has: resnet18..152,
 * resnext50_32x4d, wide_resnet50_2 (ImageNet), fasterrcnn_resnet50_fpn and _v2 (COCO),
 * fcn_resnet50 and fcn_resnet101 (COCO with VOC labels). The facts are in {@code catalog.json},
 * written by {@code tools/reference/parity/weights_catalog.py} from torchvision's {@code Weights} enums
 * (a test runs it again and compares).
 *
 * <p>Names: {@code MODEL:WEIGHTS} ({@code resnet50:IMAGENET1K_V2}), {@code MODEL} alone for its
 * default weights, or torchvision's enum spelling ({@code ResNet50_Weights.IMAGENET1K_V2},
 * {@code ResNet50_Weights.DEFAULT}). Case matters for none of them.
 *
 * <p>Immutable; safe to share between threads ({@link #get()} loads the shared instance once, under
 * a lock). The {@code metrics} maps of its entries are the one modifiable part: do not modify them.
 */
public final class WeightsCatalog {

    private static final String RESOURCE = "catalog.json";
    private static volatile WeightsCatalog instance;

    private final String source;
    private final List<PublishedWeights> entries;

    private WeightsCatalog(String source, List<PublishedWeights> entries) {
        this.source = source;
        this.entries = List.copyOf(entries);
    }

    /**
     * The catalog shipped in this jar.
     *
     * @return the process-wide instance, read on the first call (and the first after {@link
     *     #reload()}): the jar's {@code catalog.json}, plus the entries of the file named by {@code
     *     -Dresvision.weights.catalog} or {@code RESVISION_WEIGHTS_CATALOG} when one is set
     * @throws IllegalStateException the jar lacks {@code catalog.json}
     * @throws java.io.UncheckedIOException the jar's catalog cannot be read
     * @throws IllegalArgumentException the extra catalog cannot be read, or defines an id again
     */
    public static WeightsCatalog get() {
        WeightsCatalog c = instance;
        if (c == null) {
            synchronized (WeightsCatalog.class) {
                c = instance;
                if (c == null) {
                    try (InputStream in = WeightsCatalog.class.getResourceAsStream(RESOURCE)) {
                        if (in == null) {
                            throw new IllegalStateException("resvision-backbone jar lacks " + RESOURCE);
                        }
                        c = parse(new ObjectMapper().readTree(in));
                    } catch (IOException e) {
                        throw new UncheckedIOException("reading the weights catalog", e);
                    }
                    String extra = System.getProperty("resvision.weights.catalog", System.getenv("RESVISION_WEIGHTS_CATALOG"));
                    if (extra != null && !extra.isBlank()) {
                        c = c.with(readFile(java.nio.file.Path.of(extra)));
                    }
                    instance = c;
                }
            }
        }
        return c;
    }

    /**
     * A catalog of one's own checkpoints, in {@code catalog.json}'s format (its {@code weights}
     * and {@code categories}), added to the shipped one by {@code -Dresvision.weights.catalog=FILE}
     * or {@code RESVISION_WEIGHTS_CATALOG=FILE}.
     *
     * @param file a JSON file in {@code catalog.json}'s format
     * @return a new catalog of that file's entries only
     * @throws IllegalArgumentException the file cannot be read or parsed, or an entry names a
     *     category set the file does not define
     */
    public static WeightsCatalog readFile(java.nio.file.Path file) {
        try {
            return parse(new ObjectMapper().readTree(file.toFile()));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a weights catalog: " + e.getMessage(), e);
        }
    }

    /**
     * This catalog and {@code other}'s entries after it; an id in both is an error.
     *
     * @param other the catalog to append
     * @return a new catalog whose {@link #source()} is both sources joined by {@code " + "}
     * @throws IllegalArgumentException an id of {@code other} is also in this catalog (compared
     *     case-insensitively)
     */
    public WeightsCatalog with(WeightsCatalog other) {
        List<PublishedWeights> all = new ArrayList<>(entries);
        for (PublishedWeights w : other.entries) {
            if (entries.stream().anyMatch(e -> e.id().equalsIgnoreCase(w.id()))) {
                throw new IllegalArgumentException("weights catalog: " + w.id() + " is defined twice");
            }
            all.add(w);
        }
        return new WeightsCatalog(source + " + " + other.source, all);
    }

    /** Forgets the loaded catalog: the next {@link #get()} reads it again (after {@code resvision.weights.catalog} changed). */
    public static synchronized void reload() {
        instance = null;
    }

    /**
     * Parses a catalog document (the format {@code weights_catalog.py} writes).
     *
     * @param doc the JSON root: {@code source}, {@code categories} (set name -&gt; names) and {@code
     *     weights} (the entries); a missing field of an entry reads as empty, 0 or false
     * @return a new catalog, entries in document order
     * @throws IllegalArgumentException an entry names a category set that {@code categories} lacks
     */
    public static WeightsCatalog parse(JsonNode doc) {
        Map<String, List<String>> sets = new LinkedHashMap<>();
        doc.path("categories").fields().forEachRemaining(e -> sets.put(e.getKey(), strings(e.getValue())));
        List<PublishedWeights> list = new ArrayList<>();
        for (JsonNode w : doc.path("weights")) {
            Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
            w.path("metrics").fields().forEachRemaining(d -> {
                Map<String, Double> m = new LinkedHashMap<>();
                d.getValue().fields().forEachRemaining(v -> m.put(v.getKey(), v.getValue().asDouble()));
                metrics.put(d.getKey(), m);
            });
            JsonNode t = w.path("transform");
            PublishedWeights.Transform transform = new PublishedWeights.Transform(t.path("kind").asText(), ints(t.path("resize_size")),
                    ints(t.path("crop_size")), doubles(t.path("mean")), doubles(t.path("std")), t.path("interpolation").asText(""));
            String set = w.path("categories").asText();
            List<String> categories = sets.get(set);
            if (categories == null) {
                throw new IllegalArgumentException("weights catalog: " + w.path("model").asText() + " names unknown categories '" + set + "'");
            }
            list.add(new PublishedWeights(w.path("model").asText(), w.path("weights").asText(), w.path("enum").asText(),
                    w.path("default").asBoolean(), w.path("task").asText(), w.path("url").asText(), w.path("file_name").asText(),
                    w.path("hash_prefix").asText(), w.path("num_params").asLong(), ints(w.path("min_size")), metrics,
                    w.path("recipe").asText(), transform, set, categories));
        }
        return new WeightsCatalog(doc.path("source").asText(), list);
    }

    /**
     * Where the facts come from ({@code torchvision 0.14.1a0}).
     *
     * @return the document's {@code source}; for a combined catalog, each source joined by {@code
     *     " + "}
     */
    public String source() {
        return source;
    }

    /**
     * Every entry, in torchvision's order (by model, then enum order).
     *
     * @return an unmodifiable list; entries of an added catalog come after the shipped ones
     */
    public List<PublishedWeights> entries() {
        return entries;
    }

    /**
     * The model names, in catalog order.
     *
     * @return a new unmodifiable list, each name once
     */
    public List<String> models() {
        Set<String> names = new LinkedHashSet<>();
        entries.forEach(e -> names.add(e.model()));
        return List.copyOf(names);
    }

    /**
     * The entries of one task ({@code detection}, ...).
     *
     * @param task {@code classification}, {@code detection} or {@code segmentation}; compared
     *     exactly (case-sensitive)
     * @return a new unmodifiable list in catalog order; empty when no entry has that task
     */
    public List<PublishedWeights> ofTask(String task) {
        return entries.stream().filter(e -> e.task().equals(task)).toList();
    }

    /**
     * Whether {@code spec} reads as a catalog name rather than a file path: no path separator, no
     * file extension, and its model part names a model of the catalog.
     *
     * @param spec what the user typed; may be {@code null}
     * @return {@code true} when it names an entry, or at least a model of the catalog (whose weights
     *     may then be unknown: {@link #find} says which exist); {@code false} for {@code null},
     *     empty, or anything with a slash, a backslash or a {@code .pth}, {@code .pt} or {@code
     *     .safetensors} ending
     */
    public boolean isName(String spec) {
        if (spec == null || spec.isEmpty() || spec.contains("/") || spec.contains("\\") || spec.endsWith(".pth")
                || spec.endsWith(".pt") || spec.endsWith(".safetensors")) {
            return false;
        }
        return lookup(spec) != null || models().contains(modelPart(spec));
    }

    /**
     * The entry a name denotes.
     *
     * @param spec {@code MODEL}, {@code MODEL:WEIGHTS} or {@code Enum_Weights.MEMBER}, in any case;
     *     surrounding spaces are ignored; {@code DEFAULT} as weights or member picks the model's default
     * @return the matching entry
     * @throws IllegalArgumentException "unknown weights 'X'; did you mean ...?" listing the
     *     closest names (or the model's weights, when the model is known)
     */
    public PublishedWeights find(String spec) {
        PublishedWeights e = lookup(spec);
        if (e != null) {
            return e;
        }
        String model = modelPart(spec);
        List<PublishedWeights> ofModel = entries.stream().filter(w -> w.model().equalsIgnoreCase(model)).toList();
        if (!ofModel.isEmpty()) {
            throw new IllegalArgumentException("unknown weights '" + spec + "': " + model + " has "
                    + String.join(", ", ofModel.stream().map(PublishedWeights::id).toList()));
        }
        throw new IllegalArgumentException("unknown weights '" + spec + "'; closest: " + String.join(", ", closest(spec, 3))
                + " ('resvision weights list' shows all)");
    }

    private PublishedWeights lookup(String spec) {
        String s = spec.trim();
        int dot = s.indexOf('.');
        if (dot > 0 && s.substring(0, dot).toLowerCase(Locale.ROOT).endsWith("_weights")) {
            // torchvision's enum spelling: ResNet50_Weights.IMAGENET1K_V2
            String enumName = s.substring(0, dot);
            String member = s.substring(dot + 1);
            for (PublishedWeights w : entries) {
                if (w.enumName().equalsIgnoreCase(enumName)
                        && (w.weights().equalsIgnoreCase(member) || member.equalsIgnoreCase("DEFAULT") && w.isDefault())) {
                    return w;
                }
            }
            return null;
        }
        String model = modelPart(s);
        String weights = s.contains(":") ? s.substring(s.indexOf(':') + 1) : "DEFAULT";
        for (PublishedWeights w : entries) {
            if (w.model().equalsIgnoreCase(model)
                    && (w.weights().equalsIgnoreCase(weights) || weights.equalsIgnoreCase("DEFAULT") && w.isDefault())) {
                return w;
            }
        }
        return null;
    }

    private static String modelPart(String spec) {
        int colon = spec.indexOf(':');
        return (colon < 0 ? spec : spec.substring(0, colon)).trim();
    }

    /**
     * The {@code n} catalog ids closest to {@code spec} by edit distance.
     *
     * @param spec any text; compared case-insensitively with each whole id and with its model part,
     *     the smaller distance counting
     * @param n the most ids to return
     * @return at most {@code n} ids, closest first, ties in {@code String} order
     */
    public List<String> closest(String spec, int n) {
        String s = spec.toLowerCase(Locale.ROOT);
        return entries.stream().map(PublishedWeights::id)
                .sorted(Comparator.comparingInt((String id) -> Math.min(distance(s, id.toLowerCase(Locale.ROOT)),
                        distance(s, id.substring(0, id.indexOf(':')).toLowerCase(Locale.ROOT)))).thenComparing(id -> id))
                .limit(n).toList();
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(v -> out.add(v.asText()));
        return List.copyOf(out);
    }

    private static List<Integer> ints(JsonNode a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(v -> out.add(v.asInt()));
        return List.copyOf(out);
    }

    private static List<Double> doubles(JsonNode a) {
        List<Double> out = new ArrayList<>();
        a.forEach(v -> out.add(v.asDouble()));
        return List.copyOf(out);
    }
}
