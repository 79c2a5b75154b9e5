package org.resvision.segmentation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.data.loader.VocSegmentationSource;
import org.resvision.data.synth.SyntheticDatasetWriter;
import org.resvision.data.synth.SyntheticScenes;
import org.resvision.train.TrainingDivergedException;

/**
 * The shared training loop on the CPU FCN preset and synthetic VOC segmentation: the loss falls,
 * checkpoints resume exactly where they stopped, a diverging run stops with a clear message and
 * leaves the last good checkpoint untouched. (What training reaches: {@link SegmentationConvergenceTest}.)
 */
class SegmentationTrainingTest {

    static final int CLASSES = SyntheticScenes.CLASSES.size() + 1;

    private static String train(Path data, Path run, int iters, float lr, boolean resume) throws Exception {
        VocSegmentationSource train = new VocSegmentationSource(data, "train", CLASSES, true, 64, 64);
        VocSegmentationSource val = new VocSegmentationSource(data, "val", CLASSES, false, 64, 64);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(0);
            Fcn fcn = Fcn.of(FcnConfig.small(CLASSES));
            fcn.initialize(m, DataType.FLOAT32, new Shape(1, 3, 64, 64));
            SegmentationRecipe s = new SegmentationRecipe(4, iters, lr, 0.9f, 1e-4f, 0, 5, 10, 64);
            SegmentationTraining.train(fcn, train, val, s, run, resume, m, new PrintStream(log, true));
        } finally {
            System.out.print(log);
        }
        return log.toString();
    }

    private static double loss(String log, int iteration) {
        Matcher mt = Pattern.compile("it " + iteration + "/\\d+ out ([0-9.]+)").matcher(log);
        assertTrue(mt.find(), "no log line for iteration " + iteration + ":\n" + log);
        return Double.parseDouble(mt.group(1));
    }

    @Test
    void lossFallsCheckpointsResumeAndDivergenceStopsCleanly(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("voc");
        new SyntheticDatasetWriter(new SyntheticScenes(new SyntheticScenes.Config(80, 64, 1, 2, 4))).writeVoc(data, 20);
        Path run = dir.resolve("run");

        String first = train(data, run, 20, 0.02f, false);
        assertTrue(loss(first, 20) < 0.7 * loss(first, 5), "loss should fall: " + loss(first, 5) + " -> " + loss(first, 20));
        assertTrue(first.contains("eval @10: global correct"), first);
        assertTrue(Files.exists(run.resolve("model.safetensors"))
                && Files.exists(run.resolve("checkpoints/iter-0000020/optimizer.safetensors")), "the run model and the committed pair");

        String resumed = train(data, run, 30, 0.02f, true);
        assertTrue(resumed.contains("resumed from " + run + " at iteration 20"), resumed);
        assertTrue(!resumed.contains("it 5/30") && resumed.contains("it 30/30"), "continues, does not restart");

        byte[] good = Files.readAllBytes(run.resolve("model.safetensors"));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> train(data, run, 60, 1e7f, true));
        assertTrue(e.getMessage().matches("iteration \\d+: the loss is (NaN|Infinity|-Infinity) .*"), e.getMessage());
        assertTrue(e.getMessage().contains("the last good checkpoint (iteration "), e.getMessage());
        assertArrayEquals(good, Files.readAllBytes(run.resolve("model.safetensors")), "nothing written over the good checkpoint");
        assertEquals("30", org.resvision.weights.WeightsIO.load(run.resolve("model.safetensors"), NDManager.newBaseManager())
                .metadata().get("iteration"));
    }
}
