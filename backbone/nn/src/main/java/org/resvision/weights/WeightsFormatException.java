package org.resvision.weights;

import java.io.IOException;
import java.nio.file.Path;

/** A weights file that cannot be used: the message is one line, "{@code <file>: <problem>}". */
public class WeightsFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a message composed by the caller.
     *
     * @param message the whole one-line message, starting with the file it is about
     */
    public WeightsFormatException(String message) {
        super(message);
    }

    /**
     * An exception whose message is {@code file + ": " + problem}.
     *
     * @param file the weights file
     * @param problem what is wrong with it ({@code "holds no tensors"})
     */
    public WeightsFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /**
     * An exception whose message is {@code file + ": " + problem}, with the underlying failure.
     *
     * @param file the weights file
     * @param problem what is wrong with it
     * @param cause the exception that revealed the problem
     */
    public WeightsFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
