package org.resvision.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing inputs (folders, globs, @LIST files) and committing outputs, on the local filesystem through Hadoop's API. */
class StorageTest {

    @TempDir Path dir;
    final Configuration conf = new Configuration();

    private List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void listsFoldersGlobsAndListFilesInOrderWithoutRepeats() throws Exception {
        Files.createDirectories(dir.resolve("v/sub"));
        for (String f : List.of("v/b.mp4", "v/a.avi", "v/sub/c.mkv", "v/notes.txt", "v/.hidden.mp4")) {
            Files.writeString(dir.resolve(f), "x");
        }
        List<String> all = Storage.list(List.of(dir.resolve("v").toString()), n -> n.matches(".*\\.(mp4|avi|mkv)"), conf);
        assertEquals(List.of("a.avi", "b.mp4", "sub/c.mkv"), all.stream().map(u -> u.substring(u.indexOf("/v/") + 3)).toList());
        assertTrue(all.get(0).startsWith("file:"), all.get(0));
        List<String> glob = Storage.list(List.of(dir.resolve("v").toString() + "/*.{mp4,avi}"), n -> true, conf);
        assertEquals(2, glob.size());
        Path list = Files.writeString(dir.resolve("list.txt"), "# videos\n" + dir.resolve("v/b.mp4") + "\n\n" + dir.resolve("v") + "\n");
        List<String> fromList = Storage.list(List.of("@" + list), n -> n.matches(".*\\.(mp4|avi|mkv)"), conf);
        assertEquals(3, fromList.size(), fromList.toString()); // b.mp4 once
        assertTrue(fromList.get(0).endsWith("v/b.mp4"), fromList.toString());
        IOException missing = assertThrows(IOException.class, () -> Storage.list(List.of(dir.resolve("nope").toString()), n -> true, conf));
        assertEquals(dir.resolve("nope") + ": no such file or folder", missing.getMessage());
        IOException none = assertThrows(IOException.class, () -> Storage.list(List.of(dir + "/*.webm"), n -> true, conf));
        assertTrue(none.getMessage().endsWith(": matches no file"), none.getMessage());
    }

    @Test
    void commitsReplaceAtomicallyAndLeaveOnlyTheDestination() throws Exception {
        Path out = dir.resolve("out");
        Path a = Files.writeString(dir.resolve("a"), "first attempt");
        Path b = Files.writeString(dir.resolve("b"), "second attempt");
        org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(out.resolve("x.jsonl").toUri());
        Storage.commit(a, dst, "job1-0-0", conf);
        Storage.commit(b, dst, "job1-0-1", conf); // a retry or a speculative copy: replaces, never duplicates
        assertEquals("second attempt", Files.readString(out.resolve("x.jsonl")));
        assertEquals(List.of("x.jsonl"), names(out)); // no .crc, no temporary
        // a killed attempt's temporary file is removed at the job's end, another job's is left
        Files.writeString(out.resolve(".y.jsonl.job1-3-0.tmp"), "half");
        Files.writeString(out.resolve(".y.jsonl.job2-3-0.tmp"), "other job");
        assertEquals(1, Storage.removeTemporaries(new org.apache.hadoop.fs.Path(out.toUri()), "job1", conf));
        assertEquals(List.of(".y.jsonl.job2-3-0.tmp", "x.jsonl"), names(out));
    }
}
