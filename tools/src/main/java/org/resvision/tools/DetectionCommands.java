package org.resvision.tools;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.loader.BadItems;
import org.resvision.data.loader.CocoDetectionSource;
import org.resvision.data.loader.DetectionInput;
import org.resvision.detection.CocoDetectionEvaluator;
import org.resvision.detection.DetectionConfig;
import org.resvision.detection.DetectionEvaluation;
import org.resvision.detection.DetectionTraining;
import org.resvision.detection.DetectionTransform;
import org.resvision.detection.Detections;
import org.resvision.detection.FasterRcnn;
import org.resvision.eval.coco.CocoEvalResult;

/** {@code train}, {@code evaluate} and {@code predict} for detection configs. */
final class DetectionCommands {

    private DetectionCommands() {}

    /** Whether a config file describes a detection model ({@code task}, else a {@code fasterrcnn*} model name). */
    static boolean isDetection(Path file) throws IOException {
        JsonNode tree;
        try {
            tree = new ObjectMapper().readTree(file.toFile());
        } catch (java.io.FileNotFoundException e) {
            throw new IOException(file + ": no such config file");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw org.resvision.data.json.JsonErrors.describe(file, e);
        }
        if (tree == null || !tree.isObject()) {
            throw new IOException(file + ": a config must be a JSON object");
        }
        if (tree.has("task")) {
            return "detection".equals(tree.get("task").asText());
        }
        return tree.path("model").asText("").startsWith("fasterrcnn");
    }

    /** A COCO split: annotations and the folder holding its images. */
    record CocoData(Path annotations, Path images) {
        CocoDataset read() throws IOException {
            return CocoReader.readDataset(annotations);
        }

        CocoDetectionSource source(CocoDataset ds, boolean train, FasterRcnn model, DetectionConfig c) {
            // the model's transform (normalisation and resize), as inference runs it; the recipe's flip;
            // labels as evaluation and prediction read them: by name when class_names list the dataset's
            // names (in any order), else by the dataset's category order
            DetectionTransform t = model.transform();
            DetectionInput input = new DetectionInput(t.minSize(), t.maxSize(), t.mean(), t.std(), c.recipe().horizontalFlip() ? 0.5 : 0);
            return new CocoDetectionSource(ds, images, train, input)
                    .withLabels(CocoDetectionEvaluator.categoryIds(c.hasClassNames() ? c.classNames() : null, ds));
        }
    }

    /**
     * {@code coco:ANN.json}: the images are in {@code --images DIR} when given, else next to the
     * annotations folder in {@code images/} (the synthetic layout) or in a folder named after the
     * split ({@code instances_val2017.json} -> {@code val2017/}, COCO's layout).
     */
    static CocoData cocoData(String spec, String imagesDir) throws UsageException {
        if (spec == null || !spec.startsWith("coco:")) {
            throw new UsageException("--data must be coco:ANNOTATIONS.json for detection");
        }
        Path ann = Path.of(spec.substring(5));
        if (!Files.isRegularFile(ann)) {
            throw new UsageException(ann + ": no such annotation file");
        }
        if (imagesDir != null) {
            return new CocoData(ann, Path.of(imagesDir));
        }
        Path parent = ann.toAbsolutePath().getParent().getParent();
        Path images = parent.resolve("images");
        if (Files.isDirectory(images)) {
            return new CocoData(ann, images);
        }
        String split = ann.getFileName().toString().replaceFirst("^instances_", "").replaceFirst("\\.json$", "");
        Path bySplit = parent.resolve(split);
        if (Files.isDirectory(bySplit)) {
            return new CocoData(ann, bySplit);
        }
        throw new UsageException(ann + ": cannot find its images (tried " + images + " and " + bySplit + "); pass --images DIR");
    }

    /** The validation split next to a training file named {@code *train*}, if it exists. */
    static CocoData defaultVal(CocoData train) {
        String name = train.annotations().getFileName().toString();
        if (!name.contains("train")) {
            return null;
        }
        Path val = train.annotations().resolveSibling(name.replace("train", "val"));
        return Files.isRegularFile(val) ? new CocoData(val, train.images()) : null;
    }

    static DetectionConfig config(Path file) throws IOException {
        return DetectionConfig.read(file);
    }

    static FasterRcnn load(DetectionConfig c, Path weights, NDManager m) throws IOException {
        return org.resvision.detection.Pretrained.load(c, weights, m);
    }

    static int train(DetectionConfig c, Path config, CocoData data, CocoData val, Path run, boolean resume, boolean overwrite,
            WeightsSpec init, boolean strict, Device device) throws Exception {
        CocoDataset trainGt = data.read();
        CocoDataset valGt = val == null ? null : val.read();
        checkClasses(c, trainGt, data.annotations());
        try (RunFolder folder = RunFolder.open(run, config, resume, overwrite); NDManager m = NDManager.newBaseManager(device)) {
            DetectionConfig named = c;
            if (!c.hasClassNames()) { // the dataset's names, label k = category k-1, recorded in the run's config
                List<String> names = new java.util.ArrayList<>(c.classNames());
                for (int k = 1; k <= trainGt.categories().size(); k++) {
                    names.set(k, trainGt.categories().get(k - 1).name());
                }
                DetectionConfig.Builder b = c.toBuilder();
                b.class_names = names;
                named = b.build();
                RunFolder.recordClassNames(run, names);
            }
            Engine.getInstance().setRandomSeed((int) c.recipe().seed());
            FasterRcnn model = FasterRcnn.of(c).init(m);
            if (init != null) { // on --resume the checkpoint then replaces these weights, as before
                System.out.println(InitFrom.detection(model, c, init, m));
            }
            System.out.printf(Locale.ROOT, "training %s (%s, %d classes) on %d images of %s%s%n", c.preset(), c.model().backbone(),
                    c.model().numClasses(), trainGt.images().size(), data.annotations(), valGt == null ? "" : ", evaluating on " + val.annotations());
            CocoEvalResult r = DetectionTraining.train(model, named, data.source(trainGt, true, model, named), valGt,
                    valGt == null ? null : val.source(valGt, false, model, named), run, resume, strict, m, System.out);
            if (r != null) {
                System.out.println(r.summaryText());
            }
            System.out.println("model: " + run.resolve("model.safetensors"));
        }
        return 0;
    }

    private static void checkClasses(DetectionConfig c, CocoDataset gt, Path file) throws IOException {
        if (gt.categories().size() + 1 > c.model().numClasses()) {
            throw new IOException(file + ": " + gt.categories().size() + " categories but the config has num_classes " + c.model().numClasses()
                    + " (categories + background)");
        }
    }

    static int evaluate(DetectionConfig c, Path weights, CocoData data, boolean strict, Device device) throws Exception {
        CocoDataset gt = data.read();
        checkClasses(c, gt, data.annotations());
        try (NDManager m = NDManager.newBaseManager(device)) {
            FasterRcnn model = load(c, weights, m);
            CocoEvalResult r = DetectionEvaluation.evaluate(model, c.classNames(), gt, data.source(gt, false, model, c), c.recipe().batchSize(),
                    m, strict);
            System.out.println(r.summaryText());
        }
        return 0;
    }

    static int predict(DetectionConfig config, Path weights, List<String> images, Path out, Path draw, float scoreThresh, String device,
            Path cocoGt, int batch, boolean strict) throws Exception {
        DetectionConfig c = scoreThresh >= 0 ? config.withBoxScoreThresh(scoreThresh) : config;
        BackboneModels.device(device); // an unknown device is a usage error before any work
        Map<String, Long> ids = new HashMap<>();
        CocoDataset gt = null;
        if (cocoGt != null) {
            gt = CocoReader.readDataset(cocoGt);
            for (CocoImage im : gt.images()) {
                ids.put(Path.of(im.fileName()).getFileName().toString(), im.id());
            }
        }
        List<String> names = c.classNames();
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ArrayNode results = mapper.createArrayNode();
        int count = 0;
        int notInDataset = 0;
        long[] categoryIds = gt == null ? null : CocoDetectionEvaluator.categoryIds(names, gt);
        BadItems bad = new BadItems(strict, images.size(), System.err::println);
        try (BatchDetector detector = BatchDetector.of(c, weights, device)) {
            for (int start = 0; start < images.size(); start += batch) {
                int first = start;
                List<Path> chunk = images.subList(start, Math.min(images.size(), start + batch)).stream().map(Path::of).toList();
                List<Detections> dets = detector.detect(chunk, batch, new BatchDetector.Reads() {
                    @Override
                    public void ok(int i) throws IOException {
                        bad.ok(first + i);
                    }

                    @Override
                    public void failed(int i, IOException e) throws IOException {
                        bad.failed(first + i, e);
                    }
                });
                for (int i = 0; i < chunk.size(); i++) {
                    Detections d = dets.get(i);
                    if (d == null) {
                        continue; // unreadable, reported
                    }
                    Path file = chunk.get(i);
                    Long id = ids.get(file.getFileName().toString());
                    if (gt != null && id == null) {
                        System.err.println("predict: " + file + ": not in " + cocoGt + "; written without image_id");
                    }
                    for (int k = 0; k < d.size(); k++) {
                        long category = categoryIds == null ? d.labels()[k] : categoryIds[d.labels()[k]];
                        if (category < 0) {
                            notInDataset++;
                        }
                        BatchDetector.addResult(results, id, file.toString(), category, names.get(d.labels()[k]), d.boxes().toArray(), k, d.scores()[k]);
                    }
                    count += d.size();
                    if (draw != null) {
                        Drawing.drawImage(file, d, names, draw.resolve(file.getFileName().toString().replaceFirst("\\.[^.]*$", "") + ".jpg"));
                    }
                }
            }
        }
        org.resvision.data.io.AtomicFiles.write(out, tmp -> mapper.writeValue(tmp.toFile(), results));
        if (notInDataset > 0) {
            System.err.println("predict: " + notInDataset + " detections of classes that " + cocoGt
                    + " does not have are written without category_id (category_name says what they are)");
        }
        System.out.printf(Locale.ROOT, "%d detections on %d images%s (score > %s) -> %s%s%n", count, images.size() - bad.skipped(),
                bad.skipped() == 0 ? "" : " (" + bad.skipped() + " unreadable, skipped)", c.model().boxScoreThresh(), out,
                draw == null ? "" : ", drawn images in " + draw);
        return 0;
    }
}
