package org.resvision.data.voc;

import java.io.IOException;
import java.nio.file.Path;

/** A VOC file that cannot be used; one line naming the file and the problem. */
public class VocFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * The message is {@code "<file>: <problem>"}.
     *
     * @param file the file read (annotation XML, split list, segmentation PNG, {@code labels.txt})
     * @param problem what is wrong, one line
     */
    public VocFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
