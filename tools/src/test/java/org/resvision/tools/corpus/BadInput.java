package org.resvision.tools.corpus;

import java.nio.file.Path;
import java.util.List;

/**
 * One case of the standing bad-input corpus: a hostile or broken input to a command (or to a Java
 * entry point), and what the user must see. {@link BadInputCorpusTest} runs every case in a fresh
 * folder and checks, besides the case's own expectations: one line on stderr naming the file and
 * the problem, no stack trace or Java class name, nothing the user already had changed, no partial
 * output left behind. {@code tools/BAD_INPUTS.md} lists every case with what the user sees.
 *
 * @param id        a short stable name, for example {@code coco-eval/rle-short-counts}
 * @param sees      what the user sees, in words (the table's second column)
 * @param setup     writes the inputs into the case's folder and returns the command line
 *                  ({@code argv[0]} is the command) or, for a Java entry point, null after
 *                  registering a {@link #java} call
 * @param exitCode  the expected exit code: 1 (error), 2 (usage), or 0 for a documented skip
 * @param mustSay   substrings the single stderr line must contain (the file's name and the problem);
 *                  for a documented skip, what the warning line must contain
 * @param outputs   paths (relative to the case's folder) that may be created by the run; for failing
 *                  cases normally none
 */
public record BadInput(String id, String sees, Setup setup, int exitCode, List<String> mustSay, List<String> outputs) {

    /** Writes a case's inputs into {@code dir}; returns the command line. */
    public interface Setup {
        String[] write(Path dir) throws Exception;
    }

    /** A Java entry point called with the case's folder; must throw an exception with a one-line message. */
    public interface JavaCall {
        void call(Path dir) throws Exception;
    }

    /** A failing command: exit 1, one line containing every {@code mustSay}. */
    public static BadInput error(String id, String sees, Setup setup, String... mustSay) {
        return new BadInput(id, sees, setup, 1, List.of(mustSay), List.of());
    }

    /** A usage error: exit 2, one line containing every {@code mustSay}. */
    public static BadInput usage(String id, String sees, Setup setup, String... mustSay) {
        return new BadInput(id, sees, setup, 2, List.of(mustSay), List.of());
    }

    /** A documented skip: exit 0, the given outputs may appear, the warning contains every {@code mustSay}. */
    public static BadInput skip(String id, String sees, Setup setup, List<String> outputs, String... mustSay) {
        return new BadInput(id, sees, setup, 0, List.of(mustSay), outputs);
    }

    /**
     * A Java entry point: {@code call} must throw; the exception's message (one line, no class names)
     * must contain every {@code mustSay}. Reported in the table under the command "java".
     */
    public static BadInput java(String id, String sees, JavaCall call, String... mustSay) {
        return new BadInput(id, sees, dir -> {
            JAVA_CALLS.set(call);
            return null;
        }, 1, List.of(mustSay), List.of());
    }

    static final ThreadLocal<JavaCall> JAVA_CALLS = new ThreadLocal<>();

    /** Where the cases come from: one list per area, each in its own class of this package. */
    public interface Source {
        List<BadInput> cases();
    }
}
