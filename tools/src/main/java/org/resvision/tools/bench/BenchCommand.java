package org.resvision.tools.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.resvision.tools.Command;
import org.resvision.tools.UsageException;

/**
 * {@code resvision bench NAME [options]}: the benchmark programs the scripts in {@code
 * tools/bench} run, one case per process (so each peak RSS is the case's own), each printing the
 * line or table its script reads.
 */
public final class BenchCommand implements Command {

    /** The benchmarks, in the order the usage lists them. */
    @Override
    public List<Command> subcommands() {
        return List.of(new BackboneBenchCommand(), new DetectionBenchCommand(), new FcnBenchCommand(), new ConvKernelBenchCommand(),
                new WeightsLoadBenchCommand(), new DataBenchCommand());
    }

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmarks: backbone, detection, fcn, conv-kernel, weights-load, data";
    }

    @Override
    public String usage() {
        StringBuilder sb = new StringBuilder(summary() + "\n\nUsage: resvision bench NAME [options]\n\n"
                + "One benchmark case per process, as the scripts in tools/bench run them beside torchvision's.\n\nBenchmarks:\n");
        for (Command c : subcommands()) {
            sb.append(String.format(Locale.ROOT, "  %-14s %s%n", c.name(), c.summary()));
        }
        return sb.append("\nRun 'resvision bench NAME --help' for a benchmark's options.").toString();
    }

    @Override
    public int run(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            if (args.length == 0) {
                throw new UsageException("missing the benchmark's name (" + String.join(", ", subcommands().stream().map(Command::name).toList())
                        + ")");
            }
            System.out.println(usage());
            return 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        for (Command c : subcommands()) {
            if (c.name().equals(args[0])) {
                if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
                    System.out.println(c.usage());
                    return 0;
                }
                return c.run(rest);
            }
        }
        throw new UsageException("unknown benchmark '" + args[0] + "' (" + String.join(", ", subcommands().stream().map(Command::name).toList())
                + ")");
    }
}
