package org.resvision.spark;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * Files on any Hadoop-compatible filesystem ({@code file://}, {@code hdfs://}, {@code s3a://}, or a
 * plain path, taken as the default filesystem's, local in local mode): listing inputs, bringing an
 * input to the local disk for the decoders, and committing an output atomically.
 *
 * <p>A commit copies the local file to a temporary name next to its destination ({@code
 * .NAME.<token>.tmp}, unique per task attempt) and renames it onto the destination; on HDFS and
 * local disks a rename is atomic, on S3 the object appears whole when the copy completes. Readers
 * therefore see a destination either absent or complete, never partial.
 */
final class Storage {

    private Storage() {}

    /** The filesystem of {@code p}; a local one writes no {@code .crc} side files (outputs are the commands' files, nothing more). */
    static FileSystem fs(Path p, Configuration conf) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        fs.setWriteChecksum(false);
        fs.setVerifyChecksum(false);
        return fs;
    }

    /** Whether a path string holds glob characters. */
    static boolean isGlob(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0 || s.indexOf('{') >= 0;
    }

    /**
     * The files that {@code inputs} name, fully qualified, in order, without repeats: a folder is
     * searched recursively for files {@code accept} takes (sorted by path), a glob expands to the
     * matching files (hidden ones left out, as in folders) and folders' contents, a {@code @LIST} file names one input per line (blank
     * lines and {@code #} comments skipped), and a file is itself.
     *
     * @throws IOException one line naming the input that does not exist or matches nothing
     */
    static List<String> list(List<String> inputs, Predicate<String> accept, Configuration conf) throws IOException {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String in : inputs) {
            if (in.startsWith("@")) {
                Path listFile = new Path(in.substring(1));
                List<String> named = new ArrayList<>();
                try (InputStream s = fs(listFile, conf).open(listFile)) {
                    for (String line : new String(s.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                        String t = line.strip();
                        if (!t.isEmpty() && !t.startsWith("#")) {
                            named.add(t);
                        }
                    }
                } catch (java.io.FileNotFoundException e) {
                    throw new IOException(in.substring(1) + ": no such list file");
                }
                out.addAll(list(named, accept, conf));
                continue;
            }
            Path p = new Path(in);
            FileSystem fs = fs(p, conf);
            FileStatus[] matches = isGlob(in) ? fs.globStatus(p) : fs.exists(p) ? new FileStatus[] {fs.getFileStatus(p)} : null;
            if (matches == null || matches.length == 0) {
                throw new IOException(in + (isGlob(in) ? ": matches no file" : ": no such file or folder"));
            }
            java.util.Arrays.sort(matches, (a, b) -> a.getPath().toString().compareTo(b.getPath().toString()));
            for (FileStatus st : matches) {
                if (st.isDirectory()) {
                    List<String> found = new ArrayList<>();
                    RemoteIterator<LocatedFileStatus> it = fs.listFiles(st.getPath(), true);
                    while (it.hasNext()) {
                        LocatedFileStatus f = it.next();
                        String name = f.getPath().getName();
                        if (f.isFile() && !name.startsWith(".") && accept.test(name)) {
                            found.add(f.getPath().toString());
                        }
                    }
                    found.sort(null);
                    out.addAll(found);
                } else if (!isGlob(in) || (!st.getPath().getName().startsWith(".") && accept.test(st.getPath().getName()))) {
                    out.add(fs.makeQualified(st.getPath()).toString());
                }
            }
        }
        return new ArrayList<>(out);
    }

    /** Whether {@code uri} is on the local disk (then the decoders read it in place). */
    static boolean isLocal(String uri) {
        String scheme = URI.create(new Path(uri).toUri().toString()).getScheme();
        return scheme == null || scheme.equals("file");
    }

    /** The local path of a {@code file:} URI or plain path. */
    static java.nio.file.Path localPath(String uri) {
        URI u = new Path(uri).toUri();
        return u.getScheme() == null ? java.nio.file.Path.of(u.getPath()) : java.nio.file.Path.of(u);
    }

    /**
     * A local copy of {@code uri} in {@code scratch} (the file itself when it is local).
     *
     * @throws IOException one line naming the input
     */
    static java.nio.file.Path local(String uri, java.nio.file.Path scratch, Configuration conf) throws IOException {
        if (isLocal(uri)) {
            return localPath(uri);
        }
        Path p = new Path(uri);
        java.nio.file.Path copy = scratch.resolve(p.getName());
        try {
            fs(p, conf).copyToLocalFile(false, p, new Path(copy.toUri()), true);
        } catch (IOException e) {
            throw new IOException(uri + ": cannot copy it to the local disk: " + e.getMessage(), e);
        }
        return copy;
    }

    /** The temporary name an attempt writes {@code dst} under before the rename. */
    static Path temporary(Path dst, String token) {
        return new Path(dst.getParent(), "." + dst.getName() + "." + token + ".tmp");
    }

    /** Whether a file name is one of {@link #temporary}'s for the job {@code jobToken} (any attempt). */
    static boolean isTemporaryOfJob(String name, String jobToken) {
        return name.startsWith(".") && name.endsWith(".tmp") && name.contains("." + jobToken + "-");
    }

    /**
     * Copies {@code local} to {@code dst} atomically (see the class comment): an earlier {@code dst}
     * (an earlier attempt's, or an older run's) is replaced.
     */
    static void commit(java.nio.file.Path local, Path dst, String token, Configuration conf) throws IOException {
        FileSystem fs = fs(dst, conf);
        fs.mkdirs(dst.getParent());
        Path tmp = temporary(dst, token);
        try {
            fs.copyFromLocalFile(false, true, new Path(local.toUri()), tmp);
            if (!fs.rename(tmp, dst)) {
                // HDFS and object stores do not rename onto an existing file: replace it
                if (fs.exists(dst) && fs.delete(dst, false) && fs.rename(tmp, dst)) {
                    return;
                }
                throw new IOException(dst + ": could not rename " + tmp.getName() + " onto it");
            }
        } catch (IOException e) {
            fs.delete(tmp, false);
            throw e;
        }
    }

    /** Deletes the temporary files a job's killed attempts left in {@code dir}; returns how many. */
    static int removeTemporaries(Path dir, String jobToken, Configuration conf) throws IOException {
        FileSystem fs = fs(dir, conf);
        if (!fs.exists(dir)) {
            return 0;
        }
        int n = 0;
        for (FileStatus st : fs.listStatus(dir)) {
            if (st.isFile() && isTemporaryOfJob(st.getPath().getName(), jobToken) && fs.delete(st.getPath(), false)) {
                n++;
            }
        }
        return n;
    }

    /** Writes a small text file atomically (a run summary, a results file written on the driver). */
    static void writeText(Path dst, String text, String token, Configuration conf) throws IOException {
        java.nio.file.Path local = Files.createTempFile("resvision-", ".out");
        try {
            Files.writeString(local, text, StandardCharsets.UTF_8);
            commit(local, dst, token, conf);
        } finally {
            Files.deleteIfExists(local);
        }
    }

    /** The file name without its extension. */
    static String stem(String uri) {
        String n = new Path(uri).getName();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** The lower-case extension of a file name, or "". */
    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    }

    /** Deletes a local folder and what it holds, quietly (scratch space). */
    static void deleteTree(java.nio.file.Path dir) {
        try (java.util.stream.Stream<java.nio.file.Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // scratch space: what cannot be deleted now goes with the executor's temporary folder
        }
    }
}
