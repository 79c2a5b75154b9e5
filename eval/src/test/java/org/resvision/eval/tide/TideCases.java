package org.resvision.eval.tide;

import java.util.ArrayList;
import java.util.List;
import org.resvision.data.coco.CocoAnnotation;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoResult;
import org.resvision.data.coco.Segmentation;
import org.resvision.eval.coco.CocoEvalException;
import org.resvision.eval.coco.CocoEvalParams;
import org.resvision.eval.coco.CocoEvaluator;

/** Small hand-made GT and detections (100x100 images 1..5, boxes [x, y, w, h]) for the TIDE tests. */
final class TideCases {

    private final List<CocoAnnotation> anns = new ArrayList<>();
    private final List<CocoResult> dets = new ArrayList<>();
    private final long[] categories;

    TideCases(long... categories) {
        this.categories = categories;
    }

    TideCases gt(long image, long category, double x, double y, double w, double h) {
        return add(image, category, false, x, y, w, h);
    }

    TideCases crowd(long image, long category, double x, double y, double w, double h) {
        return add(image, category, true, x, y, w, h);
    }

    private TideCases add(long image, long category, boolean crowd, double x, double y, double w, double h) {
        Segmentation poly = new Segmentation.Polygons(new double[][] {{x, y, x, y + h, x + w, y + h, x + w, y}});
        anns.add(new CocoAnnotation(anns.size() + 1, image, category, new double[] {x, y, w, h}, w * h, crowd, poly));
        return this;
    }

    TideCases det(long image, long category, double score, double x, double y, double w, double h) {
        dets.add(new CocoResult(image, category, new double[] {x, y, w, h}, score, null));
        return this;
    }

    CocoDataset dataset() {
        List<CocoImage> images = new ArrayList<>();
        for (long i = 1; i <= 5; i++) {
            images.add(new CocoImage(i, i + ".jpg", 100, 100));
        }
        List<CocoCategory> cats = new ArrayList<>();
        for (long c : categories) {
            cats.add(new CocoCategory(c, "c" + c, "s"));
        }
        return new CocoDataset(images, anns, cats);
    }

    List<CocoResult> detections() {
        return dets;
    }

    /** TIDE with tidecv's defaults, boxes. */
    TideResult tide() throws CocoEvalException {
        return Tide.evaluate(dataset(), dets, TideParams.defaults(CocoEvalParams.IouType.BBOX));
    }

    /** pycocotools' AP at IoU 0.5 (area all, 100 detections), in percent like TIDE's. */
    double cocoAp50() throws CocoEvalException {
        return 100 * CocoEvaluator.evaluate(dataset(), dets, CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX)).stats()[1];
    }
}
