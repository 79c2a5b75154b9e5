package org.resvision.tools.corpus;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.Rle;
import org.resvision.data.voc.VocReader;

/** coco-eval, voc-eval and the data/eval entry points they stand on, fed broken or hostile files. */
final class EvalCases implements BadInput.Source {

    /** One 10x10 image, categories 1 and 2, and {@code annotations} (JSON objects, comma-separated). */
    static String gt(String annotations) {
        return "{\"images\": [{\"id\": 1, \"width\": 10, \"height\": 10, \"file_name\": \"a.jpg\"}],"
                + " \"categories\": [{\"id\": 1, \"name\": \"thing\"}, {\"id\": 2, \"name\": \"other\"}],"
                + " \"annotations\": [" + annotations + "]}";
    }

    /** An annotation of image 1, category 1, with {@code more} fields; the left half of the image. */
    static String ann(long id, String more) {
        return "{\"id\": " + id + ", \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 5, 10], \"area\": 50, \"iscrowd\": 0" + more + "}";
    }

    static final String GOOD_GT = gt(ann(1, ", \"segmentation\": [[0, 0, 5, 0, 5, 10, 0, 10]]"));

    /** A detection of image 1 with {@code more} fields (category 1 unless given). */
    static String det(String more) {
        return "{\"image_id\": 1, " + (more.contains("category_id") ? "" : "\"category_id\": 1, ") + more + "}";
    }

    /** Writes gt.json and dt.json (text or bytes) and returns coco-eval's command line. */
    static String[] coco(Path dir, String gt, Object dt, String... more) throws Exception {
        Path g = Files.writeString(dir.resolve("gt.json"), gt);
        Path d = dir.resolve("dt.json");
        if (dt instanceof byte[] b) {
            Files.write(d, b);
        } else {
            Files.writeString(d, (String) dt);
        }
        String[] base = {"coco-eval", "--gt", g.toString(), "--dt", d.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    static String[] cocoDt(Path dir, String results, String... more) throws Exception {
        return coco(dir, GOOD_GT, results, more);
    }

    static String[] cocoGt(Path dir, String gt, String... more) throws Exception {
        return coco(dir, gt, "[" + det("\"bbox\": [0, 0, 5, 10], \"score\": 0.9, \"segmentation\": [[0, 0, 5, 0, 5, 10, 0, 10]]") + "]", more);
    }

    /** A VOC folder (split test: image a with one 'dog'), {@code labels} as labels.txt when not null; voc-eval's argv. */
    static String[] voc(Path dir, String labels, String resultsName, String results, String... more) throws Exception {
        Path voc = dir.resolve("VOC");
        Files.createDirectories(voc.resolve("ImageSets/Main"));
        Files.createDirectories(voc.resolve("Annotations"));
        Files.writeString(voc.resolve("ImageSets/Main/test.txt"), "a\n");
        Files.writeString(voc.resolve("Annotations/a.xml"), "<annotation><object><name>dog</name><difficult>0</difficult>"
                + "<bndbox><xmin>1</xmin><ymin>1</ymin><xmax>10</xmax><ymax>10</ymax></bndbox></object></annotation>");
        if (labels != null) {
            Files.writeString(voc.resolve("labels.txt"), labels);
        }
        Path res = dir.resolve(resultsName);
        if (resultsName.endsWith(".txt")) {
            Files.createDirectories(dir.resolve("res"));
            res = Files.writeString(dir.resolve("res").resolve(resultsName), results).getParent();
        } else {
            Files.writeString(res, results);
        }
        String[] base = {"voc-eval", "--voc", voc.toString(), "--results", res.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** Calls {@code reader} on a file of {@code bytes} in a fresh temporary folder (removed after): Java calls may not leave files. */
    static void withFile(String name, byte[] bytes, BadInput.JavaCall reader) throws Exception {
        Path tmp = Files.createTempDirectory("corpus");
        Path f = Files.write(tmp.resolve(name), bytes);
        try {
            reader.call(f);
        } finally {
            Files.delete(f);
            Files.delete(tmp);
        }
    }

    static final String GOOD_DT = "[" + det("\"bbox\": [0, 0, 5, 10], \"score\": 0.9") + "]";

    /** coco-eval of good results against {@code b} (written to b.json) with --compare. */
    static String[] compare(Path dir, String b) throws Exception {
        Path bFile = Files.writeString(dir.resolve("b.json"), b);
        return cocoDt(dir, GOOD_DT, "--compare", bFile.toString(), "--bootstrap", "10");
    }

    /** coco-eval of good results (dt.json) and {@code b} (written to b.json) as two shards: {@code --dt dt.json --dt b.json}. */
    static String[] shards(Path dir, String b, String... more) throws Exception {
        Path bFile = Files.writeString(dir.resolve("b.json"), b);
        String[] head = {"--dt", bFile.toString()};
        String[] all = java.util.Arrays.copyOf(head, head.length + more.length);
        System.arraycopy(more, 0, all, head.length, more.length);
        return cocoDt(dir, GOOD_DT, all);
    }

    static final String VOC_DOG = "[{\"image_id\": \"a\", \"category\": \"dog\", \"score\": 0.9, \"bbox\": [1, 1, 10, 10]}]";

    private static final String SEGM_BOX = "\"bbox\": [0, 0, 5, 10], \"score\": 0.9, ";

    @Override
    public List<BadInput> cases() {
        return List.of(
                // diagnostics, comparison and report: the second results file is named, options checked
                BadInput.error("coco-eval/compare-unknown-image", "the second results file and the image id that the ground truth lacks",
                        d -> compare(d, "[" + det("\"image_id\": 7, \"bbox\": [0, 0, 5, 10], \"score\": 0.5").replace("\"image_id\": 1, ", "") + "]"),
                        "b.json", "7"),
                BadInput.error("coco-eval/compare-syntax-error", "the second results file, line and column of the JSON error",
                        d -> compare(d, "[{\"image_id\": 1,\n \"bbox\": [0, 0, 5, 10] \"score\": 0.5}]"), "b.json", ":2:"),
                // several --dt files (shards): the file holding the bad record is named, its detection numbered in it
                BadInput.error("coco-eval/second-dt-syntax-error", "the second --dt file, line and column of the JSON error",
                        d -> shards(d, "[{\"image_id\": 1,\n \"bbox\": [0, 0, 5, 10] \"score\": 0.5}]"), "b.json", ":2:"),
                BadInput.error("coco-eval/second-dt-unknown-image",
                        "the second --dt file, the detection's number in it and the image id that the ground truth lacks",
                        d -> shards(d, "[" + GOOD_DT.substring(1, GOOD_DT.length() - 1) + ", "
                                + det("\"image_id\": 7, \"bbox\": [0, 0, 5, 10], \"score\": 0.5").replace("\"image_id\": 1, ", "") + "]"),
                        "b.json", "detection #2", "image id 7"),
                BadInput.error("coco-eval/second-dt-without-boxes",
                        "the second --dt file, its detection without a bbox and the first file, whose first result has one",
                        d -> shards(d, "[" + det("\"score\": 0.5, \"segmentation\": [[0, 0, 5, 0, 5, 10, 0, 10]]") + "]",
                                "--iou-type", "segm", "--box-masks"),
                        "b.json: detection #1 has no bbox", "dt.json"),
                BadInput.usage("coco-eval/dt-given-twice", "the --dt file given twice (its results would count twice)",
                        d -> cocoDt(d, GOOD_DT, "--dt", d.resolve("dt.json").toString()), "--dt", "given twice"),
                BadInput.usage("coco-eval/report-is-a-folder", "--report and that it names a folder",
                        d -> cocoDt(d, GOOD_DT, "--report", Files.createDirectories(d.resolve("r.html")).toString()), "--report", "folder"),
                BadInput.usage("coco-eval/confusion-iou-not-evaluated", "--confusion-iou and the IoU thresholds that are evaluated",
                        d -> cocoDt(d, GOOD_DT, "--diagnostics", "--confusion-iou", "0.52"), "--confusion-iou 0.52", "0.50, 0.55"),
                BadInput.usage("coco-eval/bootstrap-without-compare", "that --bootstrap goes with --compare",
                        d -> cocoDt(d, GOOD_DT, "--bootstrap", "100"), "--compare"),
                // masks: every malformed RLE or polygon is named, none reaches an IoU loop
                BadInput.error("coco-eval/rle-short-counts", "the results file, the detection and that its runs cover 50 of 100 pixels",
                        d -> cocoDt(d, "[" + det(SEGM_BOX + "\"segmentation\": {\"size\": [10, 10], \"counts\": [0, 50]}") + "]", "--iou-type", "segm"),
                        "dt.json", "detection #1 (image 1)", "RLE runs sum to 50, not h*w = 100"),
                BadInput.error("coco-eval/gt-rle-long-counts", "the ground-truth file, the annotation and the sum of its runs",
                        d -> cocoGt(d, gt(ann(7, ", \"segmentation\": {\"size\": [10, 10], \"counts\": [0, 50, 70]}")), "--iou-type", "segm"),
                        "gt.json", "annotation 7 (image 1)", "RLE runs sum to 120, not h*w = 100"),
                BadInput.error("coco-eval/rle-negative-counts", "the results file, line, detection and the negative count",
                        d -> cocoDt(d, "[" + det(SEGM_BOX + "\"segmentation\": {\"size\": [10, 10], \"counts\": [0, 150, -50]}") + "]", "--iou-type", "segm"),
                        "dt.json:1:", "detection #1", "RLE counts must be non-negative integers, got -50.0"),
                BadInput.error("coco-eval/rle-compressed-garbage", "the results file, the detection and the bad character",
                        d -> cocoDt(d, "[" + det(SEGM_BOX + "\"segmentation\": {\"size\": [10, 10], \"counts\": \"0~~ \"}") + "]", "--iou-type", "segm"),
                        "dt.json", "detection #1 (image 1)", "compressed RLE has a character outside '0'..'o' at offset 1"),
                BadInput.error("coco-eval/rle-size-not-ints", "the results file, the detection and that size must be two non-negative integers",
                        d -> cocoDt(d, "[" + det(SEGM_BOX + "\"segmentation\": {\"size\": [10.5, 10], \"counts\": \"0\"}") + "]", "--iou-type", "segm"),
                        "dt.json:1:", "detection #1", "RLE size must be [h, w], two non-negative integers"),
                BadInput.error("coco-eval/rle-size-not-the-image", "the results file, the detection and both sizes",
                        d -> cocoDt(d, "[" + det(SEGM_BOX + "\"segmentation\": {\"size\": [20, 5], \"counts\": [0, 100]}") + "]", "--iou-type", "segm"),
                        "dt.json", "detection #1 (image 1)", "RLE size 20x5 differs from image 1's 10x10"),
                BadInput.error("coco-eval/gt-polygon-odd-count", "the ground-truth file, the annotation and its count of numbers",
                        d -> cocoGt(d, gt(ann(3, ", \"segmentation\": [[0, 0, 5, 0, 5, 10, 0]]")), "--iou-type", "segm"),
                        "gt.json", "annotation 3 (image 1)", "polygon with 7 numbers"),
                BadInput.error("coco-eval/polygon-two-points", "the results file, the detection and that a polygon needs 3 points",
                        d -> cocoDt(d, "[" + det(SEGM_BOX + "\"segmentation\": [[0, 0, 5, 0, 5, 10], [1, 1, 2, 2]]") + "]", "--iou-type", "segm"),
                        "dt.json", "detection #1 (image 1)", "polygon with 4 numbers (needs an even count, at least 3 points)"),
                BadInput.error("coco-eval/gt-polygon-nan", "the ground-truth file, line, annotation and the NaN",
                        d -> cocoGt(d, gt(ann(4, ", \"segmentation\": [[0, 0, 5, NaN, 5, 10]]")), "--iou-type", "segm"),
                        "gt.json:1:", "annotation #1 (id 4)", "'segmentation polygon' holds NaN, not a finite number"),
                // results: numbers that mean nothing
                BadInput.skip("coco-eval/results-unknown-category", "a warning naming the results file, how many detections and the first category; exit 0",
                        d -> cocoDt(d, "[" + det("\"bbox\": [0, 0, 5, 10], \"score\": 0.9") + ", "
                                + det("\"category_id\": 42, \"bbox\": [0, 0, 5, 10], \"score\": 0.8") + "]"), List.of(),
                        "warning: ", "dt.json", "1 detections of categories not in the ground truth not evaluated", "category 42"),
                BadInput.error("coco-eval/results-negative-width", "the results file, line, detection and the box",
                        d -> cocoDt(d, "[" + det("\"bbox\": [5, 0, -5, 10], \"score\": 0.9") + "]"),
                        "dt.json:1:", "detection #1", "bbox [5.0, 0.0, -5.0, 10.0] has a negative width or height"),
                BadInput.error("coco-eval/results-nan-score", "the results file, line, detection and the NaN",
                        d -> cocoDt(d, "[" + det("\"bbox\": [0, 0, 5, 10], \"score\": 0.9") + ",\n" + det("\"bbox\": [0, 0, 5, 10], \"score\": NaN") + "]"),
                        "dt.json:2:", "detection #2", "'score' holds NaN, not a finite number"),
                BadInput.error("coco-eval/results-infinite-bbox", "the results file, line, detection and the Infinity",
                        d -> cocoDt(d, "[" + det("\"bbox\": [0, 0, Infinity, 10], \"score\": 0.9") + "]"),
                        "dt.json:1:", "detection #1", "'bbox' holds Infinity, not a finite number"),
                BadInput.error("coco-eval/results-huge-number", "the results file, line, detection and the number beyond a double",
                        d -> cocoDt(d, "[" + det("\"bbox\": [0, 0, 1e999, 10], \"score\": 0.9") + "]"),
                        "dt.json:1:", "detection #1", "'bbox' holds 1e999, not a finite number"),
                BadInput.error("coco-eval/results-no-bbox-no-segmentation", "the results file, the detection and what it lacks",
                        d -> cocoDt(d, "[" + det("\"score\": 0.9") + "]"),
                        "dt.json", "detection #1", "has neither bbox nor segmentation"),
                // ground truth: records that pycocotools would double, replace, misread or drop
                BadInput.error("coco-eval/gt-duplicate-annotation-id", "the ground-truth file and the repeated annotation id",
                        d -> cocoGt(d, gt(ann(5, "") + ", " + ann(5, ""))),
                        "gt.json", "annotation id 5 appears twice (again as annotation #2)"),
                BadInput.error("coco-eval/gt-duplicate-image-id", "the ground-truth file and the repeated image id",
                        d -> cocoGt(d, GOOD_GT.replace("\"images\": [", "\"images\": [{\"id\": 1, \"width\": 20, \"height\": 20}, ")),
                        "gt.json", "image id 1 appears twice (again as image #2)"),
                BadInput.error("coco-eval/gt-duplicate-category-id", "the ground-truth file and the repeated category id",
                        d -> cocoGt(d, GOOD_GT.replace("{\"id\": 2, \"name\": \"other\"}", "{\"id\": 1, \"name\": \"other\"}")),
                        "gt.json", "category id 1 appears twice (again as category #2)"),
                BadInput.skip("coco-eval/gt-annotation-missing-image", "a warning naming the ground-truth file, how many annotations and the first image; exit 0",
                        d -> cocoGt(d, gt(ann(1, "") + ", " + ann(2, "").replace("\"image_id\": 1", "\"image_id\": 9"))), List.of(),
                        "warning: ", "gt.json", "1 annotations of images not in 'images' not evaluated", "image 9"),
                BadInput.error("coco-eval/gt-negative-box", "the ground-truth file, the annotation and the box",
                        d -> cocoGt(d, gt(ann(6, "").replace("[0, 0, 5, 10]", "[5, 0, 5, -10]"))),
                        "gt.json", "annotation 6 (image 1)", "bbox [5.0, 0.0, 5.0, -10.0] has a negative width or height"),
                BadInput.error("coco-eval/gt-iscrowd-yes", "the ground-truth file, line, annotation and the value",
                        d -> cocoGt(d, gt(ann(8, "").replace("\"iscrowd\": 0", "\"iscrowd\": \"yes\""))),
                        "gt.json:1:", "annotation #1 (id 8)", "'iscrowd' must be 0, 1, true or false, got \"yes\""),
                BadInput.error("coco-eval/gt-iscrowd-string-one", "the ground-truth file, line, annotation and the value",
                        d -> cocoGt(d, gt(ann(8, "").replace("\"iscrowd\": 0", "\"iscrowd\": \"1\""))),
                        "gt.json:1:", "annotation #1 (id 8)", "'iscrowd' must be 0, 1, true or false, got \"1\""),
                // files that are not files, or not JSON
                BadInput.error("coco-eval/dt-is-a-folder", "the path and that it is a folder, not a file",
                        d -> {
                            String[] argv = cocoDt(d, "[]");
                            Files.createDirectories(d.resolve("results"));
                            argv[4] = d.resolve("results").toString();
                            return argv;
                        },
                        "$DIR/results: is a folder, not a file"),
                BadInput.error("coco-eval/gt-is-a-folder", "the path and that it is a folder, not a file",
                        d -> {
                            String[] argv = cocoDt(d, "[]");
                            argv[2] = d.toString();
                            return argv;
                        },
                        "$DIR: is a folder, not a file"),
                BadInput.error("coco-eval/gt-missing", "the missing file's path",
                        d -> {
                            String[] argv = cocoDt(d, "[]");
                            argv[2] = d.resolve("nothing.json").toString();
                            return argv;
                        },
                        "$DIR/nothing.json: no such file"),
                BadInput.error("coco-eval/results-truncated", "the results file, line and column where it ends",
                        d -> cocoDt(d, "[" + det("\"bbox\": [0, 0, 5, 10], \"score\": 0.9") + ",\n {\"image_id\": 1, \"bbo"),
                        "dt.json:2:", "malformed JSON"),
                BadInput.error("coco-eval/results-not-utf8", "the results file, line and column of the bad byte",
                        d -> coco(d, GOOD_GT, ("[" + det("\"bbox\": [0, 0, 5, 10], \"score\": 0.9, \"note\": \"caf\u00e9\"") + "]")
                                .getBytes(StandardCharsets.ISO_8859_1)),
                        "dt.json:1:", "malformed JSON: Invalid UTF-8"),
                BadInput.error("coco-eval/results-object-not-list", "the results file and that a list was expected",
                        d -> cocoDt(d, det("\"bbox\": [0, 0, 5, 10], \"score\": 0.9")),
                        "dt.json:1:1:", "expected a JSON list of detections"),
                BadInput.error("coco-eval/results-deeply-nested", "the results file and the nesting depth",
                        d -> cocoDt(d, "[" + det("\"bbox\": [0, 0, 5, 10], \"score\": 0.9, \"x\": " + "[".repeat(100_000) + "]".repeat(100_000)) + "]"),
                        "dt.json", "malformed JSON: Document nesting depth"),
                BadInput.error("coco-eval/gt-empty", "the ground-truth file and that it is empty",
                        d -> cocoGt(d, ""),
                        "gt.json: the file is empty"),
                BadInput.error("coco-eval/results-bom-then-garbage", "the results file, line and column of what follows the list",
                        d -> coco(d, GOOD_GT, ("\uFEFF[" + det("\"bbox\": [0, 0, 5, 10], \"score\": 0.9") + "]\n[]").getBytes(StandardCharsets.UTF_8)),
                        "dt.json:2:1: unexpected content after the end of the JSON value"),
                // voc-eval
                BadInput.usage("voc-eval/iou-above-one", "--iou and its allowed range",
                        d -> voc(d, null, "res.json", VOC_DOG, "--iou", "2"),
                        "--iou must be a number in (0, 1], got 2"),
                BadInput.usage("voc-eval/iou-nan", "--iou and its allowed range",
                        d -> voc(d, null, "res.json", VOC_DOG, "--iou", "NaN"),
                        "--iou must be a number in (0, 1], got NaN"),
                BadInput.error("voc-eval/class-not-in-labels", "the annotation file, the class and labels.txt",
                        d -> voc(d, "cat\nbird\n", "res.json", VOC_DOG),
                        "a.xml", "class 'dog' is not in", "labels.txt"),
                BadInput.error("voc-eval/devkit-nan-score", "the results file, line and that the score must be finite",
                        d -> voc(d, null, "comp4_det_test_dog.txt", "a 0.9 1 1 10 10\na NaN 1 1 10 10\n"),
                        "comp4_det_test_dog.txt:2", "score must be a finite number"),
                BadInput.error("voc-eval/results-inverted-box", "the results file, the detection and its box",
                        d -> voc(d, null, "res.json", VOC_DOG.replace("[1, 1, 10, 10]", "[10, 1, 1, 10]")),
                        "res.json", "detection #1", "has x2 < x1 or y2 < y1"),
                BadInput.error("voc-eval/results-missing", "the missing results file's path",
                        d -> voc(d, null, "res.json", VOC_DOG, "--results", d.resolve("none.json").toString()),
                        "none.json: no such file"),
                // the Java entry points
                BadInput.java("java/mask-iou-short-rle", "the sum of the runs and h*w (no loop without end)",
                        d -> MaskApi.rleIou(new Rle[] {new Rle(10, 10, new int[] {0, 50})},
                                new Rle[] {new Rle(10, 10, new int[] {0, 100})}, new boolean[1]),
                        "RLE runs sum to 50, not h*w = 100"),
                BadInput.java("java/mask-compressed-garbage", "the bad character and its offset",
                        d -> MaskApi.fromString("0\u00ff", 4, 4),
                        "compressed RLE has a character outside '0'..'o' at offset 1"),
                BadInput.java("java/coco-reader-iscrowd-true-string", "the file, line, annotation and the value",
                        d -> withFile("gt.json", gt(ann(2, "").replace("\"iscrowd\": 0", "\"iscrowd\": \"true\"")).getBytes(StandardCharsets.UTF_8),
                                CocoReader::readDataset),
                        "gt.json:1:", "annotation #1 (id 2)", "'iscrowd' must be 0, 1, true or false"),
                BadInput.java("java/voc-labels-not-utf8", "labels.txt and that it is not UTF-8",
                        d -> withFile("labels.txt", "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1), f -> VocReader.labels(f.getParent())),
                        "labels.txt: is not UTF-8 text"));
    }
}
