package org.resvision.backbone.weights;

import java.io.IOException;
import java.nio.file.Path;

/** A weights file that cannot be used: the message is one line, "{@code <file>: <problem>}". */
public class WeightsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public WeightsFormatException(String message) {
        super(message);
    }

    public WeightsFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public WeightsFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
