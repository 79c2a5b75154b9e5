package org.resvision.backbone.zoo;

import ai.djl.Model;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** What the task factories (Faster R-CNN, FCN) read from the arguments DJL hands them. */
public final class ZooArguments {

    private ZooArguments() {}

    /**
     * A non-blank argument as text, else null.
     *
     * @param arguments DJL's model arguments; may be {@code null}
     * @param key the argument's name
     * @return the value's {@code toString()}, or {@code null} when it is absent, blank or {@code
     *     arguments} is {@code null}
     */
    public static String string(Map<String, ?> arguments, String key) {
        Object v = arguments == null ? null : arguments.get(key);
        return v == null || v.toString().isBlank() ? null : v.toString();
    }

    /**
     * {@code resvision.file}, else the model path itself or the file of the model's name in it.
     *
     * @param model the DJL model being loaded; its name is the file looked for in a folder
     * @param modelPath what DJL passes: the checkpoint file itself or its folder
     * @param arguments DJL's model arguments; may be {@code null}
     * @return the {@code resvision.file} argument as given (its existence is not checked), else an
     *     existing regular file
     * @throws IOException none of the three is a checkpoint (the message says what was tried)
     */
    public static Path checkpoint(Model model, Path modelPath, Map<String, ?> arguments) throws IOException {
        String file = string(arguments, ResVisionRepository.ARG_FILE);
        if (file != null) {
            return Path.of(file);
        }
        if (Files.isRegularFile(modelPath)) {
            return modelPath;
        }
        Path named = modelPath.resolve(model.getName());
        if (Files.isRegularFile(named)) {
            return named;
        }
        throw new IOException(modelPath + ": no checkpoint named " + model.getName() + " (pass the checkpoint file to optModelPath)");
    }
}
