package io.portier.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.Channel;
import io.portier.core.Portier;
import io.portier.core.listener.Listener;
import io.portier.core.listener.ListenerPort;
import io.portier.core.pool.Server;
import io.portier.core.relay.FrontendHandler;
import io.portier.core.transport.Addresses;
import io.portier.core.relay.PipelineNames;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/v1/connections?listener=&limit=&offset=}: live frontend connections, a page at a time.
 *
 * <p>Cost: walks the live sets lazily, skipping {@code offset} entries and stopping after
 * {@code limit}, so a page costs O(offset + limit) whatever the number of open connections. The
 * sets are concurrent: a page is a weakly consistent view, and connections opening or closing
 * between two pages may shift the offsets by that much.
 */
final class ConnectionsView {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private ConnectionsView() {}

    static ObjectNode render(Portier portier, AdminRequest request) {
        String listenerName = request.queryParam("listener");
        int limit = intParam(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
        int offset = intParam(request, "offset", 0, 0, Integer.MAX_VALUE);
        Collection<Listener> listeners;
        if (listenerName == null || listenerName.isEmpty()) {
            listeners = portier.listeners().values();
        } else {
            Listener l = portier.listeners().get(listenerName);
            if (l == null) {
                throw ApiException.notFound("listener: " + Json.abbreviate(listenerName)
                        + " (expected: one of " + portier.listeners().keySet() + ")");
            }
            listeners = List.of(l);
        }
        long now = System.nanoTime();
        long total = 0;
        int skipped = 0;
        List<ObjectNode> page = new ArrayList<>(Math.min(limit, 128));
        boolean more = false;
        for (Listener l : listeners) {
            for (ListenerPort lp : l.ports().values()) {
                total += lp.live().size();
                if (more) {
                    continue;
                }
                for (Channel ch : lp.live()) {
                    if (skipped < offset) {
                        skipped++;
                    } else if (page.size() < limit) {
                        page.add(connection(l, lp, ch, now));
                    } else {
                        more = true;
                        break;
                    }
                }
            }
        }
        ObjectNode o = Json.object();
        o.put("total", total);
        o.put("offset", offset);
        o.put("limit", limit);
        if (more) {
            o.put("next_offset", offset + page.size());
        } else {
            o.putNull("next_offset");
        }
        ArrayNode items = o.putArray("connections");
        page.forEach(items::add);
        return o;
    }

    private static ObjectNode connection(Listener l, ListenerPort lp, Channel ch, long now) {
        ObjectNode o = Json.object();
        o.put("id", ch.id().asShortText());
        o.put("listener", l.name());
        o.put("port", lp.port());
        FrontendHandler h = ch.pipeline().get(PipelineNames.FRONTEND) instanceof FrontendHandler f ? f : null;
        // The relay's client is the one an accepted PROXY header named, when there is one.
        InetSocketAddress client = h != null && h.client() != null ? h.client()
                : ch.remoteAddress() instanceof InetSocketAddress peer ? peer : null;
        o.put("client", Addresses.format(client));
        o.put("pool", lp.route().pool().name());
        Server s = h == null ? null : h.server();
        if (s == null) {
            o.putNull("server");
        } else {
            o.put("server", s.name());
        }
        if (h == null || h.acceptNanos() == 0) {
            o.putNull("age_ms");
        } else {
            o.put("age_ms", TimeUnit.NANOSECONDS.toMillis(now - h.acceptNanos()));
        }
        o.put("bytes_in", h == null ? 0 : h.bytesIn());
        o.put("bytes_out", h == null ? 0 : h.bytesOut());
        return o;
    }

    private static int intParam(AdminRequest request, String name, int dflt, int min, int max) {
        String v = request.queryParam(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest(name + ": " + Json.abbreviate(v) + " (expected: "
                + (max == Integer.MAX_VALUE ? ">= " + min : min + "-" + max) + ")");
    }
}
