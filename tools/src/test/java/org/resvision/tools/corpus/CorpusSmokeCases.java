package org.resvision.tools.corpus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** coco-eval results that were already answered well before the corpus existed (kept as regressions). */
final class CorpusSmokeCases implements BadInput.Source {

    static final String GT = "{\"images\": [{\"id\": 1, \"width\": 100, \"height\": 80, \"file_name\": \"a.jpg\"}],"
            + " \"categories\": [{\"id\": 1, \"name\": \"thing\"}],"
            + " \"annotations\": [{\"id\": 1, \"image_id\": 1, \"category_id\": 1, \"bbox\": [10, 10, 20, 20], \"area\": 400, \"iscrowd\": 0}]}";

    /** Writes the small ground truth and a results file with {@code results} as its text; returns coco-eval's argv. */
    static String[] cocoEval(Path dir, String results, String... more) throws Exception {
        Path gt = Files.writeString(dir.resolve("gt.json"), GT);
        Path dt = Files.writeString(dir.resolve("dt.json"), results);
        String[] base = {"coco-eval", "--gt", gt.toString(), "--dt", dt.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Override
    public List<BadInput> cases() {
        return List.of(
                BadInput.error("coco-eval/results-syntax-error", "the file, line and column of the JSON error",
                        d -> cocoEval(d, "[{\"image_id\": 1, \"category_id\": 1,\n \"bbox\": [1, 2, 3, 4] \"score\": 0.5}]"),
                        "dt.json:2:"),
                BadInput.error("coco-eval/results-unknown-image", "the file and the image id that the ground truth lacks",
                        d -> cocoEval(d, "[{\"image_id\": 7, \"category_id\": 1, \"bbox\": [1, 2, 3, 4], \"score\": 0.5}]"),
                        "dt.json", "image id 7, which is not in the ground truth"));
    }
}
