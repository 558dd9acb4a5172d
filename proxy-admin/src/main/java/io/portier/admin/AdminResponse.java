package io.portier.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What an endpoint answers: status, content type, body and extra headers. Immutable.
 */
record AdminResponse(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {

    static final String JSON = "application/json; charset=utf-8";

    static AdminResponse json(JsonNode node) {
        return json(HttpResponseStatus.OK, node);
    }

    static AdminResponse json(HttpResponseStatus status, JsonNode node) {
        return new AdminResponse(status, JSON, Json.bytes(node), Map.of());
    }

    static AdminResponse text(HttpResponseStatus status, String contentType, String body) {
        return new AdminResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** {@code {"error": message, "problems": [...]}} */
    static AdminResponse error(HttpResponseStatus status, String message, List<String> problems) {
        ObjectNode o = Json.object();
        o.put("error", message);
        o.set("problems", Json.strings(problems));
        return json(status, o);
    }

    AdminResponse withHeader(String name, String value) {
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new AdminResponse(status, contentType, body, Map.copyOf(h));
    }
}
