package org.resvision.data.voc;

import java.io.IOException;
import java.nio.file.Path;

/** A VOC file that cannot be used; one line naming the file and the problem. */
public class VocFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public VocFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
