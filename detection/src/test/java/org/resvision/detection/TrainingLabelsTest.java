package org.resvision.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.loader.CocoDetectionSource;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import org.resvision.data.transform.Sample;

/** Training targets and evaluation read a config's class names the same way. */
class TrainingLabelsTest {

    @Test
    void classNamesInAnotherOrderGiveTheLabelsEvaluationReads(@TempDir Path dir) throws Exception {
        new SyntheticDatasetWriter(new SyntheticScenes(new SyntheticScenes.Config(96, 64, 4, 3, 5))).writeCoco(dir, 5);
        CocoDataset gt = CocoReader.readDataset(dir.resolve("annotations/instances_train.json"));
        // the dataset's order is circle, rectangle, triangle, star; the config lists them reversed
        List<String> names = List.of("background", "star", "triangle", "rectangle", "circle");
        long[] ids = CocoDetectionEvaluator.categoryIds(names, gt);
        CocoDetectionSource byPosition = new CocoDetectionSource(gt, dir.resolve("images"), false, 64, 96);
        CocoDetectionSource byName = byPosition.withLabels(ids);
        try (NDManager m = NDManager.newBaseManager()) {
            int checked = 0;
            for (int i = 0; i < gt.images().size(); i++) {
                Sample a = byPosition.load(i, new Random(0), m);
                Sample b = byName.load(i, new Random(0), m);
                assertEquals(a.boxes().size(), b.boxes().size());
                for (int k = 0; k < a.labels().length; k++) {
                    assertArrayEquals(a.boxes().box(k), b.boxes().box(k));
                    String name = gt.categories().get(a.labels()[k] - 1).name();
                    assertEquals(names.indexOf(name), b.labels()[k], name);
                    assertEquals(gt.categoryId(a.labels()[k]), ids[b.labels()[k]], "evaluation maps the label back to the category");
                    checked++;
                }
            }
            assertTrue(checked >= 10, checked + " objects");
        }
        // names that are not the dataset's: labels by position, as before
        long[] positional = CocoDetectionEvaluator.categoryIds(List.of("background", "a", "b", "c", "d"), gt);
        assertEquals(gt.categoryId(1), positional[1]);
        assertEquals(gt.categoryId(4), positional[4]);
    }
}
