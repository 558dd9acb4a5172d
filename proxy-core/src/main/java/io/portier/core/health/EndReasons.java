package io.portier.core.health;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.portier.core.pool.Server;

/**
 * Why the proxy itself ended a frontend connection, for the access log's {@code end} field.
 *
 * <p>Whoever closes a connection on purpose sets {@link #END_REASON} on the frontend channel first;
 * the relay reads it when it writes the access log line. The first reason set wins.
 */
public final class EndReasons {

    /** Set on a frontend channel before the proxy closes it on purpose; read by the relay. */
    public static final AttributeKey<String> END_REASON = io.portier.core.relay.Relay.END_REASON;

    /** The server of the connection went DOWN or MAINT and the pool says {@code on-server-down = close}. */
    public static final String SERVER_DOWN = "server-down";

    private EndReasons() {
    }

    /**
     * Closes every live frontend connection routed to {@code server}, marking each with
     * {@code reason} unless it already has one. Thread-safe: call from any thread; each close runs
     * on its channel's event loop.
     *
     * @return how many connections were asked to close
     */
    public static int closeConnections(Server server, String reason) {
        int n = 0;
        for (Channel ch : server.connections()) {
            ch.attr(END_REASON).setIfAbsent(reason);
            ch.close();
            n++;
        }
        return n;
    }
}
