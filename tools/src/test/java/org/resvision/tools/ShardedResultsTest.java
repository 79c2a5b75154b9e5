package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.resvision.tools.EvalCommandsTest.fixture;
import static org.resvision.tools.EvalCommandsTest.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code coco-eval --dt a.json --dt b.json}: several results files evaluated as their concatenation. */
class ShardedResultsTest {

    @TempDir Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JSON of a coco-eval run, its timings left out. */
    private static JsonNode evaluate(String... args) throws Exception {
        EvalCommandsTest.Run r = run(args);
        assertEquals(0, r.code(), r.err());
        JsonNode out = JSON.readTree(r.out());
        ((com.fasterxml.jackson.databind.node.ObjectNode) out).remove("timings");
        return out;
    }

    private Path write(String name, ArrayNode results) throws Exception {
        Path p = dir.resolve(name);
        JSON.writeValue(p.toFile(), results);
        return p;
    }

    @Test
    void shardsEvaluateAsTheWholeFile() throws Exception {
        Path c = fixture("10-realistic-200");
        String gt = c.resolve("gt.json").toString();
        ArrayNode all = (ArrayNode) JSON.readTree(c.resolve("dt.json").toFile());
        // by image (as workers write them): every image's detections in one file, in file order
        ArrayNode even = JSON.createArrayNode();
        ArrayNode odd = JSON.createArrayNode();
        ArrayNode third = JSON.createArrayNode();
        for (JsonNode r : all) {
            long image = r.get("image_id").asLong();
            (image % 3 == 0 ? third : image % 2 == 0 ? even : odd).add(r);
        }
        assertTrue(even.size() > 0 && odd.size() > 0 && third.size() > 0);
        JsonNode whole = evaluate("coco-eval", "--gt", gt, "--dt", c.resolve("dt.json").toString(), "--json", "--per-class");
        JsonNode split = evaluate("coco-eval", "--gt", gt, "--dt", write("a.json", even).toString(), "--dt", write("b.json", odd).toString(),
                "--dt", write("c.json", third).toString(), "--json", "--per-class");
        assertEquals(whole.get("stats").toString(), split.get("stats").toString());
        assertEquals(whole, split);
        // not by image: the first half and the second half of the file, which concatenate to it
        ArrayNode first = JSON.createArrayNode();
        ArrayNode second = JSON.createArrayNode();
        for (int i = 0; i < all.size(); i++) {
            (i < all.size() / 2 ? first : second).add(all.get(i));
        }
        JsonNode halves = evaluate("coco-eval", "--gt", gt, "--dt", write("h1.json", first).toString(), "--dt",
                write("h2.json", second).toString(), "--json", "--per-class");
        assertEquals(whole, halves);
        // an empty shard changes nothing
        JsonNode withEmpty = evaluate("coco-eval", "--gt", gt, "--dt", write("h1.json", first).toString(), "--dt",
                write("none.json", JSON.createArrayNode()).toString(), "--dt", write("h2.json", second).toString(), "--json", "--per-class");
        assertEquals(whole, withEmpty);
        // the order matters where an image's detections tie in score: the concatenation in the order given
        JsonNode swapped = evaluate("coco-eval", "--gt", gt, "--dt", dir.resolve("h2.json").toString(), "--dt",
                dir.resolve("h1.json").toString(), "--json");
        ArrayNode concatenated = JSON.createArrayNode().addAll(second).addAll(first);
        assertEquals(evaluate("coco-eval", "--gt", gt, "--dt", write("swapped.json", concatenated).toString(), "--json"), swapped);
        // segm, and the diagnostics, on the shards
        JsonNode segmWhole = evaluate("coco-eval", "--gt", gt, "--dt", c.resolve("dt.json").toString(), "--json", "--iou-type", "segm",
                "--diagnostics");
        JsonNode segmSplit = evaluate("coco-eval", "--gt", gt, "--dt", dir.resolve("a.json").toString(), "--dt",
                dir.resolve("b.json").toString(), "--dt", dir.resolve("c.json").toString(), "--json", "--iou-type", "segm", "--diagnostics");
        ((com.fasterxml.jackson.databind.node.ObjectNode) segmWhole.get("diagnostics")).remove("timings");
        ((com.fasterxml.jackson.databind.node.ObjectNode) segmSplit.get("diagnostics")).remove("timings");
        assertEquals(segmWhole.get("stats").toString(), segmSplit.get("stats").toString());
    }

    @Test
    void errorsNameTheFileAndItsDetection() throws Exception {
        Path c = fixture("01-basic-perfect");
        String gt = c.resolve("gt.json").toString();
        Path a = Files.writeString(dir.resolve("a.json"), "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]");
        Path b = Files.writeString(dir.resolve("b.json"), "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5},"
                + " {\"image_id\": 424242, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]");
        EvalCommandsTest.Run r = run("coco-eval", "--gt", gt, "--dt", a.toString(), "--dt", b.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("resvision coco-eval: error: " + b + ": detection #2 is for image id 424242"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        // the second file without boxes, the first with: mixed results, both files named
        Path s = Files.writeString(dir.resolve("s.json"),
                "[{\"image_id\": 1, \"category_id\": 1, \"segmentation\": [[1, 2, 1, 6, 4, 6, 4, 2]], \"score\": 0.5}]");
        EvalCommandsTest.Run m = run("coco-eval", "--gt", gt, "--dt", a.toString(), "--dt", s.toString(), "--iou-type", "segm", "--box-masks");
        assertEquals(1, m.code(), m.err());
        assertTrue(m.err().contains(s + ": detection #1 has no bbox, but the first one (of " + a + ") has"), m.err());
        // the same file twice: its results would count twice
        EvalCommandsTest.Run twice = run("coco-eval", "--gt", gt, "--dt", a.toString(), "--dt", dir.resolve(".").resolve("a.json").toString());
        assertEquals(2, twice.code(), twice.err());
        assertTrue(twice.err().contains("is given twice"), twice.err());
    }
}
