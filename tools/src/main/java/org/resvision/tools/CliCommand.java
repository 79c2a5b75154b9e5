package org.resvision.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * A {@code resvision} command whose options are picocli-annotated fields, declared once with their
 * types, defaults and help text: {@link #run(String[])} parses into the fields ({@link Cli#parse},
 * which turns picocli's errors into one-line {@link UsageException}s) and calls {@link #call()};
 * {@link #usage()} is picocli's generated help. The helpers check what a type alone cannot (ranges,
 * files versus folders) with the same one-line messages, quoting what the user typed.
 *
 * <p>An instance parses one command line: {@link Main} makes a new one per run.
 */
public abstract class CliCommand implements Command {

    private ParseResult parsed;

    /**
     * Runs the command after the options are in the fields.
     *
     * @return the exit code
     * @throws Exception any failure; {@link Main} makes it one line
     */
    protected abstract int call() throws Exception;

    private CommandLine.Command annotation() {
        return getClass().getAnnotation(CommandLine.Command.class);
    }

    @Override
    public String name() {
        return annotation().name();
    }

    /**
     * The words after {@code resvision} that select this command, as its help shows them.
     *
     * @return {@link #name()}, or the group's name and this one's for a sub-command ({@code bench detection})
     */
    public String path() {
        return name();
    }

    @Override
    public String summary() {
        return annotation().header()[0];
    }

    @Override
    public String usage() {
        return Cli.usage(Cli.commandLine(this));
    }

    @Override
    public final int run(String[] args) throws Exception {
        parsed = Cli.parse(this, args);
        return call();
    }

    /** Whether option {@code name} (with its dashes) was on the command line. */
    public boolean given(String name) {
        return parsed != null && parsed.hasMatchedOption(name);
    }

    /** What the user typed for option {@code name} (the last value when repeated), or null. */
    protected String raw(String name) {
        OptionSpec o = parsed == null ? null : parsed.matchedOption(name);
        if (o == null) {
            return null;
        }
        List<String> values = o.originalStringValues();
        return values.isEmpty() ? null : values.get(values.size() - 1);
    }

    /** {@code value}, or a usage error naming the missing option. */
    protected static <T> T require(String name, T value) throws UsageException {
        if (value == null) {
            throw new UsageException("missing " + name);
        }
        return value;
    }

    /** {@code value} when at least {@code min} (or not given: the default), else a usage error quoting the input. */
    public int atLeast(String name, int value, int min) throws UsageException {
        if (given(name) && value < min) {
            throw new UsageException(name + " must be an integer >= " + min + ", got '" + raw(name) + "'");
        }
        return value;
    }

    /** {@code value} when in {@code [min, max]} (NaN and infinities refused; not given: the default), else a usage error. */
    public float inRange(String name, float value, float min, float max) throws UsageException {
        if (given(name) && !(value >= min && value <= max)) {
            String range = max == Float.MAX_VALUE ? ">= " + fmt(min) : "in [" + fmt(min) + ", " + fmt(max) + "]";
            throw new UsageException(name + " must be a number " + range + ", got '" + raw(name) + "'");
        }
        return value;
    }

    private static String fmt(float f) {
        return f == (int) f ? String.valueOf((int) f) : String.valueOf(f);
    }

    /** An output file's path: refused when a folder is there (the user's folder is never replaced by a file). */
    protected static Path outputFile(String name, Path p) throws UsageException {
        require(name, p);
        if (Files.isDirectory(p)) {
            throw new UsageException(name + " " + p + ": is a folder; give the name of a file to write");
        }
        return p;
    }

    /** An output folder's path (null stays null): refused when a file is there. */
    protected static Path outputFolder(String name, Path p) throws UsageException {
        if (p != null && Files.exists(p) && !Files.isDirectory(p)) {
            throw new UsageException(name + " " + p + ": is a file; give a folder (it is created when missing)");
        }
        return p;
    }
}
