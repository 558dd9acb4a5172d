package io.portier.admin.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.portier.admin.AdminServer;
import io.portier.admin.ReloadHandler;
import io.portier.config.ConfigLoader;
import io.portier.config.PortierConfig;
import io.portier.core.Portier;
import io.portier.core.reload.Reloader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * A running proxy (from a HOCON literal or a file, binding port 0) with its admin server, and an HTTP
 * client for the admin API.
 */
public final class AdminFixture implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Portier portier;
    private final PrometheusMeterRegistry registry;
    private final AdminServer admin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String token;

    private AdminFixture(Portier portier, PrometheusMeterRegistry registry, AdminServer admin) {
        this.portier = portier;
        this.registry = registry;
        this.admin = admin;
    }

    /** Starts from a HOCON literal; reload answers 503. */
    public static AdminFixture start(String hocon) throws Exception {
        return start(ConfigLoader.parse(hocon, "test.conf"), p -> null);
    }

    /** Starts from a config file, with reload through the core's {@link Reloader} over that file. */
    public static AdminFixture startFile(Path file) throws Exception {
        return start(ConfigLoader.load(file), p -> ReloadHandler.of(new Reloader(p, file)));
    }

    private static AdminFixture start(PortierConfig config, Function<Portier, ReloadHandler> reload) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Portier portier = Portier.start(config, registry);
        try {
            AdminServer admin = AdminServer.start(portier, config.admin(), registry, reload.apply(portier));
            return new AdminFixture(portier, registry, admin);
        } catch (RuntimeException e) {
            portier.close();
            throw e;
        }
    }

    public Portier portier() {
        return portier;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public int adminPort() {
        return admin.port();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + admin.port();
    }

    /** The first bound port of {@code listener}. */
    public int port(String listener) {
        return portier.bound(listener).get(0).address().getPort();
    }

    /** Sends this token with every following request; null for none. */
    public AdminFixture token(String token) {
        this.token = token;
        return this;
    }

    public Reply get(String path) {
        return send("GET", path, null);
    }

    public Reply post(String path, String body) {
        return send("POST", path, body);
    }

    public Reply put(String path, String body) {
        return send("PUT", path, body);
    }

    public Reply send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One answer of the admin API. */
    public record Reply(int status, HttpResponse<String> response) {
        public String body() {
            return response.body();
        }

        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(response.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + response.body(), e);
            }
        }
    }

    @Override
    public void close() {
        admin.close();
        portier.close();
        registry.close();
    }
}
