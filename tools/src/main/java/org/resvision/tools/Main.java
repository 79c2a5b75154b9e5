package org.resvision.tools;

import java.util.List;
import java.util.Locale;

/** Entry point of the {@code resvision} executable jar: dispatches to a {@link Command}. */
public final class Main {

    /**
     * Every command's name, in the order {@code resvision --help} lists them (sorted by how users
     * meet them); a new command goes here and into {@link #command(String)}.
     */
    static final List<String> NAMES = List.of("synth", "train", "evaluate", "predict", "features", "init-weights",
            "import-weights", "weights", "coco-eval", "voc-eval", "annotate-video", "bench", "completion");

    /**
     * A new instance of command {@code name} (its {@code @Command} name; a test checks the two agree),
     * or null. Only that command is made: making all of them and reading their annotations cost ~6 ms
     * of every start-up, and a small {@code coco-eval} takes ~0.25 s in all.
     */
    static Command command(String name) {
        return switch (name) {
            case "synth" -> new SynthCommand();
            case "train" -> new TrainCommand();
            case "evaluate" -> new EvaluateCommand();
            case "predict" -> new PredictCommand();
            case "features" -> new FeaturesCommand();
            case "init-weights" -> new InitWeightsCommand();
            case "import-weights" -> new ImportWeightsCommand();
            case "weights" -> new WeightsCommand();
            case "coco-eval" -> new CocoEvalCommand();
            case "voc-eval" -> new VocEvalCommand();
            case "annotate-video" -> new AnnotateVideoCommand();
            case "bench" -> new org.resvision.tools.bench.BenchCommand();
            case "completion" -> new CompletionCommand();
            default -> null;
        };
    }

    /** Every command, in the order {@code resvision --help} lists them. */
    static List<Command> commands() {
        return NAMES.stream().map(Main::command).toList();
    }

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns the exit code; never throws. */
    public static int run(String[] args) {
        Runtimes.configure();
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            printUsage();
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--version") || args[0].equals("-V")) {
            System.out.println("resvision " + Cli.version());
            return 0;
        }
        Command c = command(args[0]);
        if (c != null) {
            String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
            if (c.subcommands().isEmpty() && (java.util.Arrays.asList(rest).contains("--help") || java.util.Arrays.asList(rest).contains("-h"))) {
                System.out.println(c.usage());
                return 0;
            }
            return run(c, rest);
        }
        System.err.println("resvision: unknown command '" + args[0] + "' (try --help)");
        return 2;
    }

    /** Runs one command; every failure, an out-of-heap Error included, becomes one line on stderr. */
    static int run(Command c, String[] rest) {
        try {
            return c.run(rest);
        } catch (UsageException e) {
            // the problem only: the usage text is one --help away, and stderr stays one line
            String problem = e.getMessage() == null ? "bad command line" : e.getMessage().lines().findFirst().orElse("");
            System.err.println("resvision " + c.name() + ": " + problem + " (see 'resvision " + c.name() + " --help')");
            return 2;
        } catch (Exception e) {
            System.err.println("resvision " + c.name() + ": error: "
                    + (Runtimes.isOutOfMemory(e) ? Runtimes.outOfMemory(rest) : Runtimes.oneLine(e)));
            debug(e);
            return 1;
        } catch (OutOfMemoryError e) {
            System.err.println("resvision " + c.name() + ": error: " + Runtimes.outOfMemory(rest));
            debug(e);
            return 1;
        }
    }

    private static void debug(Throwable t) {
        if (Boolean.getBoolean("resvision.debug")) {
            t.printStackTrace();
        }
    }

    private static void printUsage() {
        StringBuilder sb = new StringBuilder("usage: resvision <command> [options]\n\ncommands:\n");
        for (Command c : commands()) {
            sb.append(String.format(Locale.ROOT, "  %-16s %s%n", c.name(), c.summary()));
        }
        sb.append("\nRun 'resvision <command> --help' for a command's options; 'resvision spark --help' for the batch jobs on"
                + " Apache Spark (annotate-videos, predict-images, evaluate); 'resvision --version' for the version.");
        System.out.println(sb);
    }
}
