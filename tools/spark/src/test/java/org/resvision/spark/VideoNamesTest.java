package org.resvision.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two inputs whose outputs would share names are refused before any task runs. */
class VideoNamesTest {

    @Test
    void sameStemInTwoFoldersIsRefusedNamingBoth() throws Exception {
        AnnotateVideosJob.checkNamesUnique(List.of("hdfs:///a/x.mp4", "hdfs:///a/y.mp4", "file:/b/z.avi"));
        IOException e = assertThrows(IOException.class,
                () -> AnnotateVideosJob.checkNamesUnique(List.of("hdfs:///a/x.mp4", "hdfs:///b/y.mp4", "hdfs:///b/x.mkv")));
        assertEquals("hdfs:///a/x.mp4 and hdfs:///b/x.mkv would both write x.*; rename one or run them separately", e.getMessage());
    }
}
