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
 * The running proxy's admin API, as the command line reaches it: from {@code --admin HOST:PORT}, else
 * {@code admin.bind} of the config ({@code -c} or {@code PORTIER_CONFIG}), else reference.conf. The
 * bearer token is {@code admin.token} of that config, else {@code PORTIER_ADMIN_TOKEN}.
 */
final class AdminClient {
    static final String TOKEN_ENV = "PORTIER_ADMIN_TOKEN";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final HostPort address;
    private final Optional<String> token;

    private AdminClient(HostPort address, Optional<String> token) {
        this.address = address;
        this.token = token;
    }

    /** Finds the admin API for {@code line}; prints why and returns empty when it cannot. */
    static Optional<AdminClient> of(CommandLine line, Map<String, String> env, PrintStream err) {
        Optional<AdminConfig> admin = line.admin().isPresent()
                ? Optional.of(new AdminConfig(line.admin().get(), Optional.empty()))
                : adminOf(line, err);
        return admin.map(a -> new AdminClient(reachable(a.bind()), a.token()
                .or(() -> Optional.ofNullable(env.get(TOKEN_ENV)).filter(t -> !t.isEmpty()))));
    }

    private static Optional<AdminConfig> adminOf(CommandLine line, PrintStream err) {
        if (line.config().isPresent()) {
            return ConfigFiles.load(line.config().get(), err).map(PortierConfig::admin);
        }
        try {
            return Optional.of(ConfigLoader.parse("", "reference.conf").admin());
        } catch (InvalidConfigException e) {
            e.problems().forEach(err::println);
            err.println("portier: " + line.command().word() + ": pass -c FILE or --admin HOST:PORT");
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

    URI uri(String path) {
        return URI.create("http://" + address + path);
    }

    /**
     * Sends a request without a body; prints why and returns empty when the API cannot be reached or
     * does not answer within {@code timeout}.
     */
    Optional<HttpResponse<String>> send(String method, String path, Duration timeout, PrintStream err)
            throws InterruptedException {
        URI uri = uri(path);
        HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody());
        token.ifPresent(t -> request.header("Authorization", "Bearer " + t));
        try {
            return Optional.of(client.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (ConnectException e) {
            err.println("portier: cannot reach the admin API at " + uri
                    + " (connection refused): is Portier running, with this admin.bind?");
        } catch (HttpTimeoutException e) {
            err.println("portier: no answer from the admin API at " + uri + ": " + e.getMessage());
        } catch (IOException e) {
            err.println("portier: cannot reach the admin API at " + uri + ": " + e);
        }
        return Optional.empty();
    }
}
