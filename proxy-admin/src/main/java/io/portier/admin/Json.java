package io.portier.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The admin API's one JSON mapper (thread-safe once configured) and tree helpers. */
final class Json {
    private Json() {}

    static final ObjectMapper MAPPER = new ObjectMapper();

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static ArrayNode strings(List<String> values) {
        ArrayNode a = array();
        values.forEach(a::add);
        return a;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("tree serialization cannot fail", e);
        }
    }

    /**
     * Parses a request body that must be a JSON object.
     *
     * @throws ApiException 400 when the body is empty, not JSON, or not an object
     */
    static ObjectNode parseObject(byte[] body) {
        if (body.length == 0) {
            throw ApiException.badRequest("body: empty (expected: a JSON object)");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new ApiException(io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST,
                    "body: not valid JSON (expected: a JSON object)", List.of(firstLine(e.getMessage())));
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("body: " + abbreviate(new String(body, StandardCharsets.UTF_8))
                    + " (expected: a JSON object)");
        }
        return (ObjectNode) node;
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable JSON";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }
}
