package io.portier.server;

import java.io.PrintStream;
import java.nio.file.Path;

/** {@code portier check -c FILE}: validates without starting anything. */
final class CheckCommand {
    private CheckCommand() {}

    /** Prints {@code FILE: ok} to {@code out} and returns 0, or every problem to {@code err} and returns 1. */
    static int execute(Path file, PrintStream out, PrintStream err) {
        if (ConfigFiles.load(file, err).isEmpty()) {
            return ExitCodes.INVALID_CONFIG;
        }
        out.println(file + ": ok");
        return ExitCodes.OK;
    }
}
