package org.resvision.backbone.weights;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads and saves state dicts: torchvision {@code .pth} files ({@code torch.save}, zip or legacy
 * format) and safetensors, recognised by their content, not their extension. No Python is
 * involved. Float16/BFloat16 tensors widen to float32; other types keep theirs.
 */
public final class WeightsIO {

    private WeightsIO() {}

    /**
     * Reads every tensor of {@code file} into arrays owned by {@code manager}.
     *
     * @throws WeightsFormatException the file is not a state dict, or is truncated or corrupt
     *     (the message names the file and the problem)
     */
    public static StateDict load(Path file, NDManager manager) throws IOException {
        byte[] head = new byte[9];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new WeightsFormatException(file, "no such file");
        }
        if (n < 8) {
            throw new WeightsFormatException(file, "too short for a weights file (" + n + " bytes)");
        }
        StateDict dict;
        try {
            if (TorchCheckpoint.isZip(head)) {
                dict = TorchCheckpoint.readZip(file, manager);
                dict.metadata().put("format", "pth");
            } else if (TorchCheckpoint.isLegacyPickle(head)) {
                dict = TorchCheckpoint.readLegacy(file, manager);
                dict.metadata().put("format", "pth-legacy");
            } else if (n == 9 && head[8] != '{' && (head[0] & 0xff) == 0x80) {
                // a bare pickle: unpickling it names what it holds (and refuses code)
                dict = TorchCheckpoint.readLegacy(file, manager);
            } else {
                dict = Safetensors.read(file, manager);
            }
        } catch (WeightsFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightsFormatException(file, e.getMessage(), e);
        }
        if (dict.size() == 0) {
            throw new WeightsFormatException(file, "holds no tensors");
        }
        return dict;
    }

    /** Writes {@code dict} as safetensors, atomically (a temporary file, then a rename). */
    public static void saveSafetensors(Path file, StateDict dict, Map<String, String> metadata) throws IOException {
        Safetensors.write(file, dict, metadata);
    }
}
