package org.resvision.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.resvision.parity.ParityFixtures;

/** Real {@code torch.save} files (made by tools/reference/parity/weights_fixtures.py) read in Java. */
class PthReaderTest {

    @TempDir static Path dir;
    static JsonNode expected;

    @BeforeAll
    static void makeFiles() throws Exception {
        ParityFixtures.assumeTorchvision();
        ParityFixtures.runScript("weights_fixtures.py", dir.resolve("log.txt"), dir.toString());
        expected = new ObjectMapper().readTree(dir.resolve("expected.json").toFile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"zip.pth", "legacy.pth", "wrapped.pth"})
    void everyTensorMatchesTorch(String file) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict sd = WeightsIO.load(dir.resolve(file), m);
            JsonNode exp = expected.get(file);
            assertEquals(exp.size(), sd.size());
            for (Iterator<Map.Entry<String, JsonNode>> it = exp.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                NDArray a = sd.get(e.getKey());
                JsonNode want = e.getValue();
                long[] shape = new ObjectMapper().convertValue(want.get("shape"), long[].class);
                assertArrayEquals(shape, a.getShape().getShape(), e.getKey());
                String dtype = want.get("dtype").asText();
                DataType type = dtype.equals("int64") ? DataType.INT64 : DataType.FLOAT32; // float16 widens
                assertEquals(type, a.getDataType(), e.getKey());
                double sum = a.toType(DataType.FLOAT64, false).sum().getDouble();
                assertEquals(want.get("sum").asDouble(), sum, 1e-5, e.getKey() + " sum");
                double first = a.toType(DataType.FLOAT64, false).flatten().getDouble(0);
                assertEquals(want.get("first").asDouble(), first, 0.0, e.getKey() + " first element");
            }
            // the transposed view is a real transpose of the stored rows
            NDArray t = sd.get("transposed");
            NDArray rows = sd.get("view.a");
            assertEquals(t.getFloat(0, 1), rows.getFloat(0, 0), 0f);
            assertEquals(t.getFloat(3, 2), rows.getFloat(1, 3), 0f);
        }
    }

    @Test
    void notAStateDictAndCodeAreRefusedWithTheFileName() {
        try (NDManager m = NDManager.newBaseManager()) {
            WeightsFormatException list = assertThrows(WeightsFormatException.class,
                    () -> WeightsIO.load(dir.resolve("list.pth"), m));
            assertTrue(list.getMessage().startsWith(dir.resolve("list.pth") + ": not a state dict"), list.getMessage());
            WeightsFormatException evil = assertThrows(WeightsFormatException.class,
                    () -> WeightsIO.load(dir.resolve("evil.pth"), m));
            assertTrue(evil.getMessage().contains("os.system"), evil.getMessage());
            WeightsFormatException cut = assertThrows(WeightsFormatException.class,
                    () -> WeightsIO.load(dir.resolve("truncated.pth"), m));
            assertTrue(cut.getMessage().startsWith(dir.resolve("truncated.pth") + ": "), cut.getMessage());
            assertTrue(cut.getMessage().contains("zip"), cut.getMessage());
        }
    }
}
