package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.boxes.Boxes;
import org.resvision.data.transform.Sample;
import org.resvision.data.transform.Transforms;
import org.resvision.parity.ParityFixtures;
import org.resvision.parity.Tensors;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

/** The data layer's detection transform against torchvision's GeneralizedRCNNTransform. */
class TransformParityTest {

    @TempDir Path dir;

    @Test
    void resizeNormaliseAndBatchMatchTorchvision() throws Exception {
        ParityFixtures.assumeTorchvision();
        ParityFixtures.runScript("transform_reference.py", dir.resolve("log.txt"), dir.toString());
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("transform.json").toFile());
        for (JsonNode s : meta.get("sizes_800_1333")) {
            int[] got = Transforms.detectionSize(s.get(0).asInt(), s.get(1).asInt(), 800, 1333);
            assertArrayEquals(new int[] {s.get(2).asInt(), s.get(3).asInt()}, got, "resize of " + s);
        }
        int min = meta.get("min_size").asInt();
        int max = meta.get("max_size").asInt();
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict ref = WeightsIO.load(dir.resolve("transform.safetensors"), m);
            List<NDArray> images = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                float[] flat = ref.get("boxes" + i).toFloatArray();
                float[][] boxes = {{flat[0], flat[1], flat[2], flat[3]}, {flat[4], flat[5], flat[6], flat[7]}};
                Sample s = new Sample(ref.get("image" + i), Boxes.ofRows(boxes), new int[] {1, 2}, null, null);
                Sample t = Transforms.resizeForDetection(Transforms.normalize(s, Transforms.IMAGENET_MEAN, Transforms.IMAGENET_STD), min, max);
                JsonNode size = meta.get("image_sizes").get(i);
                assertEquals(size.get(0).asLong(), t.height());
                assertEquals(size.get(1).asLong(), t.width());
                float[] want = ref.get("out_boxes" + i).toFloatArray();
                float[] got = {t.boxes().box(0)[0], t.boxes().box(0)[1], t.boxes().box(0)[2], t.boxes().box(0)[3],
                    t.boxes().box(1)[0], t.boxes().box(1)[1], t.boxes().box(1)[2], t.boxes().box(1)[3]};
                assertArrayEquals(want, got, 0f, "boxes are scaled with torchvision's float32 ratios");
                images.add(t.image());
            }
            NDArray batch = Transforms.padBatch(images, 32);
            Tensors.assertClose("transformed batch", batch, ref.get("batch"), 1e-5);
        }
    }
}
