package org.resvision.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.voc.SegmentationMap;
import org.resvision.data.voc.VocReader;

/** train, evaluate and predict on a segmentation config, as a user runs them. */
class SegmentationCommandsTest {

    @TempDir Path dir;

    @Test
    void trainEvaluatePredictAndConfigErrors() throws Exception {
        Path voc = dir.resolve("data/voc");
        assertEquals(0, EvalCommandsTest.run("synth", "--format", "voc", "--images", "10", "--size", "64x48", "--out", dir.resolve("data").toString()).code());
        Path config = dir.resolve("seg.json");
        Files.writeString(config, """
                {"task": "segmentation", "model": "fcn_small", "num_classes": 5,
                 "class_names": ["background", "circle", "rectangle", "triangle", "star"],
                 "base_size": 48, "crop_size": 32, "batch_size": 2, "iterations": 4, "lr": 0.01,
                 "log_every": 2, "checkpoint_every": 4}
                """);
        Path run = dir.resolve("run");
        EvalCommandsTest.Run t = EvalCommandsTest.run("train", "--config", config.toString(), "--data", "voc:" + voc, "--out", run.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("it 4/4") && t.out().contains("mIoU"), t.out());
        assertTrue(Files.exists(run.resolve("model.safetensors")) && Files.exists(run.resolve("config.json")));

        EvalCommandsTest.Run e = EvalCommandsTest.run("evaluate", "--config", config.toString(), "--weights",
                run.resolve("model.safetensors").toString(), "--data", "voc:" + voc);
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("circle") && e.out().contains("mIoU"), e.out());

        Path out = dir.resolve("masks");
        Path draw = dir.resolve("drawn");
        EvalCommandsTest.Run p = EvalCommandsTest.run("predict", "--config", config.toString(), "--weights",
                run.resolve("model.safetensors").toString(), voc.resolve("JPEGImages/000001.jpg").toString(),
                "--out", out.toString(), "--draw", draw.toString());
        assertEquals(0, p.code(), p.err());
        SegmentationMap mask = VocReader.segmentation(out.resolve("000001.png"), 5);
        assertEquals(64, mask.width());
        assertEquals(48, mask.height());
        assertTrue(Files.size(draw.resolve("000001.png")) > 100);

        Path det = dir.resolve("det.json");
        Files.writeString(det, "{\"task\": \"detection\"}");
        EvalCommandsTest.Run d = EvalCommandsTest.run("train", "--config", det.toString(), "--data", "voc:" + voc, "--out", run.toString());
        assertEquals(2, d.code());
        assertTrue(d.err().contains("--data must be coco:ANNOTATIONS.json for detection"), d.err());
        Path typo = dir.resolve("typo.json");
        Files.writeString(typo, "{\"task\": \"segmentation\",\n \"iteratons\": 5}");
        EvalCommandsTest.Run ty = EvalCommandsTest.run("train", "--config", typo.toString(), "--data", "voc:" + voc, "--out", run.toString());
        assertEquals(1, ty.code());
        assertTrue(ty.err().contains(typo + ":2:") && ty.err().contains("iteratons"), ty.err());
    }
}
