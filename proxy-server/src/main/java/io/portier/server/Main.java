package io.portier.server;

import java.io.PrintStream;
import java.util.Map;

/**
 * The {@code portier} command line: {@code demo} (the default), {@code run}, {@code check},
 * {@code reload}, {@code version}, {@code help}. See {@link CommandLine#USAGE} and
 * {@link ExitCodes}.
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.getenv(), System.out, System.err);
        } catch (RuntimeException | Error e) {
            System.err.println("portier: internal error: " + e);
            e.printStackTrace();
            code = ExitCodes.INTERNAL_ERROR;
        }
        System.out.flush();
        System.exit(code);
    }

    /**
     * Runs one command line. {@code run} and {@code demo} block until the proxy has stopped.
     *
     * @param env the environment ({@code PORTIER_CONFIG}, {@code PORTIER_ADMIN_TOKEN})
     * @return the exit code of the contract
     */
    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        CommandLine line;
        try {
            line = CommandLine.parse(args, env);
        } catch (UsageException e) {
            err.println("portier: " + e.getMessage());
            err.println();
            err.print(CommandLine.USAGE);
            return ExitCodes.USAGE;
        }
        try {
            return switch (line.command()) {
                case DEMO -> DemoCommand.execute(out, err);
                case RUN -> RunCommand.execute(line.config().orElseThrow(), err);
                case CHECK -> line.diff() ? DiffCommand.execute(line, env, out, err)
                        : CheckCommand.execute(line.config().orElseThrow(), out, err);
                case RELOAD -> ReloadCommand.execute(line, env, out, err);
                case VERSION -> {
                    out.println("portier " + Version.current());
                    yield ExitCodes.OK;
                }
                case HELP -> {
                    out.print(CommandLine.USAGE);
                    yield ExitCodes.OK;
                }
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.OK;
        }
    }
}
