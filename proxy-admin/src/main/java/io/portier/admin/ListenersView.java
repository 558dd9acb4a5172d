package io.portier.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portier.core.Portier;
import io.portier.core.listener.Listener;
import io.portier.core.listener.ListenerPort;
import io.portier.core.metrics.PortMetrics;
import io.portier.core.metrics.PortMetrics.Rejection;

import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;

/**
 * {@code GET /api/v1/listeners}: each listener with its bound addresses, its pool, and its counters
 * summed over its ports, then per port. {@code rejected} lists only reasons with a count.
 */
final class ListenersView {
    private ListenersView() {}

    static ArrayNode render(Portier portier) {
        ArrayNode out = Json.array();
        for (Listener l : portier.listeners().values()) {
            out.add(listener(l));
        }
        return out;
    }

    private static ObjectNode listener(Listener l) {
        ObjectNode o = Json.object();
        o.put("name", l.name());
        o.put("pool", l.config().pool());
        ArrayNode binds = o.putArray("binds");
        for (Listener.Binding b : l.bindings()) {
            ObjectNode bo = binds.addObject();
            bo.put("address", host(b.address()));
            bo.put("port", b.address().getPort());
            bo.put("sockets", b.sockets().size());
        }
        long active = 0;
        long total = 0;
        long in = 0;
        long outBytes = 0;
        Map<Rejection, Long> rejected = new EnumMap<>(Rejection.class);
        ArrayNode ports = Json.array();
        for (ListenerPort lp : l.ports().values()) {
            PortMetrics m = lp.metrics();
            ObjectNode po = ports.addObject();
            po.put("port", lp.port());
            po.put("active", m.active());
            po.put("total", m.total());
            po.set("rejected", rejections(m, rejected));
            po.put("bytes_in", m.bytesIn());
            po.put("bytes_out", m.bytesOut());
            active += m.active();
            total += m.total();
            in += m.bytesIn();
            outBytes += m.bytesOut();
        }
        o.put("active", active);
        o.put("total", total);
        ObjectNode rej = o.putObject("rejected");
        rejected.forEach((r, n) -> rej.put(r.label(), n));
        o.put("bytes_in", in);
        o.put("bytes_out", outBytes);
        o.set("ports", ports);
        return o;
    }

    /** This port's non-zero rejections; adds them to {@code sum}. */
    private static ObjectNode rejections(PortMetrics m, Map<Rejection, Long> sum) {
        ObjectNode o = Json.object();
        for (Rejection r : Rejection.values()) {
            long n = m.rejectedCount(r);
            if (n != 0) {
                o.put(r.label(), n);
                sum.merge(r, n, Long::sum);
            }
        }
        return o;
    }

    static String host(InetSocketAddress a) {
        return a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    }
}
