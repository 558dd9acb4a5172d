package io.portier.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portier.config.ConfigRenderer;
import io.portier.core.Portier;
import io.portier.core.listener.Listener;
import io.portier.core.pool.Pool;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Every endpoint of the admin API, and the route table (the contract's admin table, in its order).
 * Endpoints run on the admin event loop, except reload, which runs on {@code reloadExecutor}.
 */
final class AdminApi {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String DASHBOARD = "dashboard.html";
    /** The page is self-contained: inline script and style, data from this origin only. */
    private static final String DASHBOARD_CSP = "default-src 'none'; script-src 'unsafe-inline'; "
            + "style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            + "frame-ancestors 'none'";

    private final Portier portier;
    private final PrometheusMeterRegistry registry;
    private final ReloadHandler reload;
    private final Executor reloadExecutor;
    private final ServerControl control;
    private final byte[] dashboard;

    AdminApi(Portier portier, PrometheusMeterRegistry registry, ReloadHandler reload, Executor reloadExecutor) {
        this.portier = portier;
        this.registry = registry;
        this.reload = reload;
        this.reloadExecutor = reloadExecutor;
        this.control = new ServerControl(portier, registry);
        this.dashboard = resource(DASHBOARD);
    }

    Router routes() {
        return new Router()
                .addOpen(HttpMethod.GET, "/", r -> dashboard())
                .addOpen(HttpMethod.GET, "/healthz", r -> AdminResponse.json(status("ok")))
                .addOpen(HttpMethod.GET, "/readyz", r -> readyz())
                .add(HttpMethod.GET, "/metrics",
                        r -> AdminResponse.text(HttpResponseStatus.OK, PROMETHEUS_TEXT, registry.scrape()))
                .add(HttpMethod.GET, "/api/v1/status", r -> AdminResponse.json(status()))
                .add(HttpMethod.GET, "/api/v1/listeners", r -> AdminResponse.json(ListenersView.render(portier)))
                .add(HttpMethod.GET, "/api/v1/pools", r -> AdminResponse.json(PoolsView.render(portier, registry)))
                .add(HttpMethod.POST, "/api/v1/pools/{pool}/servers/{server}/state", control::setState)
                .add(HttpMethod.PUT, "/api/v1/pools/{pool}/servers/{server}/weight", control::setWeight)
                .add(HttpMethod.GET, "/api/v1/connections",
                        r -> AdminResponse.json(ConnectionsView.render(portier, r)))
                .addAsync(HttpMethod.POST, "/api/v1/reload", this::reload)
                .add(HttpMethod.GET, "/api/v1/config", r -> AdminResponse.json(
                        Json.MAPPER.valueToTree(ConfigRenderer.toTree(portier.config(), true))));
    }

    private AdminResponse dashboard() {
        return new AdminResponse(HttpResponseStatus.OK, "text/html; charset=utf-8", dashboard,
                Map.of("Cache-Control", "no-store", "Content-Security-Policy", DASHBOARD_CSP,
                        "X-Content-Type-Options", "nosniff"));
    }

    /** Ready when started, not stopping, and every listening socket is open. */
    private AdminResponse readyz() {
        if (portier.stopping()) {
            ObjectNode o = status("draining");
            o.put("error", "not ready: draining");
            return AdminResponse.json(HttpResponseStatus.SERVICE_UNAVAILABLE, o);
        }
        for (Listener l : portier.listeners().values()) {
            for (Listener.Binding b : l.bindings()) {
                for (Channel s : b.sockets()) {
                    if (!s.isActive()) {
                        ObjectNode o = status("starting");
                        o.put("error", "not ready: listener " + l.name() + " is not bound");
                        return AdminResponse.json(HttpResponseStatus.SERVICE_UNAVAILABLE, o);
                    }
                }
            }
        }
        return AdminResponse.json(status("ready"));
    }

    private ObjectNode status() {
        ObjectNode o = Json.object();
        String version = Portier.class.getPackage().getImplementationVersion();
        o.put("version", version == null ? "dev" : version);
        long uptimeMillis = ManagementFactory.getRuntimeMXBean().getUptime();
        o.put("uptime_seconds", uptimeMillis / 1000);
        o.put("started_at", Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()).toString());
        o.put("transport", portier.transportName());
        o.put("workers", portier.workers());
        o.put("config_file", portier.config().source().map(Object::toString).orElse(null));
        o.put("config_generation", portier.reloadMetrics().generation());
        o.put("stopping", portier.stopping());
        o.put("listeners", portier.listeners().size());
        o.put("pools", portier.pools().size());
        int servers = 0;
        for (Pool p : portier.pools().values()) {
            servers += p.servers().size();
        }
        o.put("servers", servers);
        return o;
    }

    /** {@code ?dry-run=true} only validates and diffs; reloads run one at a time off the admin loop. */
    private CompletableFuture<AdminResponse> reload(AdminRequest request) {
        String dry = request.queryParam("dry-run");
        boolean dryRun;
        if (dry == null || dry.equals("false")) {
            dryRun = false;
        } else if (dry.isEmpty() || dry.equals("true")) {
            dryRun = true;
        } else {
            throw ApiException.badRequest("dry-run: " + Json.abbreviate(dry) + " (expected: true or false)");
        }
        if (reload == null) {
            throw new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, "reload not available");
        }
        return CompletableFuture.supplyAsync(() -> reload.reload(dryRun), reloadExecutor)
                .thenApply(result -> reloadResponse(result, dryRun));
    }

    private static AdminResponse reloadResponse(ReloadResult result, boolean dryRun) {
        ObjectNode o = Json.object();
        if (!result.ok()) {
            o.put("error", "invalid config");
            o.set("problems", Json.strings(result.problems()));
        }
        o.put("generation", result.generation());
        o.put("dry_run", dryRun);
        o.set("changes", Json.strings(result.changes()));
        return AdminResponse.json(result.ok() ? HttpResponseStatus.OK : HttpResponseStatus.BAD_REQUEST, o);
    }

    private static ObjectNode status(String status) {
        ObjectNode o = Json.object();
        o.put("status", status);
        return o;
    }

    private static byte[] resource(String name) {
        try (InputStream in = AdminApi.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource: " + name + " (expected: in the proxy-admin jar)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("resource: " + name + " (" + e.getMessage() + ")", e);
        }
    }
}
