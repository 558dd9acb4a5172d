package io.portier.server;

import io.portier.config.AdminConfig;
import io.portier.config.ConfigLoader;
import io.portier.config.HostPort;
import io.portier.config.InvalidConfigException;
import io.portier.config.PortierConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code portier reload}: asks the running proxy, through {@code POST /api/v1/reload} of its admin
 * API, to reload its config file, and prints the answer.
 *
 * <p>The admin API is found from {@code --admin HOST:PORT}, else from {@code admin.bind} of the
 * config ({@code -c} or {@code PORTIER_CONFIG}), else from reference.conf. The bearer token is
 * {@code admin.token} of that config, else {@code PORTIER_ADMIN_TOKEN}.
 */
final class ReloadCommand {
    static final String TOKEN_ENV = "PORTIER_ADMIN_TOKEN";
    private static final String PATH = "/api/v1/reload";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** A reload validates, diffs and rebinds: seconds at most, but never hang forever. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private ReloadCommand() {}

    static int execute(CommandLine line, Map<String, String> env, PrintStream out, PrintStream err)
            throws InterruptedException {
        Optional<AdminConfig> admin = line.admin().isPresent()
                ? Optional.of(new AdminConfig(line.admin().get(), Optional.empty()))
                : adminOf(line, err);
        if (admin.isEmpty()) {
            return ExitCodes.INVALID_CONFIG;
        }
        Optional<String> token = admin.get().token()
                .or(() -> Optional.ofNullable(env.get(TOKEN_ENV)).filter(t -> !t.isEmpty()));
        return post(URI.create("http://" + reachable(admin.get().bind()) + PATH), token, out, err);
    }

    private static Optional<AdminConfig> adminOf(CommandLine line, PrintStream err) {
        if (line.config().isPresent()) {
            return ConfigFiles.load(line.config().get(), err).map(PortierConfig::admin);
        }
        try {
            return Optional.of(ConfigLoader.parse("", "reference.conf").admin());
        } catch (InvalidConfigException e) {
            e.problems().forEach(err::println);
            err.println("portier: reload: pass -c FILE or --admin HOST:PORT");
            return Optional.empty();
        }
    }

    /** A wildcard bind is reached through loopback. */
    private static HostPort reachable(HostPort bind) {
        return switch (bind.host()) {
            case "0.0.0.0" -> new HostPort("127.0.0.1", bind.port());
            case "::", "0:0:0:0:0:0:0:0" -> new HostPort("::1", bind.port());
            default -> bind;
        };
    }

    private static int post(URI uri, Optional<String> token, PrintStream out, PrintStream err)
            throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(ANSWER_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody());
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            err.println("portier: cannot reach the admin API at " + uri
                    + " (connection refused): is Portier running, with this admin.bind?");
            return ExitCodes.INVALID_CONFIG;
        } catch (HttpTimeoutException e) {
            err.println("portier: no answer from the admin API at " + uri + ": " + e.getMessage());
            return ExitCodes.INVALID_CONFIG;
        } catch (IOException e) {
            err.println("portier: cannot reach the admin API at " + uri + ": " + e);
            return ExitCodes.INVALID_CONFIG;
        }
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
                    + " wants a valid token (401): set admin.token or " + TOKEN_ENV);
            default -> {
                err.println("portier: the admin API at " + uri + " answered " + response.statusCode() + ":");
                err.print(body);
            }
        }
        return ExitCodes.INVALID_CONFIG;
    }
}
