package org.resvision.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.resvision.data.voc.VocAnnotation;
import org.resvision.data.voc.VocObject;
import org.resvision.data.voc.VocReader;
import org.resvision.eval.voc.VocEvaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code resvision voc-eval}: PASCAL VOC detection AP per class and mAP. */
@Command(name = "voc-eval", header = "PASCAL VOC detection AP per class and mAP (07 11-point or 12 all-point)",
        description = {
            "DIR is a VOC folder (Annotations/, ImageSets/Main/<split>.txt). Results are either a folder of devkit files, one"
                + " per class, named *<class>.txt with lines 'image_id score x1 y1 x2 y2', or a JSON list of {\"image_id\":"
                + " \"000001\", \"category\": \"dog\", \"score\": 0.9, \"bbox\": [x1, y1, x2, y2]}; boxes in VOC's 1-based"
                + " inclusive pixels. Objects marked difficult are ignored.",
            "Classes: DIR/labels.txt when present (as 'resvision synth --format voc' writes it), else VOC's 20 when every name"
                + " found is one of them, else the names found in the annotations and JSON results, sorted."})
public final class VocEvalCommand extends CliCommand {

    @Option(names = "--voc", paramLabel = "DIR", required = true, description = "the VOC folder")
    Path root;

    @Option(names = "--split", paramLabel = "SPLIT", description = "the image set (default: ${DEFAULT-VALUE})")
    String split = "test";

    @Option(names = "--results", paramLabel = "DIR_OR_JSON", required = true, description = "the detections")
    Path results;

    @Option(names = "--metric", paramLabel = "07|12", description = "07: 11-point AP (VOC2007); 12: all-point (default: ${DEFAULT-VALUE})")
    String metricName = "12";

    @Option(names = "--iou", paramLabel = "T", description = "the overlap a match needs, in (0, 1] (default: ${DEFAULT-VALUE})")
    float iou = 0.5f;

    @Override
    protected int call() throws Exception {
        VocEvaluator.Metric metric = switch (metricName) {
            case "07" -> VocEvaluator.Metric.VOC07_11_POINT;
            case "12" -> VocEvaluator.Metric.VOC12_ALL_POINT;
            default -> throw new UsageException("--metric must be 07 or 12");
        };
        if (!(iou > 0 && iou <= 1)) {
            throw new UsageException("--iou must be a number in (0, 1], got " + raw("--iou"));
        }
        List<String> ids = VocReader.split(root, split);
        List<VocAnnotation> annotations = new ArrayList<>();
        for (String id : ids) {
            annotations.add(VocReader.annotation(root, id));
        }
        List<Named> named = Files.isDirectory(results) ? null : readJson(results);
        List<String> classes = classes(root, annotations, named);
        List<VocEvaluator.GroundTruth> gts = new ArrayList<>();
        for (VocAnnotation a : annotations) {
            for (VocObject o : a.objects()) {
                int c = classes.indexOf(o.name());
                if (c < 0) {
                    throw new IOException(root.resolve("Annotations/" + a.imageId() + ".xml") + ": class '" + o.name()
                            + "' is not in " + root.resolve("labels.txt"));
                }
                gts.add(new VocEvaluator.GroundTruth(a.imageId(), c, o.box(), o.difficult()));
            }
        }
        List<VocEvaluator.Detection> dets = named == null ? readDevkit(results, classes) : indexed(named, classes, results, root);
        Set<String> idSet = new java.util.HashSet<>(ids);
        for (VocEvaluator.Detection d : dets) {
            if (!idSet.contains(d.imageId())) {
                throw new IOException(results + ": a detection is for image '" + d.imageId() + "', which is not in split " + split);
            }
        }
        VocEvaluator.Result r = VocEvaluator.evaluate(classes, gts, dets, iou, metric, true);
        System.out.println(VocEvaluator.table(r));
        return 0;
    }

    /**
     * The folder's labels.txt when it has one; else VOC's 20 classes when every name in the
     * annotations and results is one of them; else those names, sorted.
     */
    static List<String> classes(Path root, List<VocAnnotation> annotations, List<Named> results) throws IOException {
        List<String> labels = VocReader.labels(root);
        if (labels != null) {
            return labels;
        }
        Set<String> found = new java.util.TreeSet<>();
        for (VocAnnotation a : annotations) {
            for (VocObject o : a.objects()) {
                found.add(o.name());
            }
        }
        if (results != null) {
            for (Named d : results) {
                found.add(d.category());
            }
        }
        return VocReader.VOC_CLASSES.containsAll(found) ? VocReader.VOC_CLASSES : List.copyOf(found);
    }

    /** A JSON detection before its class is known. */
    record Named(String imageId, String category, double score, double[] box) {}

    private static List<VocEvaluator.Detection> indexed(List<Named> named, List<String> classes, Path file, Path root) throws IOException {
        List<VocEvaluator.Detection> out = new ArrayList<>();
        for (int i = 0; i < named.size(); i++) {
            Named d = named.get(i);
            int c = classes.indexOf(d.category());
            if (c < 0) {
                throw new IOException(file + ": detection #" + (i + 1) + ": category '" + d.category() + "' is not in "
                        + root.resolve("labels.txt"));
            }
            out.add(new VocEvaluator.Detection(d.imageId(), c, d.score(), d.box()));
        }
        return out;
    }

    static List<VocEvaluator.Detection> readDevkit(Path dir, List<String> classes) throws IOException {
        List<VocEvaluator.Detection> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".txt")).sorted().toList()) {
                String stem = f.getFileName().toString().replaceFirst("\\.txt$", "");
                int c = -1;
                for (int i = 0; i < classes.size(); i++) {
                    if (stem.equals(classes.get(i)) || stem.endsWith("_" + classes.get(i))) {
                        c = i;
                    }
                }
                if (c < 0) {
                    throw new IOException(f + ": file name names no class of " + classes);
                }
                int lineNo = 0;
                for (String line : VocReader.lines(f)) {
                    lineNo++;
                    String[] t = line.trim().split("\\s+");
                    if (t.length == 1 && t[0].isEmpty()) {
                        continue;
                    }
                    if (t.length != 6) {
                        throw new IOException(f + ":" + lineNo + ": expected 'image_id score x1 y1 x2 y2'");
                    }
                    double[] v = new double[5];
                    for (int i = 0; i < 5; i++) {
                        try {
                            v[i] = Double.parseDouble(t[i + 1]);
                        } catch (NumberFormatException e) {
                            v[i] = Double.NaN;
                        }
                    }
                    String problem = problem(v[0], new double[] {v[1], v[2], v[3], v[4]});
                    if (problem != null) {
                        throw new IOException(f + ":" + lineNo + ": " + problem);
                    }
                    out.add(new VocEvaluator.Detection(t[0], c, v[0], new double[] {v[1], v[2], v[3], v[4]}));
                }
            }
        }
        return out;
    }

    static List<Named> readJson(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(file + ": no such file");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            com.fasterxml.jackson.core.JsonLocation l = e.getLocation();
            throw new IOException(file + (l == null ? "" : ":" + l.getLineNr() + ":" + l.getColumnNr())
                    + ": malformed JSON: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new IOException(file + ": the file is empty");
        }
        if (!root.isArray()) {
            throw new IOException(file + ": expected a JSON list of detections");
        }
        List<Named> out = new ArrayList<>();
        int i = 0;
        for (JsonNode d : root) {
            i++;
            JsonNode bb = d.get("bbox");
            if (!d.path("category").isTextual() || bb == null || !bb.isArray() || bb.size() != 4 || !d.has("image_id")
                    || !d.path("score").isNumber()) {
                throw new IOException(file + ": detection #" + i + " needs image_id, category (a class name), score and bbox [x1, y1, x2, y2]");
            }
            double[] box = new double[4];
            for (int k = 0; k < 4; k++) {
                box[k] = bb.get(k).isNumber() ? bb.get(k).asDouble() : Double.NaN;
            }
            String problem = problem(d.get("score").asDouble(), box);
            if (problem != null) {
                throw new IOException(file + ": detection #" + i + ": " + problem);
            }
            out.add(new Named(d.get("image_id").asText(), d.get("category").asText(), d.get("score").asDouble(), box));
        }
        return out;
    }

    /** Why a detection's numbers mean nothing (NaN, infinite, a box with x2 < x1 or y2 < y1), or null. */
    private static String problem(double score, double[] box) {
        if (!Double.isFinite(score)) {
            return "score must be a finite number";
        }
        for (double v : box) {
            if (!Double.isFinite(v)) {
                return "bbox must be four finite numbers";
            }
        }
        if (box[2] < box[0] || box[3] < box[1]) {
            return "bbox " + java.util.Arrays.toString(box) + " has x2 < x1 or y2 < y1";
        }
        return null;
    }
}
