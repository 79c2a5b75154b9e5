package org.resvision.data.coco;

import java.io.IOException;
import java.nio.file.Path;

/** A COCO file that cannot be used; the message names the file (and line/column or record). */
public class CocoFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public CocoFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public CocoFormatException(Path file, long line, long column, String problem) {
        super(file + ":" + line + ":" + column + ": " + problem);
    }
}
