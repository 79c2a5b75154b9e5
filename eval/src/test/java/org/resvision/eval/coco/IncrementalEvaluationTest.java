package org.resvision.eval.coco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.resvision.data.coco.CocoDataset;
import org.resvision.data.coco.CocoImage;
import org.resvision.data.coco.CocoReader;
import org.resvision.data.coco.CocoResult;

/** The training-loop interface gives the batch numbers. */
class IncrementalEvaluationTest {

    @Test
    void processingEveryImageEqualsTheBatchEvaluation() throws Exception {
        Path dir = PycocotoolsFixturesTest.fixtures().resolve("10-realistic-200");
        CocoDataset gt = CocoReader.readDataset(dir.resolve("gt.json"));
        List<CocoResult> dt = CocoReader.readResults(dir.resolve("dt.json"));
        CocoEvalParams params = CocoEvalParams.defaults(CocoEvalParams.IouType.BBOX);
        Map<Long, List<CocoResult>> byImage = dt.stream().collect(Collectors.groupingBy(CocoResult::imageId));

        CocoEvaluator ev = new CocoEvaluator(gt, params);
        ev.process(1L << 40, List.of()); // a stray call, then forgotten
        ev.reset();
        for (CocoImage im : gt.images()) {
            ev.process(im.id(), byImage.getOrDefault(im.id(), List.of()));
        }
        double[] batch = CocoEvaluator.evaluate(gt, dt, params).stats();
        assertArrayEquals(batch, ev.evaluate().stats(), 0.0);

        // half of the images: the same as a batch evaluation restricted to them
        ev.reset();
        List<Long> half = new ArrayList<>();
        for (int i = 0; i < gt.images().size(); i += 2) {
            long id = gt.images().get(i).id();
            half.add(id);
            ev.process(id, byImage.getOrDefault(id, List.of()));
        }
        List<CocoResult> halfDt = dt.stream().filter(r -> half.contains(r.imageId())).toList();
        double[] sub = CocoEvaluator.evaluate(gt, halfDt, params.withImageIds(half.stream().mapToLong(Long::longValue).toArray())).stats();
        assertArrayEquals(sub, ev.evaluate().stats(), 0.0);
        assertNotEquals(batch[0], sub[0]);
        assertThrows(CocoEvalException.class, () -> ev.process(1, List.of(dt.get(0))));

        // the same evaluator through the interface the inference loops drive, in reverse image order
        org.resvision.eval.DatasetEvaluator<CocoEvaluator.ImageResults, CocoEvalResult> generic = ev;
        generic.reset();
        for (int i = gt.images().size() - 1; i >= 0; i--) {
            long id = gt.images().get(i).id();
            generic.process(new CocoEvaluator.ImageResults(id, byImage.getOrDefault(id, List.of())));
        }
        CocoEvalResult viaInterface = generic.evaluate();
        assertArrayEquals(batch, viaInterface.stats(), 0.0);
        CocoEvalException wrong = assertThrows(CocoEvalException.class,
                () -> generic.process(new CocoEvaluator.ImageResults(dt.get(0).imageId() + 1, List.of(dt.get(0)))));
        assertTrue(wrong.getMessage().contains("was passed for image " + (dt.get(0).imageId() + 1)), wrong.getMessage());
        assertArrayEquals(batch, generic.evaluate().stats(), 0.0, "a refused image adds nothing");
    }
}
