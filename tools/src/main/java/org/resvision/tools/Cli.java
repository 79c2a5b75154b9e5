package org.resvision.tools;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.AutoComplete;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine;

/**
 * The command line's use of picocli: one configuration for every command (the last value of a
 * repeated single-value option wins, {@code @file} arguments are plain arguments, help at 100
 * columns without colours), picocli's parse errors as one-line {@link UsageException}s in
 * ResVision's words ({@code unknown option --x}, {@code missing --x}, {@code --x must be an
 * integer, got 'v'}), the version and the bash completion script.
 */
final class Cli {

    /** Help text width. */
    static final int WIDTH = 100;

    private Cli() {}

    /** A picocli command line over {@code command}'s annotated fields, configured as every command's. */
    static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setCommandName("resvision " + (command instanceof CliCommand c ? c.path() : cl.getCommandName()));
        cl.setOverwrittenOptionsAllowed(true);
        cl.setExpandAtFiles(false);
        cl.setUsageHelpWidth(WIDTH);
        cl.setUsageHelpAutoWidth(false);
        // the header line, then the synopsis, the description and the lists, a blank line apart
        cl.getCommandSpec().usageMessage().synopsisHeading("%nUsage: ").descriptionHeading("%n")
                .parameterListHeading("%nArguments:%n").optionListHeading("%nOptions:%n");
        return cl;
    }

    /** picocli's help for {@code cl}, without colours. */
    static String usage(CommandLine cl) {
        return cl.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing();
    }

    /**
     * Parses {@code args} into {@code command}'s fields.
     *
     * @return the parse result (which options were given, as typed)
     * @throws UsageException a parse error, in one line
     */
    static CommandLine.ParseResult parse(Object command, String[] args) throws UsageException {
        CommandLine cl = commandLine(command);
        try {
            return cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            // picocli checks required options before it reports unknown ones: a misspelt option is the likelier cause
            String unknown = e instanceof CommandLine.MissingParameterException ? unknownOption(cl.getCommandSpec(), args) : null;
            throw new UsageException(unknown != null ? "unknown option " + unknown : message(e));
        }
    }

    /** The first {@code --name} in {@code args} that is not an option of {@code spec} nor an option's value, or null. */
    static String unknownOption(CommandSpec spec, String[] args) {
        boolean valueNext = false;
        for (String a : args) {
            if (a.equals("--")) {
                return null;
            }
            if (!valueNext && a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = eq > 0 ? a.substring(0, eq) : a;
                OptionSpec o = spec.findOption(name);
                if (o == null) {
                    return name;
                }
                valueNext = eq < 0 && o.arity().max() > 0;
            } else {
                valueNext = false;
            }
        }
        return null;
    }

    /** A parse error in ResVision's words. */
    static String message(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> unmatched = u.getUnmatched();
            String first = unmatched.isEmpty() ? "" : unmatched.get(0);
            if (first.startsWith("-") && first.length() > 1) {
                int eq = first.indexOf('=');
                return "unknown option " + (eq > 0 ? first.substring(0, eq) : first);
            }
            return "unexpected argument '" + first + "'";
        }
        if (e instanceof CommandLine.MissingParameterException m) {
            ArgSpec missing = m.getMissing().isEmpty() ? null : m.getMissing().get(0);
            if (missing instanceof OptionSpec o) {
                return String.valueOf(m.getMessage()).startsWith("Missing required parameter for option")
                        ? "option " + o.longestName() + " needs a value" : "missing " + o.longestName();
            }
            if (missing instanceof PositionalParamSpec p) {
                return "missing " + p.paramLabel();
            }
        }
        ArgSpec spec = e.getArgSpec();
        if (spec instanceof OptionSpec o && e.getValue() != null && String.valueOf(e.getMessage()).startsWith("Invalid value")) {
            Class<?> type = o.type();
            String name = o.longestName();
            String got = ", got '" + e.getValue() + "'";
            if (type == int.class || type == Integer.class || type == long.class || type == Long.class) {
                return name + " must be an integer" + got;
            }
            if (type == float.class || type == Float.class || type == double.class || type == Double.class) {
                return name + " must be a number" + got;
            }
            if (type.isEnum()) {
                return name + " must be " + choices(type) + got;
            }
        }
        return String.valueOf(e.getMessage());
    }

    /** An enum's constants as {@code a, b or c}. */
    static String choices(Class<?> enumType) {
        List<String> names = Stream.of(enumType.getEnumConstants()).map(Object::toString).collect(Collectors.toList());
        return names.size() == 1 ? names.get(0)
                : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    /** The version of this build ({@code resvision --version}). */
    static String version() {
        try (InputStream in = Cli.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * The bash completion script of every command and option ({@code resvision completion}),
     * generated by picocli's {@code AutoComplete} from the same declarations as the help.
     */
    static String completion(List<Command> commands) {
        CommandSpec root = CommandSpec.create().name("resvision");
        root.mixinStandardHelpOptions(true);
        CommandLine cl = new CommandLine(root);
        for (Command c : commands) {
            CommandLine sub = c instanceof CliCommand ? commandLine(c) : new CommandLine(CommandSpec.create().name(c.name()));
            for (Command s : c.subcommands()) {
                sub.addSubcommand(s.name(), s instanceof CliCommand ? commandLine(s) : new CommandLine(CommandSpec.create().name(s.name())));
            }
            cl.addSubcommand(c.name(), sub);
        }
        return AutoComplete.bash("resvision", cl);
    }

    /** {@code --device}'s values: the DJL device a model command runs on. */
    enum DeviceName {
        /** the host's CPU cores */
        cpu,
        /** DJL's first GPU (CUDA libtorch; see README "Depending on it") */
        gpu;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
