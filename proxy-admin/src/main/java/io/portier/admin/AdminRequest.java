package io.portier.admin;

import io.netty.handler.codec.http.HttpMethod;

import java.util.List;
import java.util.Map;

/**
 * One admin request as endpoints see it: already authorized and routed.
 *
 * @param params path parameters in pattern order ({@code {pool}}, {@code {server}})
 * @param remote the peer as {@code host:port}, for the audit log line
 */
record AdminRequest(HttpMethod method, String path, Map<String, List<String>> query, List<String> params,
                    byte[] body, String remote) {

    /** The first value of query parameter {@code name}, or null. */
    String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    String param(int i) {
        return params.get(i);
    }
}
