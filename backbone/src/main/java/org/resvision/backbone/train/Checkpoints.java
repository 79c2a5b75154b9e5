package org.resvision.backbone.train;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.resvision.backbone.nn.StateDictLoader;
import org.resvision.backbone.nn.TorchModule;
import org.resvision.backbone.weights.StateDict;
import org.resvision.backbone.weights.WeightsIO;

/**
 * Training checkpoints in a run folder: {@code model.safetensors} (torchvision-named weights,
 * loadable by {@code predict} and by torchvision) and {@code optimizer.safetensors} (momentum
 * buffers), both carrying the iteration in their metadata; each written atomically, the model
 * last, so a crash between the two leaves the previous pair usable.
 */
public final class Checkpoints {

    private static final String STEP = "_iteration";

    private Checkpoints() {}

    public static void save(Path runDir, TorchModule model, Sgd optimizer, int iteration, NDManager manager) throws IOException {
        Files.createDirectories(runDir);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("iteration", String.valueOf(iteration));
        StateDict opt = optimizer.state();
        opt.put(STEP, manager.create((long) iteration)); // never empty, even before the first update
        WeightsIO.saveSafetensors(runDir.resolve("optimizer.safetensors"), opt, meta);
        WeightsIO.saveSafetensors(runDir.resolve("model.safetensors"), StateDictLoader.export(model, manager), meta);
    }

    /** The iteration to continue from, restoring model and optimizer; 0 if the folder has no checkpoint. */
    public static int resume(Path runDir, TorchModule model, Sgd optimizer, NDManager manager) throws IOException {
        Path m = runDir.resolve("model.safetensors");
        if (!Files.exists(m)) {
            return 0;
        }
        StateDict weights = WeightsIO.load(m, manager);
        StateDictLoader.load(model, weights, m, "", true);
        Path o = runDir.resolve("optimizer.safetensors");
        StateDict opt = WeightsIO.load(o, manager);
        String it = weights.metadata().get("iteration");
        if (it == null || !it.equals(opt.metadata().get("iteration"))) {
            throw new IOException(runDir + ": model and optimizer checkpoints are from different iterations");
        }
        StateDict buffers = new StateDict();
        for (var e : opt) {
            if (!e.getKey().equals(STEP)) {
                buffers.put(e.getKey(), e.getValue());
            }
        }
        optimizer.load(buffers);
        return Integer.parseInt(it);
    }
}
