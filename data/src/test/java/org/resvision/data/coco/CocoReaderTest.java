package org.resvision.data.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoReaderTest {

    @TempDir Path dir;

    private Path write(String name, String json) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, json);
        return f;
    }

    @Test
    void readsImagesCategoriesAndEverySegmentationKind() throws Exception {
        Path f = write("gt.json", """
                {"info": {"year": 2017}, "licenses": [],
                 "images": [{"id": 7, "file_name": "a.jpg", "width": 640, "height": 480, "extra": [1, {"x": 2}]}],
                 "categories": [{"id": 3, "name": "cat", "supercategory": "animal"}, {"id": 90, "name": "toothbrush"}],
                 "annotations": [
                   {"id": 1, "image_id": 7, "category_id": 90, "bbox": [1, 2, 3.5, 4], "area": 12.25, "iscrowd": 0,
                    "segmentation": [[1, 2, 4.5, 2, 4.5, 6], [10, 10, 12, 10, 12, 12]]},
                   {"id": 2, "image_id": 7, "category_id": 3, "bbox": [0, 0, 2, 2], "area": 4, "iscrowd": 1,
                    "segmentation": {"size": [480, 640], "counts": [10, 5, 307185]}},
                   {"id": 3, "image_id": 7, "category_id": 3, "bbox": [0, 0, 2, 2], "area": 4, "iscrowd": 1,
                    "segmentation": {"size": [480, 640], "counts": "PPb:"}}]}
                """);
        CocoDataset ds = CocoReader.readDataset(f);
        assertEquals(List.of(new CocoImage(7, "a.jpg", 640, 480)), ds.images());
        assertEquals(2, ds.categories().size());
        assertEquals(1, ds.label(3));
        assertEquals(2, ds.label(90));
        assertEquals(90, ds.categoryId(2));
        assertEquals(-1, ds.label(5));
        CocoAnnotation a = ds.annotations().get(0);
        assertArrayEquals(new double[] {1, 2, 3.5, 4}, a.bbox());
        Segmentation.Polygons poly = assertInstanceOf(Segmentation.Polygons.class, a.segmentation());
        assertEquals(2, poly.parts().length);
        assertArrayEquals(new double[] {10, 10, 12, 10, 12, 12}, poly.parts()[1]);
        Segmentation.UncompressedRle u = assertInstanceOf(Segmentation.UncompressedRle.class, ds.annotations().get(1).segmentation());
        assertArrayEquals(new int[] {10, 5, 307185}, u.counts());
        assertTrue(ds.annotations().get(1).iscrowd());
        assertInstanceOf(Segmentation.CompressedRle.class, ds.annotations().get(2).segmentation());
        // a bbox evaluation's read: the same records without masks
        CocoDataset boxes = CocoReader.readDataset(f, false);
        assertEquals(3, boxes.annotations().size());
        for (int j = 0; j < 3; j++) {
            CocoAnnotation x = boxes.annotations().get(j);
            CocoAnnotation y = ds.annotations().get(j);
            assertEquals(null, x.segmentation());
            assertArrayEquals(y.bbox(), x.bbox());
            assertEquals(y.area(), x.area());
            assertEquals(y.iscrowd(), x.iscrowd());
            assertEquals(y.id(), x.id());
        }
    }

    @Test
    void malformedJsonNamesFileLineAndColumn() throws Exception {
        Path f = write("bad.json", "{\"images\": [\n  {\"id\": 1,, \"width\": 3}\n]}");
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> CocoReader.readDataset(f));
        assertTrue(e.getMessage().startsWith(f + ":2:"), e.getMessage());
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    @Test
    void wrongTypesAndMissingPartsAreClearErrors() throws Exception {
        Path noImages = write("n.json", "{\"categories\": []}");
        assertTrue(assertThrows(CocoFormatException.class, () -> CocoReader.readDataset(noImages))
                .getMessage().contains("no 'images' list"));
        Path badId = write("b.json", "{\"images\": [{\"id\": \"seven\"}], \"categories\": []}");
        assertTrue(assertThrows(CocoFormatException.class, () -> CocoReader.readDataset(badId))
                .getMessage().contains("'id' must be an integer, got seven"));
        Path notList = write("r.json", "{\"image_id\": 1}");
        assertTrue(assertThrows(CocoFormatException.class, () -> CocoReader.readResults(notList))
                .getMessage().contains("expected a JSON list of detections"));
        Path noScore = write("s.json", "[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 1, 1]}]");
        assertTrue(assertThrows(CocoFormatException.class, () -> CocoReader.readResults(noScore))
                .getMessage().contains("has no numeric score"));
        Path shortBox = write("x.json", "[{\"image_id\": 1, \"category_id\": 2, \"bbox\": [0, 0, 1], \"score\": 0.5}]");
        assertTrue(assertThrows(CocoFormatException.class, () -> CocoReader.readResults(shortBox))
                .getMessage().contains("bbox must have 4 numbers"));
        assertTrue(assertThrows(CocoFormatException.class, () -> CocoReader.readResults(dir.resolve("none.json")))
                .getMessage().endsWith("none.json: no such file"));
    }

    @Test
    void resultsKeepFileOrderAndOptionalFields() throws Exception {
        Path f = write("dt.json", """
                [{"image_id": 1, "category_id": 2, "bbox": [0, 0, 1, 1], "score": 0.5},
                 {"image_id": 3, "category_id": 4, "score": 0.25, "segmentation": {"size": [2, 2], "counts": "04"}}]
                """);
        List<CocoResult> r = CocoReader.readResults(f);
        assertEquals(2, r.size());
        assertEquals(0.5, r.get(0).score());
        assertEquals(null, r.get(0).segmentation());
        assertEquals(null, r.get(1).bbox());
        assertEquals(3, r.get(1).imageId());
    }

    /** A results file over the two-thread threshold; {@code trap} puts "}, {" inside a string in the middle. */
    private Path bigResults(String name, boolean trap, boolean brokenTail) throws Exception {
        StringBuilder sb = new StringBuilder("[\n");
        int n = 0;
        while (sb.length() < CocoReader.PARALLEL_MIN_BYTES + 200_000) {
            if (n > 0) {
                sb.append(",\n");
            }
            String note = trap ? ", \"note\": \"}, {}, {\"" : "";
            sb.append("{\"image_id\": ").append(n % 997).append(", \"category_id\": ").append(n % 80 + 1)
                    .append(", \"bbox\": [").append(n % 640).append(".5, 1, 2, 3], \"score\": ").append(1.0 / (n + 2))
                    .append(", \"segmentation\": {\"size\": [480, 640], \"counts\": \"PPb:").append(n).append("\"}").append(note).append('}');
            n++;
        }
        sb.append(brokenTail ? "\n{\"image_id\": 1]" : "\n]");
        return write(name, sb.toString());
    }

    @Test
    void twoThreadReadEqualsOneThreadRead() throws Exception {
        for (boolean trap : new boolean[] {false, true}) {
            Path f = bigResults("big" + trap + ".json", trap, false);
            List<CocoResult> seq = CocoReader.readResultsSequentially(f);
            List<CocoResult> par = CocoReader.readResults(f);
            assertEquals(seq.size(), par.size());
            for (int i = 0; i < seq.size(); i++) {
                assertEquals(seq.get(i).imageId(), par.get(i).imageId());
                assertEquals(seq.get(i).score(), par.get(i).score(), 0.0);
                assertArrayEquals(seq.get(i).bbox(), par.get(i).bbox());
                assertEquals(((Segmentation.CompressedRle) seq.get(i).segmentation()).counts(),
                        ((Segmentation.CompressedRle) par.get(i).segmentation()).counts());
            }
        }
    }

    @Test
    void anErrorInTheSecondHalfIsReportedWithItsRealLine() throws Exception {
        Path f = bigResults("broken.json", false, true);
        long lines = Files.readAllLines(f).size();
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> CocoReader.readResults(f));
        assertTrue(e.getMessage().startsWith(f + ":" + lines + ":"), e.getMessage());
    }

    private String datasetError(String annotation) throws Exception {
        Path f = write("gt.json", "{\"images\": [{\"id\": 1, \"width\": 4, \"height\": 4}], \"categories\": [{\"id\": 1}],\n"
                + " \"annotations\": [{\"id\": 5, \"image_id\": 1, \"category_id\": 1, \"area\": 1},\n" + annotation + "]}");
        String m = assertThrows(CocoFormatException.class, () -> CocoReader.readDataset(f)).getMessage();
        assertTrue(m.startsWith(f.toString()), m);
        return m.substring(f.toString().length());
    }

    private String resultsError(String results) throws Exception {
        Path f = write("dt.json", results);
        String m = assertThrows(CocoFormatException.class, () -> CocoReader.readResults(f)).getMessage();
        assertTrue(m.startsWith(f.toString()), m);
        return m.substring(f.toString().length());
    }

    @Test
    void valuesThatMeanNothingAreNamedWithTheirRecord() throws Exception {
        String a = "{\"id\": 9, \"image_id\": 1, \"category_id\": 1, ";
        assertEquals(":3:55: annotation #2 (id 9): 'iscrowd' must be 0, 1, true or false, got \"1\"",
                datasetError(a + "\"iscrowd\": \"1\"}"));
        assertTrue(datasetError(a + "\"iscrowd\": 2}").endsWith("annotation #2 (id 9): 'iscrowd' must be 0, 1, true or false, got 2"));
        assertTrue(datasetError(a + "\"iscrowd\": null}").endsWith("'iscrowd' must be 0, 1, true or false, got null"));
        assertTrue(datasetError(a + "\"bbox\": [1, NaN, 2, 2]}").endsWith("annotation #2 (id 9): 'bbox' holds NaN, not a finite number"));
        assertTrue(datasetError(a + "\"area\": 1e999}").endsWith("annotation #2 (id 9): 'area' holds 1e999, not a finite number"));
        assertTrue(datasetError(a + "\"segmentation\": {\"size\": [4.5, 4], \"counts\": [16]}}")
                .endsWith("annotation #2 (id 9): RLE size must be [h, w], two non-negative integers, got [4.5, 4.0]"));
        assertTrue(datasetError(a + "\"segmentation\": {\"size\": [4, 4], \"counts\": [20, -4]}}")
                .endsWith("annotation #2 (id 9): RLE counts must be non-negative integers, got -4.0"));
        assertEquals(": annotation id 5 appears twice (again as annotation #2)", datasetError("{\"id\": 5, \"image_id\": 1, \"category_id\": 1}"));
        Path dupImage = write("i.json", "{\"images\": [{\"id\": 1}, {\"id\": 2}, {\"id\": 1}], \"categories\": []}");
        assertEquals(dupImage + ": image id 1 appears twice (again as image #3)",
                assertThrows(CocoFormatException.class, () -> CocoReader.readDataset(dupImage)).getMessage());
        Path dupCategory = write("c.json", "{\"images\": [], \"categories\": [{\"id\": 3}, {\"id\": 3}]}");
        assertEquals(dupCategory + ": category id 3 appears twice (again as category #2)",
                assertThrows(CocoFormatException.class, () -> CocoReader.readDataset(dupCategory)).getMessage());
        Path hugeWidth = write("w.json", "{\"images\": [{\"id\": 1, \"width\": 1e10}], \"categories\": []}");
        assertTrue(assertThrows(CocoFormatException.class, () -> CocoReader.readDataset(hugeWidth)).getMessage()
                .endsWith("image #1: 'width' must be a non-negative integer, got 1e10"));

        String d = "[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 2, 2], \"score\": 0.5},\n {\"image_id\": 1, \"category_id\": 1, ";
        assertEquals(":2:67: detection #2: 'score' holds NaN, not a finite number", resultsError(d + "\"bbox\": [0, 0, 2, 2], \"score\": NaN}]"));
        assertTrue(resultsError(d + "\"bbox\": [0, 0, Infinity, 2], \"score\": 1}]").endsWith("detection #2: 'bbox' holds Infinity, not a finite number"));
        assertTrue(resultsError(d + "\"bbox\": [0, 0, -2, 2], \"score\": 1}]")
                .endsWith("detection #2: (image 1) bbox [0.0, 0.0, -2.0, 2.0] has a negative width or height"));
        assertTrue(resultsError(d + "\"score\": 1}]").endsWith("detection #2: (image 1) has neither bbox nor segmentation"));
        assertTrue(resultsError(d + "\"image_id\": 123456789012345678901234567890}]")
                .endsWith("detection #2: 'image_id' must be an integer, got 123456789012345678901234567890"));
    }

    @Test
    void foldersEmptyFilesAndDeepNestingAreOneLine() throws Exception {
        assertEquals(dir + ": is a folder, not a file", assertThrows(CocoFormatException.class, () -> CocoReader.readResults(dir)).getMessage());
        assertEquals(dir + ": is a folder, not a file", assertThrows(CocoFormatException.class, () -> CocoReader.readDataset(dir)).getMessage());
        assertEquals(": the file is empty", resultsError(" \n"));
        // Jackson stops after the first value: a second one (two files concatenated) was silently ignored
        assertEquals(":2:1: unexpected content after the end of the JSON value", resultsError("[]\n[]"));
        Path twoObjects = write("two.json", "{\"images\": [], \"categories\": []} {}");
        String two = assertThrows(CocoFormatException.class, () -> CocoReader.readDataset(twoObjects)).getMessage();
        assertTrue(two.endsWith(":1:34: unexpected content after the end of the JSON value"), two);
        // a UTF-8 byte-order mark is accepted (pycocotools' json.load refuses it; the numbers cannot differ)
        Path bom = dir.resolve("bom.json");
        Files.write(bom, "\uFEFF[{\"image_id\": 1, \"category_id\": 1, \"score\": 1, \"bbox\": [0, 0, 1, 1]}]".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(1, CocoReader.readResults(bom).size());
        String deep = "[".repeat(5000) + "]".repeat(5000);
        String m = resultsError("[{\"image_id\": 1, \"category_id\": 1, \"score\": 1, \"bbox\": [0, 0, 1, 1], \"extra\": " + deep + "}]");
        assertTrue(m.contains("malformed JSON: Document nesting depth"), m);
        Path latin1 = dir.resolve("latin1.json");
        Files.write(latin1, "[{\"image_id\": 1, \"note\": \"caf\u00e9\"}]".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        String l = assertThrows(CocoFormatException.class, () -> CocoReader.readResults(latin1)).getMessage();
        assertTrue(l.startsWith(latin1 + ":1:") && l.contains("malformed JSON: Invalid UTF-8"), l);
    }
}
