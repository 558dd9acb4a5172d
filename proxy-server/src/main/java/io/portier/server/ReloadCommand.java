package io.portier.server;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code portier reload}: asks the running proxy, through {@code POST /api/v1/reload} of its admin
 * API, to reload its config file, and prints the answer.
 *
 * <p>The admin API is found as {@link AdminClient} says.
 */
final class ReloadCommand {
    private static final String PATH = "/api/v1/reload";
    /** A reload validates, diffs and rebinds: seconds at most, but never hang forever. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private ReloadCommand() {}

    static int execute(CommandLine line, Map<String, String> env, PrintStream out, PrintStream err)
            throws InterruptedException {
        Optional<AdminClient> admin = AdminClient.of(line, env, err);
        if (admin.isEmpty()) {
            return ExitCodes.INVALID_CONFIG;
        }
        return post(admin.get(), out, err);
    }

    private static int post(AdminClient admin, PrintStream out, PrintStream err) throws InterruptedException {
        URI uri = admin.uri(PATH);
        Optional<HttpResponse<String>> answer = admin.send("POST", PATH, ANSWER_TIMEOUT, err);
        if (answer.isEmpty()) {
            return ExitCodes.INVALID_CONFIG;
        }
        HttpResponse<String> response = answer.get();
        String body = response.body().endsWith("\n") ? response.body() : response.body() + "\n";
        switch (response.statusCode()) {
            case 200 -> {
                out.print(body);
                return ExitCodes.OK;
            }
            case 400 -> {
                err.println("portier: reload rejected; the running config is unchanged:");
                err.print(body);
            }
            case 401 -> err.println("portier: the admin API at " + uri
                    + " wants a valid token (401): set admin.token or " + AdminClient.TOKEN_ENV);
            default -> {
                err.println("portier: the admin API at " + uri + " answered " + response.statusCode() + ":");
                err.print(body);
            }
        }
        return ExitCodes.INVALID_CONFIG;
    }
}
