package org.resvision.data.coco;

import java.io.IOException;
import java.nio.file.Path;

/** A COCO file that cannot be used; the message names the file (and line/column or record). */
public class CocoFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * A problem with the file as a whole; the message is {@code "<file>: <problem>"}.
     *
     * @param file the file read or written
     * @param problem what is wrong, one line
     */
    public CocoFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /**
     * A problem at a place in the file; the message is {@code "<file>:<line>:<column>: <problem>"}.
     *
     * @param file the file read
     * @param line 1-based line of the offending token
     * @param column 1-based column of the offending token
     * @param problem what is wrong, one line (usually naming the record, {@code "detection #3: ..."})
     */
    public CocoFormatException(Path file, long line, long column, String problem) {
        super(file + ":" + line + ":" + column + ": " + problem);
    }
}
