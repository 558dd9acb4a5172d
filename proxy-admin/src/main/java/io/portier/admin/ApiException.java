package io.portier.admin;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.List;
import java.util.Map;

/**
 * A request the admin API refuses: answered as {@code {"error": message, "problems": [...]}} with
 * {@link #status()}. Thrown by endpoints; never escapes the admin handler.
 */
final class ApiException extends RuntimeException {
    private final HttpResponseStatus status;
    private final List<String> problems;
    private final Map<String, String> headers;

    ApiException(HttpResponseStatus status, String message) {
        this(status, message, List.of(), Map.of());
    }

    ApiException(HttpResponseStatus status, String message, List<String> problems) {
        this(status, message, problems, Map.of());
    }

    /** @param headers extra response headers ({@code Allow} with a 405) */
    ApiException(HttpResponseStatus status, String message, List<String> problems, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.problems = List.copyOf(problems);
        this.headers = Map.copyOf(headers);
    }

    static ApiException badRequest(String message) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(HttpResponseStatus.NOT_FOUND, message);
    }

    HttpResponseStatus status() {
        return status;
    }

    List<String> problems() {
        return problems;
    }

    Map<String, String> headers() {
        return headers;
    }
}
