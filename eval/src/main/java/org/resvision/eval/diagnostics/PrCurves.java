package org.resvision.eval.diagnostics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.resvision.eval.coco.CocoEvalResult;
import org.resvision.eval.coco.CocoEvalParams;

/**
 * Precision-recall curves as COCO computes them (interpolated precision at the 101 recall
 * thresholds, last maxDets), per category and area range, at IoU 0.50, 0.75 and averaged over
 * the IoU thresholds, read from {@link CocoEvalResult}'s precision array. A curve of a category
 * without ground truth in that area range is null. Values are rounded to 6 decimals.
 *
 * <p>Stateless; thread-safe.
 */
public final class PrCurves {

    private PrCurves() {}

    /**
     * {@code {"recall": [101], "area_labels", "overall": {area: {"iou50", "iou75", "mean"}}, "per_category":
     * [{category_id, name, curves: {...}}]}}. {@code iou50} / {@code iou75} are left out when that IoU was not
     * evaluated; {@code overall} averages the categories with ground truth.
     *
     * @param res an accumulated COCO result; only read
     * @param names category id to display name; an id without one gets {@code ""}
     * @return a new JSON tree; each curve holds one precision per recall threshold, or is null
     */
    public static ObjectNode toJson(CocoEvalResult res, Map<Long, String> names) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        CocoEvalParams p = res.params();
        ArrayNode rec = o.putArray("recall");
        for (double v : p.recallThresholds()) {
            rec.add(v);
        }
        ArrayNode labels = o.putArray("area_labels");
        for (String l : p.areaLabels()) {
            labels.add(l);
        }
        o.set("overall", curves(res, -1));
        ArrayNode per = o.putArray("per_category");
        long[] ids = res.categoryIds();
        for (int k = 0; k < ids.length; k++) {
            ObjectNode c = per.addObject();
            c.put("category_id", ids[k]);
            c.put("name", names.getOrDefault(ids[k], ""));
            c.set("curves", curves(res, k));
        }
        return o;
    }

    private static ObjectNode curves(CocoEvalResult res, int k) {
        ObjectNode byArea = new ObjectMapper().createObjectNode();
        CocoEvalParams p = res.params();
        int t50 = Thresholds.find(p.iouThresholds(), 0.5);
        int t75 = Thresholds.find(p.iouThresholds(), 0.75);
        for (int a = 0; a < p.areaLabels().length; a++) {
            ObjectNode c = byArea.putObject(p.areaLabels()[a]);
            if (t50 >= 0) {
                put(c, "iou50", res, t50, k, a);
            }
            if (t75 >= 0) {
                put(c, "iou75", res, t75, k, a);
            }
            put(c, "mean", res, -1, k, a);
        }
        return byArea;
    }

    private static void put(ObjectNode c, String key, CocoEvalResult res, int t, int k, int a) {
        int R = res.params().recallThresholds().length;
        if (res.meanPrecision(t, 0, k, a) < 0) {
            c.putNull(key);
            return;
        }
        ArrayNode arr = c.putArray(key);
        for (int r = 0; r < R; r++) {
            double v = res.meanPrecision(t, r, k, a);
            arr.add(Math.round(v * 1e6) / 1e6);
        }
    }
}
