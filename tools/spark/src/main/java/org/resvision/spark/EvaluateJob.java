package org.resvision.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.coco.CocoResults;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvaluator;
import org.resvision.eval.coco.CocoMatching;
import org.resvision.eval.coco.GroundTruthMasks;
import scala.Tuple2;

/**
 * {@code evaluate}: COCO evaluation of a results file (COCO results JSON, or predict-images'
 * Parquet) with the matching spread over the executors: the ground truth's images, sorted by
 * id, are cut into contiguous shards; each result goes to the shard of its image (in its file
 * order); each shard is matched on an executor ({@link CocoEvaluator#match}, the ground truth
 * read once per executor JVM); the driver merges the shards' matchings ({@link
 * CocoMatching#merge}) and accumulates, which gives exactly {@code coco-eval}'s numbers.
 */
final class EvaluateJob implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Ground truths read on this JVM, by file and type: an executor reads each once. */
    private static final OncePerJvm<String, GroundTruthMasks> GROUND_TRUTHS = new OncePerJvm<>();

    /** One shard's input: its images and their results in file order. */
    record Shard(int index, long[] imageIds, ArrayList<CocoResult> results) implements Serializable {}

    final String gtUri;
    final CocoEvalParams params;

    EvaluateJob(String gtUri, CocoEvalParams params) {
        this.gtUri = gtUri;
        this.params = params;
    }

    private boolean segm() {
        return params.iouType() == CocoEvalParams.IouType.SEGM;
    }

    /** The ground truth (and, for segm, its masks) on this JVM, read on first use. */
    GroundTruthMasks groundTruth(Configuration conf) throws IOException {
        return GROUND_TRUTHS.get(gtUri + "|" + params.iouType(), () -> {
            java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("resvision-gt-");
            try {
                CocoDataset d = CocoReader.readDataset(Storage.local(gtUri, scratch, conf), segm());
                return segm() ? GroundTruthMasks.of(d) : GroundTruthMasks.none(d);
            } catch (CocoEvalException e) {
                throw new IOException(gtUri + ": " + e.getMessage(), e);
            } finally {
                Storage.deleteTree(scratch);
            }
        });
    }

    /** The shards' image ids: the ground truth's image ids, sorted, in {@code n} contiguous runs (fewer when there are fewer images). */
    static long[][] shardImages(CocoDataset gt, int n) {
        long[] ids = gt.images().stream().mapToLong(CocoImage::id).distinct().sorted().toArray();
        int shards = Math.max(1, Math.min(n, ids.length));
        long[][] out = new long[shards][];
        for (int s = 0; s < shards; s++) {
            out[s] = Arrays.copyOfRange(ids, (int) ((long) ids.length * s / shards), (int) ((long) ids.length * (s + 1) / shards));
        }
        return out;
    }

    /** The shard an image belongs to: the last whose first id is not above it (an id not in the ground truth: shard 0, which reports it as coco-eval does). */
    static int owner(long[][] shards, long imageId) {
        int s = shardOf(shards, imageId);
        return Arrays.binarySearch(shards[s], imageId) < 0 ? 0 : s;
    }

    private static int shardOf(long[][] shards, long imageId) {
        int lo = 0;
        int hi = shards.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (shards[mid].length > 0 && shards[mid][0] <= imageId) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The task: one shard matched. */
    CocoMatching match(Shard s, Configuration conf) throws IOException {
        GroundTruthMasks g = groundTruth(conf);
        try {
            return CocoEvaluator.match(g.dataset(), g, CocoResults.of(s.results()), params.withImageIds(s.imageIds()));
        } catch (CocoEvalException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Merges the shards' matchings (in shard order) and accumulates: coco-eval's result. */
    static CocoEvalResult accumulate(List<CocoMatching> shards) {
        return CocoEvaluator.accumulate(CocoMatching.merge(shards));
    }

    /** Evaluates a COCO results JSON: read on the driver (as coco-eval reads it), shards matched on the executors. */
    CocoEvalResult runJson(SparkSession spark, CocoDataset gt, List<CocoResult> results, int partitions) {
        long[][] shardIds = shardImages(gt, partitions);
        List<Shard> shards = new ArrayList<>();
        for (int s = 0; s < shardIds.length; s++) {
            shards.add(new Shard(s, shardIds[s], new ArrayList<>()));
        }
        for (CocoResult r : results) {
            shards.get(owner(shardIds, r.imageId())).results().add(r);
        }
        return matchAndMerge(spark, shards);
    }

    /**
     * Evaluates predict-images' Parquet (image_id, category_id, bbox, score, result_index): rows
     * routed to their image's shard on the executors, each shard's in result_index order.
     *
     * @throws IOException rows without image_id or category_id (predict-images without a dataset)
     */
    CocoEvalResult runParquet(SparkSession spark, CocoDataset gt, String parquet, int partitions) throws IOException {
        long[][] shardIds = shardImages(gt, partitions);
        var df = spark.read().parquet(parquet);
        long missing = df.filter("image_id IS NULL OR category_id IS NULL").count();
        if (missing > 0) {
            throw new IOException(parquet + ": " + missing + " rows without image_id or category_id (predict-images without --coco GT.json"
                    + " names images by file only); run predict-images with the dataset to evaluate");
        }
        JavaRDD<Row> rows = df.select("result_index", "image_id", "category_id", "bbox", "score").javaRDD();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SerializableConfiguration conf = new SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
        var ids = sc.broadcast(shardIds);
        List<Tuple2<Integer, Boolean>> every = new ArrayList<>();
        for (int s = 0; s < shardIds.length; s++) {
            every.add(new Tuple2<>(s, true));
        }
        // every shard, with or without results (a shard's images count towards recall either way)
        List<Tuple2<Integer, CocoMatching>> matched = sc.parallelizePairs(every, shardIds.length)
                .cogroup(rows.mapToPair(r -> new Tuple2<>(owner(ids.value(), r.getLong(1)), r)), shardIds.length)
                .map(g -> {
                    List<Row> rs = new ArrayList<>();
                    g._2()._2().forEach(rs::add);
                    rs.sort(java.util.Comparator.comparingLong(r -> r.getLong(0)));
                    ArrayList<CocoResult> res = new ArrayList<>(rs.size());
                    for (Row r : rs) {
                        List<Double> b = r.getList(3);
                        res.add(new CocoResult(r.getLong(1), r.getLong(2), new double[] {b.get(0), b.get(1), b.get(2), b.get(3)}, r.getDouble(4), null));
                    }
                    return new Tuple2<>(g._1(), match(new Shard(g._1(), ids.value()[g._1()], res), conf.value()));
                })
                .collect();
        return merged(matched);
    }

    private CocoEvalResult matchAndMerge(SparkSession spark, List<Shard> shards) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SerializableConfiguration conf = new SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
        return merged(sc.parallelize(shards, shards.size()).map(s -> new Tuple2<>(s.index(), match(s, conf.value()))).collect());
    }

    private static CocoEvalResult merged(List<Tuple2<Integer, CocoMatching>> matched) {
        List<Tuple2<Integer, CocoMatching>> ordered = new ArrayList<>(matched);
        ordered.sort(java.util.Comparator.comparingInt(Tuple2::_1));
        return accumulate(ordered.stream().map(Tuple2::_2).toList());
    }
}
