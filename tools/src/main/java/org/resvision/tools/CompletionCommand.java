package org.resvision.tools;

import picocli.CommandLine.Command;

/** {@code resvision completion}: the bash completion script, generated from the commands' declarations. */
@Command(name = "completion", header = "print the bash completion script (source <(resvision completion))",
        description = "Prints a bash script that completes resvision's commands and each command's options (picocli's"
                + " AutoComplete, generated from the same declarations as --help). Load it in the current shell with"
                + " 'source <(resvision completion)', or save it under /etc/bash_completion.d/.")
public final class CompletionCommand extends CliCommand {

    @Override
    protected int call() {
        System.out.print(Cli.completion(Main.commands()));
        return 0;
    }
}
