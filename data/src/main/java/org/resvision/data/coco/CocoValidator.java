package org.resvision.data.coco;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.resvision.data.mask.MaskApi;
import org.resvision.data.mask.Rle;

/**
 * Checks a COCO instances file for records a training pipeline cannot use: annotations of
 * unknown images or categories, boxes without positive width and height (or with non-finite
 * numbers), polygons with fewer than 3 points, RLEs whose runs do not cover {@code h x w} or whose
 * size differs from the image's. Strict mode stops at the first with a message naming the file
 * and the annotation; {@code skipBad} drops them and counts them, never silently.
 * (Evaluation does not call this: pycocotools scores such records as they are.)
 * Stateless; safe to call from several threads at once.
 */
public final class CocoValidator {

    /**
     * The usable dataset and what was dropped.
     *
     * @param dataset the input itself when nothing was dropped, else a new dataset with the same images and
     *     categories and only the usable annotations
     * @param skipped how many annotations were dropped ({@code problems.size()})
     * @param problems one line per dropped annotation, {@code "annotation <id> (image <id>): <problem>"}, in
     *     file order
     */
    public record Result(CocoDataset dataset, int skipped, List<String> problems) {}

    private CocoValidator() {}

    /**
     * Checks every annotation of {@code ds}.
     *
     * @param ds the dataset as read
     * @param file the file it was read from, for messages only
     * @param skipBad false: the first unusable annotation is an error; true: unusable annotations are dropped
     *     and listed in the result
     * @return the usable dataset and the problems found (none in strict mode)
     * @throws CocoFormatException in strict mode, at the first unusable annotation, naming {@code file}, the
     *     annotation id, its image and the problem
     */
    public static Result validate(CocoDataset ds, Path file, boolean skipBad) throws CocoFormatException {
        List<CocoAnnotation> kept = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (CocoAnnotation a : ds.annotations()) {
            String problem = problem(ds, a);
            if (problem == null) {
                kept.add(a);
                continue;
            }
            String message = "annotation " + a.id() + " (image " + a.imageId() + "): " + problem;
            if (!skipBad) {
                throw new CocoFormatException(file, message);
            }
            problems.add(message);
        }
        CocoDataset clean = problems.isEmpty() ? ds : new CocoDataset(ds.images(), kept, ds.categories());
        return new Result(clean, problems.size(), problems);
    }

    static String problem(CocoDataset ds, CocoAnnotation a) {
        CocoImage im = ds.image(a.imageId());
        if (im == null) {
            return "unknown image id " + a.imageId();
        }
        if (ds.category(a.categoryId()) == null) {
            return "unknown category id " + a.categoryId();
        }
        double[] b = a.bbox();
        if (b == null) {
            return "no bbox";
        }
        for (double v : b) {
            if (!Double.isFinite(v)) {
                return "bbox has a non-finite number";
            }
        }
        if (b[2] <= 0 || b[3] <= 0) {
            return "bbox [" + b[0] + ", " + b[1] + ", " + b[2] + ", " + b[3] + "] has no positive width and height";
        }
        Segmentation s = a.segmentation();
        if (s instanceof Segmentation.Polygons p) {
            for (double[] part : p.parts()) {
                if (part.length < 6 || part.length % 2 != 0) {
                    return "polygon with " + part.length + " numbers (needs at least 3 points)";
                }
            }
        } else if (s instanceof Segmentation.UncompressedRle u) {
            return rleProblem(u.h(), u.w(), u.counts(), im);
        } else if (s instanceof Segmentation.CompressedRle c) {
            try {
                Rle r = MaskApi.fromString(c.counts(), c.h(), c.w());
                return rleProblem(r.h(), r.w(), r.counts(), im);
            } catch (IllegalArgumentException e) {
                return "compressed RLE is malformed (" + e.getMessage() + ")";
            }
        }
        return null;
    }

    private static String rleProblem(int h, int w, int[] counts, CocoImage im) {
        if (h != im.height() || w != im.width()) {
            return "RLE size " + h + "x" + w + " differs from the image's " + im.height() + "x" + im.width();
        }
        return Rle.problem(h, w, counts);
    }
}
