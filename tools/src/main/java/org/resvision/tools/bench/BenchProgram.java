package org.resvision.tools.bench;

import org.resvision.tools.CliCommand;

/** A {@code resvision bench} sub-command: its help and errors name it {@code resvision bench NAME}. */
abstract class BenchProgram extends CliCommand {

    @Override
    public String path() {
        return "bench " + name();
    }
}
