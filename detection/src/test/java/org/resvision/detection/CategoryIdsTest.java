package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.resvision.backbone.hub.WeightsCatalog;
import org.resvision.data.boxes.Boxes;
import org.resvision.data.coco.CocoCategory;
import org.resvision.data.coco.CocoDataset;

/** Model labels to a dataset's category ids: by name for torchvision's COCO detectors (label = COCO id), by position otherwise. */
class CategoryIdsTest {

    private static final CocoDataset GT = new CocoDataset(List.of(), List.of(),
            List.of(new CocoCategory(1, "person", "person"), new CocoCategory(3, "car", "vehicle"), new CocoCategory(90, "toothbrush", "indoor")));

    @Test
    void torchvisionsCocoLabelsAreCocoIds() {
        List<String> coco91 = WeightsCatalog.get().find("fasterrcnn_resnet50_fpn_v2").categories();
        long[] ids = CocoDetectionEvaluator.categoryIds(coco91, GT);
        assertEquals(91, ids.length);
        assertEquals(1, ids[1]);
        assertEquals(3, ids[3]);
        assertEquals(90, ids[90]);
        assertEquals(-1, ids[2]); // bicycle: not in this dataset, its detections are dropped
        assertEquals(-1, ids[12]); // N/A
        assertEquals(-1, ids[0]);
        // what the positional map alone did: label 3 (car) became the third category, toothbrush
        assertEquals(90, CocoDetectionEvaluator.categoryIds(null, GT)[3]);
    }

    @Test
    void aModelTrainedOnTheDatasetOrUnnamedMapsByPosition() {
        assertArrayEquals(new long[] {-1, 1, 3, 90}, CocoDetectionEvaluator.categoryIds(List.of("background", "person", "car", "toothbrush"), GT));
        assertArrayEquals(new long[] {-1, 1, 3, 90, -1}, CocoDetectionEvaluator.categoryIds(List.of("background", "class_1", "class_2", "class_3",
                "class_4"), GT));
        Detections d = new Detections(Boxes.of(new float[] {0, 0, 10, 10, 5, 5, 20, 30}), new float[] {0.9f, 0.8f}, new int[] {3, 2});
        long[] ids = CocoDetectionEvaluator.categoryIds(WeightsCatalog.get().find("fasterrcnn_resnet50_fpn").categories(), GT);
        var results = CocoDetectionEvaluator.toCoco(d, 7, ids);
        assertEquals(1, results.size()); // the bicycle is not in the dataset
        assertEquals(3, results.get(0).categoryId());
    }
}
