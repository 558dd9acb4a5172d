package io.portier.server;

import io.portier.config.ConfigDiff;
import io.portier.config.ConfigLoader;
import io.portier.config.InvalidConfigException;
import io.portier.config.PortierConfig;

import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code portier check -c FILE --diff}: validates FILE like {@code check}, then asks the running proxy
 * for its effective config ({@code GET /api/v1/config}, the config's own keys as JSON) and prints
 * what a reload to FILE would change. Nothing is changed.
 */
final class DiffCommand {
    private static final String PATH = "/api/v1/config";

    private DiffCommand() {}

    static int execute(CommandLine line, Map<String, String> env, PrintStream out, PrintStream err)
            throws InterruptedException {
        Optional<PortierConfig> next = ConfigFiles.load(line.config().orElseThrow(), err);
        if (next.isEmpty()) {
            return ExitCodes.INVALID_CONFIG;
        }
        out.println(line.config().get() + ": ok");
        Optional<AdminClient> admin = AdminClient.of(line, env, err);
        if (admin.isEmpty()) {
            return ExitCodes.INVALID_CONFIG;
        }
        Optional<HttpResponse<String>> answer = admin.get().send("GET", PATH, Duration.ofSeconds(10), err);
        if (answer.isEmpty()) {
            return ExitCodes.INVALID_CONFIG;
        }
        if (answer.get().statusCode() != 200) {
            err.println("portier: the admin API at " + admin.get().uri(PATH) + " answered "
                    + answer.get().statusCode() + ": " + answer.get().body());
            return ExitCodes.INVALID_CONFIG;
        }
        PortierConfig running;
        try {
            running = ConfigLoader.parse(answer.get().body(), "running config");
        } catch (InvalidConfigException e) {
            err.println("portier: the running proxy's config could not be read back (a different version?):");
            e.problems().forEach(err::println);
            return ExitCodes.INVALID_CONFIG;
        }
        List<String> changes = ConfigDiff.between(running, next.get()).describe();
        if (changes.isEmpty()) {
            out.println("a reload would change nothing");
        } else {
            out.println("a reload would change:");
            changes.forEach(c -> out.println("  " + c));
        }
        return ExitCodes.OK;
    }
}
