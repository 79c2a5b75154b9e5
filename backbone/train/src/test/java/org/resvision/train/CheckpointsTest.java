package org.resvision.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.resvision.nn.LinearLayer;
import org.resvision.weights.WeightsIO;

/** A checkpoint is committed as one pair; every interrupted state resumes from the newest complete pair. */
class CheckpointsTest {

    @TempDir Path run;

    /** A linear layer and its optimizer after {@code steps} SGD steps on sum(W x). */
    record Trained(LinearLayer model, Sgd sgd) {}

    static Trained trained(NDManager m, int steps) {
        Engine.getInstance().setRandomSeed(3);
        LinearLayer model = new LinearLayer(3, 2);
        model.initialize(m, DataType.FLOAT32, new Shape(1, 3));
        Sgd sgd = new Sgd(model.namedParameters(), 0.9f, 1e-4f, true, m);
        for (int i = 0; i < steps; i++) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(model.namedParameters().get("weight").getArray().mul(i + 1).sum());
            }
            sgd.step(0.1f);
        }
        return new Trained(model, sgd);
    }

    static float[] weight(LinearLayer model) {
        return model.namedParameters().get("weight").getArray().toFloatArray();
    }

    @Test
    void pairsAreCommittedAsOneAndOnlyTheNewestIsKept() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Trained t = trained(m, 2);
            Checkpoints.save(run, t.model(), t.sgd(), 2, m);
            Checkpoints.save(run, t.model(), t.sgd(), 4, m);
            try (Stream<Path> s = Files.list(run.resolve("checkpoints"))) {
                assertEquals(List.of("iter-0000004"), s.map(p -> p.getFileName().toString()).toList());
            }
            assertEquals("4", WeightsIO.load(run.resolve("model.safetensors"), m).metadata().get("iteration"));
            assertEquals(Files.size(run.resolve("checkpoints/iter-0000004/model.safetensors")), Files.size(run.resolve("model.safetensors")));
            // written like any other file: the umask decides, not Files.createTempFile's 0600
            Path plain = Files.createFile(run.resolve("plain"));
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(run.resolve("checkpoints/iter-0000004/optimizer.safetensors")));
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(run.resolve("model.safetensors")));
        }
    }

    @Test
    void interruptedWritesResumeFromTheNewestCompletePair() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Trained at3 = trained(m, 3);
            Checkpoints.save(run, at3.model(), at3.sgd(), 3, m);
            float[] want = weight(at3.model());
            // a kill mid-write of iteration 6: a temporary pair folder holding only the optimizer, and a torn temporary model file
            Path torn = Files.createDirectories(run.resolve("checkpoints/.tmp-6-1234-5678"));
            Files.copy(run.resolve("checkpoints/iter-0000003/optimizer.safetensors"), torn.resolve("optimizer.safetensors"));
            Files.write(run.resolve(".model.safetensors.1234-99.tmp"), new byte[] {1, 2, 3});
            // and a kill while an older pair was being removed: half of it, under its discard name
            Path discarded = Files.createDirectories(run.resolve("checkpoints/.tmp-discard-iter-0000001-1234-1"));
            Files.write(discarded.resolve("model.safetensors"), new byte[] {4});

            Trained fresh = trained(m, 0);
            assertEquals(3, Checkpoints.resume(run, fresh.model(), fresh.sgd(), m));
            assertArrayEquals(want, weight(fresh.model()), 0f);
            assertFalse(Files.exists(torn), "the interrupted pair is removed");
            assertFalse(Files.exists(discarded), "the half-removed pair is removed");
            assertFalse(Files.exists(run.resolve(".model.safetensors.1234-99.tmp")), "the torn temporary file is removed");
        }
    }

    @Test
    void aKillBetweenCommitAndPublishResumesTheCommittedPairAndRepublishes() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Trained t = trained(m, 2);
            Checkpoints.save(run, t.model(), t.sgd(), 2, m);
            Path old = Files.copy(run.resolve("model.safetensors"), run.resolve("old.safetensors"));
            Trained t5 = trained(m, 5);
            Checkpoints.save(run, t5.model(), t5.sgd(), 5, m);
            Files.move(old, run.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING); // the run's model still at 2

            Trained fresh = trained(m, 0);
            assertEquals(5, Checkpoints.resume(run, fresh.model(), fresh.sgd(), m));
            assertArrayEquals(weight(t5.model()), weight(fresh.model()), 0f);
            assertEquals("5", WeightsIO.load(run.resolve("model.safetensors"), m).metadata().get("iteration"));
        }
    }

    @Test
    void theOldLayoutStillResumesAndAMismatchedPairIsRefused() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Trained t = trained(m, 2);
            Checkpoints.save(run, t.model(), t.sgd(), 2, m);
            Path pair = run.resolve("checkpoints/iter-0000002");
            Files.delete(run.resolve("model.safetensors"));
            Files.move(pair.resolve("model.safetensors"), run.resolve("model.safetensors"));
            Files.move(pair.resolve("optimizer.safetensors"), run.resolve("optimizer.safetensors"));
            Files.delete(pair);
            Files.delete(run.resolve("checkpoints"));
            assertTrue(Checkpoints.exists(run));
            Trained fresh = trained(m, 0);
            assertEquals(2, Checkpoints.resume(run, fresh.model(), fresh.sgd(), m));
            assertArrayEquals(weight(t.model()), weight(fresh.model()), 0f);

            Trained t4 = trained(m, 4);
            Checkpoints.save(run, t4.model(), t4.sgd(), 4, m);
            assertFalse(Files.exists(run.resolve("optimizer.safetensors")), "the old layout's optimizer is gone once a pair is committed");

            // a pair whose halves disagree (copied by hand) is refused, naming the folder
            Path p4 = run.resolve("checkpoints/iter-0000004");
            Checkpoints.save(run.resolve("other"), t.model(), t.sgd(), 2, m);
            Files.copy(run.resolve("other/checkpoints/iter-0000002/optimizer.safetensors"), p4.resolve("optimizer.safetensors"),
                    StandardCopyOption.REPLACE_EXISTING);
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> Checkpoints.resume(run, fresh.model(), fresh.sgd(), m));
            assertEquals(p4 + ": model and optimizer checkpoints are from different iterations", e.getMessage());
        }
    }

    @Test
    void aLoneModelFileIsARunFolderButNothingToResumeFrom() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Files.writeString(run.resolve("model.safetensors"), "the user's weights");
            assertTrue(Checkpoints.exists(run), "a new run must not replace it silently");
            Trained fresh = trained(m, 0);
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> Checkpoints.resume(run, fresh.model(), fresh.sgd(), m));
            assertEquals(run + ": holds model.safetensors without its optimizer.safetensors: no checkpoint to resume from", e.getMessage());
            Checkpoints.clear(run);
            assertFalse(Checkpoints.exists(run));
            assertEquals(0, Checkpoints.resume(run, fresh.model(), fresh.sgd(), m), "an empty folder starts at 0");
        }
    }

    @Test
    void recipeValuesNoRunCanUseAreRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new TrainLoop.Options(0, 1, 1, run, false, 0f));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Recipe.check(2, 10, -1f, 0.9f, 1e-4f, 1, 1));
        assertEquals("lr -1.0 must be a positive number", e.getMessage());
        assertEquals("checkpoint_every 0 must be at least 1", org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Recipe.check(2, 10, 0.1f, 0.9f, 1e-4f, 1, 0)).getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Recipe.check(2, 10, Float.NaN, 0.9f, 0f, 1, 1));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Recipe.check(2, 10, 0.1f, 1f, 0f, 1, 1));
        Recipe.check(2, 10, 0.1f, 0.9f, 0f, 1, 1);
    }
}
