package org.resvision.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.SerializableConfiguration;
import org.resvision.data.loader.BadItems;
import org.resvision.detection.Detections;
import org.resvision.tools.BatchDetector;

/**
 * {@code predict-images}: images to detections, as {@code resvision predict} makes them, on the
 * executors: the images in order, cut into partitions of whole batches (the batch an image shares
 * decides its padding, so the same batches give the same numbers). The detections, gathered on
 * the driver in image order, are written as {@code OUT/results.json}, byte for byte what {@code
 * predict} writes for the same images in the same order, and as {@code OUT/results.parquet}, a
 * row per detection of results.json with the same (rounded) values.
 */
final class PredictImagesJob implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The Parquet rows: a detection each, in results.json's order ({@code result_index}). */
    static final StructType RESULTS = new StructType()
            .add("result_index", DataTypes.LongType, false)
            .add("image_index", DataTypes.IntegerType, false)
            .add("image_id", DataTypes.LongType, true)
            .add("file_name", DataTypes.StringType, false)
            .add("category_id", DataTypes.LongType, true)
            .add("category_name", DataTypes.StringType, false)
            .add("bbox", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("score", DataTypes.DoubleType, false);

    /** One image's outcome: its detections, or why it could not be read. */
    record ImageResult(int index, float[] boxes, float[] scores, int[] labels, String error) implements Serializable {}

    final ModelSpec model;
    final int batch;

    PredictImagesJob(ModelSpec model, int batch) {
        this.model = model;
        this.batch = batch;
    }

    /** The detection of one partition's images (indices {@code first..}), unreadable ones reported, not fatal here. */
    Iterator<ImageResult> detect(int first, List<String> images, Configuration conf) throws Exception {
        TaskContext tc = TaskContext.get();
        BatchDetector detector = model.detector(tc, conf);
        java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("resvision-images-");
        try {
            List<java.nio.file.Path> local = new ArrayList<>();
            String[] errors = new String[images.size()];
            for (int i = 0; i < images.size(); i++) {
                try {
                    local.add(Storage.local(images.get(i), scratch.resolve(String.valueOf(i)), conf));
                } catch (IOException e) {
                    local.add(scratch.resolve(String.valueOf(i)).resolve("missing")); // read fails below, naming the URI
                    errors[i] = AnnotateVideosJob.oneLine(e);
                }
            }
            List<Detections> dets = detector.detect(local, batch, new BatchDetector.Reads() {
                @Override
                public void ok(int i) {}

                @Override
                public void failed(int i, IOException e) {
                    if (errors[i] == null) {
                        errors[i] = AnnotateVideosJob.oneLine(e);
                    }
                }
            });
            List<ImageResult> out = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                Detections d = dets.get(i);
                out.add(d == null ? new ImageResult(first + i, null, null, null, errors[i] == null ? images.get(i) + ": unreadable" : errors[i])
                        : new ImageResult(first + i, d.boxes().toArray(), d.scores(), d.labels(), null));
            }
            return out.iterator();
        } finally {
            Storage.deleteTree(scratch);
        }
    }

    /**
     * Runs the job: {@code images} (URIs, in order; {@code fileNames} what results name them by,
     * {@code imageIds} their dataset ids or null), {@code categoryIds} the dataset's id per label
     * (null: labels are the ids), in {@code partitions} partitions of whole batches.
     *
     * @return the number of detections written
     * @throws IOException unreadable images past what --strict or the 10% rule allow, or outputs not written
     */
    long run(SparkSession spark, List<String> images, List<String> fileNames, Long[] imageIds, long[] categoryIds, List<String> names,
            int partitions, boolean strict, Path out, PrintStream err) throws IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        SerializableConfiguration conf = new SerializableConfiguration(hadoop);
        int n = images.size();
        int per = Math.max(batch, (n + partitions - 1) / Math.max(1, partitions));
        per = (per + batch - 1) / batch * batch; // whole batches
        List<Integer> starts = new ArrayList<>();
        for (int s = 0; s < n; s += per) {
            starts.add(s);
        }
        final int chunk = per;
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<ImageResult> results = sc.parallelize(starts, Math.max(1, starts.size()))
                .mapPartitions(it -> {
                    List<ImageResult> all = new ArrayList<>();
                    while (it.hasNext()) {
                        int s = it.next();
                        detect(s, images.subList(s, Math.min(images.size(), s + chunk)), conf.value()).forEachRemaining(all::add);
                    }
                    return all.iterator();
                })
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            List<ImageResult> collected = new ArrayList<>(results.collect());
            collected.sort(java.util.Comparator.comparingInt(ImageResult::index));
            // unreadable images: predict's rule (strict: the first fails; else warn each, and fail past 10% or when all fail)
            BadItems bad = new BadItems(strict || n == 1, n, err::println);
            for (ImageResult r : collected) {
                if (r.error() != null) {
                    bad.failed(r.index(), new IOException(r.error()));
                } else {
                    bad.ok(r.index());
                }
            }
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArrayNode json = mapper.createArrayNode();
            List<Row> rows = new ArrayList<>();
            int notInDataset = 0;
            for (ImageResult r : collected) {
                if (r.error() != null) {
                    continue;
                }
                for (int k = 0; k < r.scores().length; k++) {
                    int label = r.labels()[k];
                    long category = categoryIds == null ? label : categoryIds[label];
                    if (category < 0) {
                        notInDataset++;
                    }
                    Long id = imageIds == null ? null : imageIds[r.index()];
                    String file = fileNames.get(r.index());
                    BatchDetector.addResult(json, id, file, category, names.get(label), r.boxes(), k, r.scores()[k]);
                    var node = json.get(json.size() - 1);
                    List<Double> bbox = new ArrayList<>();
                    node.get("bbox").forEach(v -> bbox.add(v.asDouble()));
                    rows.add(RowFactory.create((long) rows.size(), r.index(), id, file, category >= 0 ? category : null, names.get(label),
                            bbox, node.get("score").asDouble()));
                }
            }
            spark.createDataFrame(rows, RESULTS).coalesce(Math.max(1, Math.min(partitions, rows.size() / 100_000 + 1))).write()
                    .mode(SaveMode.Overwrite).parquet(new Path(out, "results.parquet").toString());
            Storage.writeText(new Path(out, "results.json"), mapper.writeValueAsString(json), "driver-" + Long.toHexString(System.nanoTime()),
                    hadoop);
            if (notInDataset > 0) {
                err.println("predict-images: " + notInDataset + " detections of classes the dataset does not have are written without"
                        + " category_id (category_name says what they are)");
            }
            return rows.size();
        } finally {
            results.unpersist(false);
        }
    }
}
