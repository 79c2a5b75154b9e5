package org.resvision.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

/** {@code resvision voc-eval}: PASCAL VOC detection AP per class and mAP. */
public final class VocEvalCommand implements Command {

    static final String USAGE = String.join("\n",
            "usage: resvision voc-eval --voc DIR --split test --results DIR_OR_JSON [--metric 07|12] [--iou 0.5]",
            "  DIR is a VOC folder (Annotations/, ImageSets/Main/<split>.txt). Results are either a folder of",
            "  devkit files, one per class, named *<class>.txt with lines 'image_id score x1 y1 x2 y2', or a JSON",
            "  list of {\"image_id\": \"000001\", \"category\": \"dog\", \"score\": 0.9, \"bbox\": [x1, y1, x2, y2]};",
            "  boxes in VOC's 1-based inclusive pixels. --metric 07: 11-point AP (VOC2007); 12 (default): all-point.",
            "  Objects marked difficult are ignored. Classes: the 20 VOC classes.");

    @Override
    public String name() {
        return "voc-eval";
    }

    @Override
    public String summary() {
        return "PASCAL VOC detection AP per class and mAP (07 11-point or 12 all-point)";
    }

    @Override
    public String usage() {
        return USAGE;
    }

    @Override
    public int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("voc", "split", "results", "metric", "iou"), Set.of(), USAGE);
        Path root = Path.of(args.require("voc"));
        String split = args.get("split", "test");
        Path results = Path.of(args.require("results"));
        VocEvaluator.Metric metric = switch (args.get("metric", "12")) {
            case "07" -> VocEvaluator.Metric.VOC07_11_POINT;
            case "12" -> VocEvaluator.Metric.VOC12_ALL_POINT;
            default -> throw new UsageException("--metric must be 07 or 12");
        };
        List<String> classes = VocReader.VOC_CLASSES;
        List<VocEvaluator.GroundTruth> gts = new ArrayList<>();
        List<String> ids = VocReader.split(root, split);
        Set<String> idSet = new java.util.HashSet<>(ids);
        for (String id : ids) {
            VocAnnotation a = VocReader.annotation(root, id);
            for (VocObject o : a.objects()) {
                int c = classes.indexOf(o.name());
                if (c < 0) {
                    throw new IOException(root.resolve("Annotations/" + id + ".xml") + ": unknown class '" + o.name() + "'");
                }
                gts.add(new VocEvaluator.GroundTruth(id, c, o.box(), o.difficult()));
            }
        }
        List<VocEvaluator.Detection> dets = Files.isDirectory(results) ? readDevkit(results, classes) : readJson(results, classes);
        for (VocEvaluator.Detection d : dets) {
            if (!idSet.contains(d.imageId())) {
                throw new IOException(results + ": a detection is for image '" + d.imageId() + "', which is not in split " + split);
            }
        }
        VocEvaluator.Result r = VocEvaluator.evaluate(classes, gts, dets, args.getFloat("iou", 0.5f), metric, true);
        System.out.println(VocEvaluator.table(r));
        return 0;
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
                    throw new IOException(f + ": file name names no VOC class");
                }
                int lineNo = 0;
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    lineNo++;
                    String[] t = line.trim().split("\\s+");
                    if (t.length == 1 && t[0].isEmpty()) {
                        continue;
                    }
                    if (t.length != 6) {
                        throw new IOException(f + ":" + lineNo + ": expected 'image_id score x1 y1 x2 y2'");
                    }
                    try {
                        out.add(new VocEvaluator.Detection(t[0], c, Double.parseDouble(t[1]), new double[] {
                            Double.parseDouble(t[2]), Double.parseDouble(t[3]), Double.parseDouble(t[4]), Double.parseDouble(t[5])}));
                    } catch (NumberFormatException e) {
                        throw new IOException(f + ":" + lineNo + ": not a number: " + e.getMessage());
                    }
                }
            }
        }
        return out;
    }

    static List<VocEvaluator.Detection> readJson(Path file, List<String> classes) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ":" + e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr()
                    + ": malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.FileNotFoundException e) {
            throw new IOException(file + ": no such file");
        }
        if (root == null || !root.isArray()) {
            throw new IOException(file + ": expected a JSON list of detections");
        }
        List<VocEvaluator.Detection> out = new ArrayList<>();
        int i = 0;
        for (JsonNode d : root) {
            i++;
            int c = classes.indexOf(d.path("category").asText());
            JsonNode bb = d.get("bbox");
            if (c < 0 || bb == null || bb.size() != 4 || !d.has("image_id") || !d.path("score").isNumber()) {
                throw new IOException(file + ": detection #" + i + " needs image_id, a VOC category name, score and bbox [x1, y1, x2, y2]");
            }
            out.add(new VocEvaluator.Detection(d.get("image_id").asText(), c, d.get("score").asDouble(),
                    new double[] {bb.get(0).asDouble(), bb.get(1).asDouble(), bb.get(2).asDouble(), bb.get(3).asDouble()}));
        }
        return out;
    }
}
