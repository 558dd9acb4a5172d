package io.portier.server;

import io.portier.core.ListenerBindException;
import io.portier.server.demo.Demo;

import java.io.PrintStream;

/** {@code portier} or {@code portier demo}: the built-in demo, until Ctrl-C. */
final class DemoCommand {
    /** The demo proxy's preferred port, and the last one tried when the ones before are taken. */
    static final int FIRST_PORT = 8080;
    static final int LAST_PORT = 8099;

    private DemoCommand() {}

    /** Blocks until the demo has stopped; returns the exit code. */
    static int execute(PrintStream out, PrintStream err) throws InterruptedException {
        Demo demo;
        try {
            demo = Demo.start(FIRST_PORT, LAST_PORT, RunCommand.newRegistry(), out);
        } catch (ListenerBindException e) {
            err.println(RunCommand.describe(e));
            return ExitCodes.BIND_FAILED;
        }
        demo.printWhatToTry(out);
        return new Lifecycle(demo::shutdown, Lifecycle.shutdownBound(demo.config())).runUntilStopped();
    }
}
