package org.resvision.tools;

/** One sub-command of the {@code resvision} executable; the commands extend {@link CliCommand} (options declared with picocli). */
public interface Command {

    /** The word after {@code resvision} that selects this command. */
    String name();

    /** One line for the command list. */
    String summary();

    /** The full usage text, printed for {@code --help} and after a usage error. */
    String usage();

    /**
     * Runs the command.
     *
     * @param args the arguments after the command name
     * @return the process exit code (0 on success)
     * @throws Exception anything; {@link Main} turns it into a one-line error
     */
    int run(String[] args) throws Exception;

    /**
     * The command's sub-commands ({@code resvision bench detection}): a command that has some prints
     * its own help ({@code --help} after a sub-command's name is that sub-command's); for the others
     * {@link Main} prints {@link #usage()} for {@code --help} anywhere.
     *
     * @return the sub-commands, none by default
     */
    default java.util.List<Command> subcommands() {
        return java.util.List.of();
    }
}
