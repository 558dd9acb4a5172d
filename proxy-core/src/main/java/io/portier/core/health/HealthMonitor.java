package io.portier.core.health;

import io.netty.channel.EventLoopGroup;
import io.micrometer.core.instrument.MeterRegistry;
import io.portier.core.pool.Pool;
import io.portier.core.pool.Server;
import io.portier.core.transport.Transport;

/**
 * Health checking of one pool: active checks on the event loops and passive ejection from live
 * traffic. One instance per pool; {@link #close()} stops every check.
 */
public interface HealthMonitor extends AutoCloseable {

    /** Called by the relay, on the connection's event loop, after a backend connect succeeded. */
    void onConnectSuccess(Server server);

    /** Called by the relay, on the connection's event loop, after a backend connect failed. */
    void onConnectFailure(Server server, Throwable cause);

    /** Stops every scheduled check; idempotent. */
    @Override
    void close();

    /** The health a new server starts with under {@code config}. */
    static boolean initialHealthy(io.portier.config.HealthConfig config) {
        return true;
    }

    /** Starts checking {@code pool}'s servers on {@code loops}. */
    static HealthMonitor start(Pool pool, EventLoopGroup loops, Transport transport, MeterRegistry registry) {
        return null; // TEMP until the health work lands
    }
}
