package io.portier.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Maps a method and a path to an endpoint. Patterns are literal segments and {@code {name}}
 * placeholders matching one non-empty segment. Built once; read by the admin loop only.
 */
final class Router {

    /** One endpoint; may complete later (reload runs off the admin loop). */
    @FunctionalInterface
    interface Endpoint {
        CompletableFuture<AdminResponse> handle(AdminRequest request);
    }

    /** A synchronous endpoint. */
    @FunctionalInterface
    interface SyncEndpoint {
        AdminResponse handle(AdminRequest request);
    }

    /** The route found for a request, with its path parameters. */
    record Match(Endpoint endpoint, List<String> params) {}

    private record Route(HttpMethod method, String[] segments, Endpoint endpoint, boolean open) {}

    private final List<Route> routes = new ArrayList<>();

    Router add(HttpMethod method, String pattern, SyncEndpoint endpoint) {
        return addAsync(method, pattern, r -> CompletableFuture.completedFuture(endpoint.handle(r)));
    }

    Router addAsync(HttpMethod method, String pattern, Endpoint endpoint) {
        routes.add(new Route(method, split(pattern), endpoint, false));
        return this;
    }

    /** A route served without the bearer token (probes, the static dashboard page). */
    Router addOpen(HttpMethod method, String pattern, SyncEndpoint endpoint) {
        routes.add(new Route(method, split(pattern),
                r -> CompletableFuture.completedFuture(endpoint.handle(r)), true));
        return this;
    }

    /** True when {@code path} is served without the token for {@code method}. */
    boolean isOpen(HttpMethod method, String path) {
        String[] segments = split(path);
        for (Route r : routes) {
            if (r.open && r.method.equals(method) && params(r.segments, segments) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * @throws ApiException 404 when no pattern matches the path, 405 with an Allow header when patterns
     *                      match but none for this method
     */
    Match route(HttpMethod method, String path) {
        String[] segments = split(path);
        Set<String> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            List<String> params = params(r.segments, segments);
            if (params == null) {
                continue;
            }
            if (r.method.equals(method)) {
                return new Match(r.endpoint, params);
            }
            allowed.add(r.method.name());
        }
        if (allowed.isEmpty()) {
            throw ApiException.notFound("path: " + Json.abbreviate(path) + " (expected: an admin API path)");
        }
        String allow = allowed.stream().collect(Collectors.joining(", "));
        throw new ApiException(HttpResponseStatus.METHOD_NOT_ALLOWED,
                "method: " + method.name() + " (expected: " + allow + ")", List.of(), java.util.Map.of("Allow", allow));
    }

    private static List<String> params(String[] pattern, String[] path) {
        if (pattern.length != path.length) {
            return null;
        }
        List<String> params = new ArrayList<>(2);
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (path[i].isEmpty()) {
                    return null;
                }
                params.add(path[i]);
            } else if (!p.equals(path[i])) {
                return null;
            }
        }
        return params;
    }

    /** "/a/b/" and "/a/b" are the same path; "/" has no segments. */
    private static String[] split(String path) {
        String p = path;
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.equals("/") || p.isEmpty()) {
            return new String[0];
        }
        return (p.startsWith("/") ? p.substring(1) : p).split("/", -1);
    }
}
