package org.resvision.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.resvision.data.io.AtomicFiles;
import org.resvision.train.Checkpoints;

/**
 * The folder a {@code train} run writes, held for the run: one process at a time (a lock that dies
 * with the process, {@link OutputLock}), and a folder that already holds a checkpoint is continued only with
 * {@code --resume} and replaced only with {@code --overwrite}, never silently.
 */
final class RunFolder implements AutoCloseable {

    private final OutputLock lock;

    private RunFolder(OutputLock lock) {
        this.lock = lock;
    }

    /** Takes {@code run} for a training run and copies the config into it (atomically). */
    static RunFolder open(Path run, Path config, boolean resume, boolean overwrite) throws Exception {
        if (resume && overwrite) {
            throw new UsageException("--resume continues the run in --out and --overwrite starts it again: pass one of them");
        }
        boolean held = Checkpoints.exists(run);
        if (held && !resume && !overwrite) { // refused before anything is created or changed
            throw new UsageException(run + ": holds a training run already; --resume continues it, --overwrite starts it again");
        }
        Files.createDirectories(run);
        OutputLock lock = OutputLock.tryAcquire(run.resolve(".lock"));
        if (lock == null) {
            throw new IOException(run + ": another training run is writing into this folder");
        }
        RunFolder folder = new RunFolder(lock);
        try {
            if (held && overwrite) {
                Checkpoints.clear(run);
            }
            Path tmp = AtomicFiles.tempSibling(run.resolve("config.json"));
            Files.copy(config, tmp);
            AtomicFiles.commit(tmp, run.resolve("config.json"));
            return folder;
        } catch (Exception e) {
            folder.close();
            throw e;
        }
    }

    /**
     * Adds {@code "class_names"} to the run's {@code config.json} when the config has none, so that
     * the run folder names its classes by itself (a predictor on it says "circle", not "class_1");
     * the rest of the user's JSON is kept as written.
     */
    static void recordClassNames(Path run, java.util.List<String> names) throws IOException {
        Path file = run.resolve("config.json");
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode doc = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(file.toFile());
        if (doc.has("class_names")) {
            return;
        }
        doc.set("class_names", json.valueToTree(names));
        byte[] bytes = json.writeValueAsBytes(doc);
        AtomicFiles.write(file, tmp -> Files.write(tmp, bytes));
    }

    @Override
    public void close() throws IOException {
        lock.close();
    }
}
