package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.parity.ParityFixtures;
import org.resvision.weights.StateDict;
import org.resvision.weights.WeightsIO;

class WeightsCommandsTest {

    @TempDir Path dir;

    @Test
    void initWeightsLoadIntoTorchvisionStrictly() throws Exception {
        ParityFixtures.assumeTorchvision();
        Path plain = dir.resolve("r18.safetensors");
        assertEquals(0, Main.run(new String[] {"init-weights", "--arch", "resnet18", "--classes", "7", "--seed", "3", "--out", plain.toString()}));
        Path log = dir.resolve("plain.log");
        ParityFixtures.runScript("load_in_torchvision.py", log, "--arch", "resnet18", "--classes", "7", plain.toString());
        assertTrue(Files.readString(log, StandardCharsets.UTF_8).contains("torchvision loaded 122 tensors strictly"));

        Path fpn = dir.resolve("r18fpn.safetensors");
        assertEquals(0, Main.run(new String[] {"init-weights", "--arch", "resnet18", "--fpn", "--out", fpn.toString()}));
        Path fpnLog = dir.resolve("fpn.log");
        ParityFixtures.runScript("load_in_torchvision.py", fpnLog, "--arch", "resnet18", "--fpn", fpn.toString());
        assertTrue(Files.readString(fpnLog, StandardCharsets.UTF_8).contains("torchvision loaded"));
    }

    @Test
    void seedsMakeInitialisationReproducible() throws Exception {
        Path a = dir.resolve("a.safetensors");
        Path b = dir.resolve("b.safetensors");
        Path c = dir.resolve("c.safetensors");
        assertEquals(0, Main.run(new String[] {"init-weights", "--arch", "resnet18", "--seed", "5", "--out", a.toString()}));
        assertEquals(0, Main.run(new String[] {"init-weights", "--arch", "resnet18", "--seed", "5", "--out", b.toString()}));
        assertEquals(0, Main.run(new String[] {"init-weights", "--arch", "resnet18", "--seed", "6", "--out", c.toString()}));
        try (NDManager m = NDManager.newBaseManager()) {
            float[] wa = WeightsIO.load(a, m).get("layer3.1.conv2.weight").toFloatArray();
            float[] wb = WeightsIO.load(b, m).get("layer3.1.conv2.weight").toFloatArray();
            float[] wc = WeightsIO.load(c, m).get("layer3.1.conv2.weight").toFloatArray();
            assertArrayEquals(wa, wb, 0f);
            assertTrue(wa[0] != wc[0] || wa[1] != wc[1]);
            // kaiming_normal(fan_out): std = sqrt(2 / (256 * 3 * 3)) = 0.0295
            double sq = 0;
            for (float v : wa) {
                sq += v * v;
            }
            assertEquals(Math.sqrt(2.0 / (256 * 9)), Math.sqrt(sq / wa.length), 0.001);
        }
    }

    @Test
    void importWeightsConvertsAPthAndRefusesAMismatch() throws Exception {
        Path pth = ParityFixtures.caseDir("resnet18").resolve("weights.pth");
        Path out = dir.resolve("r18.safetensors");
        assertEquals(0, Main.run(new String[] {"import-weights", "--arch", "resnet18", pth.toString(), "--out", out.toString()}));
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict a = WeightsIO.load(pth, m);
            StateDict b = WeightsIO.load(out, m);
            assertEquals(a.names(), b.names());
            for (String k : a.names()) {
                assertTrue(a.get(k).contentEquals(b.get(k)), k);
            }
        }
        Path wrong = dir.resolve("wrong.safetensors");
        assertEquals(1, Main.run(new String[] {"import-weights", "--arch", "resnet34", pth.toString(), "--out", wrong.toString()}));
        assertTrue(!Files.exists(wrong), "nothing is written for a checkpoint that does not fit");
        assertEquals(2, Main.run(new String[] {"import-weights", "--arch", "resnet18", pth.toString()}), "missing --out");
    }
}
