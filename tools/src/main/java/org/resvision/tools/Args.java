package org.resvision.tools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small command-line parser: {@code --name value} options, {@code --flag} switches and
 * positional arguments; an unknown option or a missing value is a {@link UsageException}.
 * ({@code --help} is answered by {@link Main} before a command runs.) An option given more than
 * once: {@link #get} and the other single-value readers see the last value (as before), and
 * {@link #getAll} every value in order, for commands whose options repeat.
 *
 * <p>Not thread-safe (one command's parse, read on its thread).
 */
public final class Args {

    private final Map<String, String> options = new LinkedHashMap<>();
    private final Map<String, List<String>> repeated = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final String usage;

    /**
     * @param args the command's arguments
     * @param withValue options that take a value (without the leading dashes)
     * @param flags options that take none
     * @param usage the usage text, printed for {@code --help} and quoted in errors
     */
    public Args(String[] args, Set<String> withValue, Set<String> flags, String usage) throws UsageException {
        this.usage = usage;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flags.contains(name) && value == null) {
                    options.put(name, "true");
                } else if (withValue.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("option --" + name + " needs a value\n" + usage);
                        }
                        value = args[++i];
                    }
                    options.put(name, value);
                    repeated.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                } else {
                    throw new UsageException("unknown option --" + name + "\n" + usage);
                }
            } else {
                positional.add(a);
            }
        }
    }

    public String usage() {
        return usage;
    }

    public boolean flag(String name) {
        return options.containsKey(name);
    }

    public String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /** Every value given to option {@code name}, in command-line order; empty when it is absent. */
    public List<String> getAll(String name) {
        return List.copyOf(repeated.getOrDefault(name, List.of()));
    }

    public String require(String name) throws UsageException {
        String v = options.get(name);
        if (v == null) {
            throw new UsageException("missing --" + name + "\n" + usage);
        }
        return v;
    }

    public int getInt(String name, int fallback) throws UsageException {
        String v = options.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be an integer, got '" + v + "'");
        }
    }

    public float getFloat(String name, float fallback) throws UsageException {
        String v = options.get(name);
        try {
            return v == null ? fallback : Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " must be a number, got '" + v + "'");
        }
    }

    /**
     * A number option that must lie in {@code [min, max]} (NaN and infinities refused), or
     * {@code fallback} when absent.
     */
    public float getFloat(String name, float fallback, float min, float max) throws UsageException {
        float v = getFloat(name, fallback);
        if (options.containsKey(name) && !(v >= min && v <= max)) {
            String range = max == Float.MAX_VALUE ? ">= " + fmt(min) : "in [" + fmt(min) + ", " + fmt(max) + "]";
            throw new UsageException("--" + name + " must be a number " + range + ", got '" + options.get(name) + "'");
        }
        return v;
    }

    /** An integer option that must be at least {@code min}, or {@code fallback} when absent. */
    public int getInt(String name, int fallback, int min) throws UsageException {
        int v = getInt(name, fallback);
        if (options.containsKey(name) && v < min) {
            throw new UsageException("--" + name + " must be an integer >= " + min + ", got '" + options.get(name) + "'");
        }
        return v;
    }

    private static String fmt(float f) {
        return f == (int) f ? String.valueOf((int) f) : String.valueOf(f);
    }

    /**
     * The path of an output file: refused when a folder is there (the user's folder is never
     * replaced by a file).
     */
    public java.nio.file.Path outputFile(String name) throws UsageException {
        java.nio.file.Path p = java.nio.file.Path.of(require(name));
        if (java.nio.file.Files.isDirectory(p)) {
            throw new UsageException("--" + name + " " + p + ": is a folder; give the name of a file to write");
        }
        return p;
    }

    /** The path of an output folder (absent: null when optional): refused when a file is there. */
    public java.nio.file.Path outputFolder(String name, boolean required) throws UsageException {
        String v = required ? require(name) : options.get(name);
        if (v == null) {
            return null;
        }
        java.nio.file.Path p = java.nio.file.Path.of(v);
        if (java.nio.file.Files.exists(p) && !java.nio.file.Files.isDirectory(p)) {
            throw new UsageException("--" + name + " " + p + ": is a file; give a folder (it is created when missing)");
        }
        return p;
    }

    public List<String> positional() {
        return positional;
    }
}
