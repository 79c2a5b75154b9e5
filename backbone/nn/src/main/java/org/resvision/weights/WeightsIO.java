package org.resvision.weights;

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
 *
 * <p>Stateless; safe to call from several threads (concurrent saves to one file each write their
 * own temporary file, and the last rename wins).
 */
public final class WeightsIO {

    private WeightsIO() {}

    /**
     * Reads every tensor of {@code file} into arrays owned by {@code manager}.
     *
     * <p>A {@code torch.save} file may hold the state dict itself or wrap it under {@code
     * state_dict}, {@code model}, {@code model_state_dict} or {@code module} (training checkpoints);
     * a pickle holding anything else is refused, and no code from the file is run.
     *
     * @param file a {@code .pth}/{@code .pt} ({@code torch.save}) or safetensors file
     * @param manager owns every array of the result, on its device; close it (or the arrays) to
     *     free them. Arrays already made when reading fails stay attached to it
     * @return a non-empty dict in file order; its {@link StateDict#metadata()} holds a safetensors
     *     file's {@code __metadata__}, or {@code format} = {@code pth} (zip) / {@code pth-legacy}
     *     for a {@code torch.save} file
     * @throws IOException the file cannot be opened or read for another reason (e.g. permission denied)
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

    /**
     * Writes {@code dict} as safetensors, atomically (a temporary file, then a rename).
     *
     * @param file the target; missing parent folders are created and an existing file is replaced
     *     (the temporary file is {@code .NAME.PID-NANOS.tmp} beside it, deleted on failure)
     * @param dict the tensors, written in iteration order; they are read, not closed; data types
     *     float32/64, float16, bfloat16, int8/16/32/64, uint8 and boolean. Its own {@link
     *     StateDict#metadata()} is not written
     * @param metadata the {@code __metadata__} string pairs, or {@code null} or empty for none
     * @throws IOException the folder, temporary file or rename fails
     * @throws IllegalArgumentException a tensor has another data type (before any file is written)
     */
    public static void saveSafetensors(Path file, StateDict dict, Map<String, String> metadata) throws IOException {
        Safetensors.write(file, dict, metadata);
    }
}
