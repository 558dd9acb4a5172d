package io.portier.core.metrics;

/**
 * Every metric name and label of the contract, declared once. Names are Micrometer's dotted form; the
 * Prometheus registry renders {@code portier.listener.connections} counters as
 * {@code portier_listener_connections_total}. No label ever holds a client address.
 */
public final class MetricNames {
    private MetricNames() {}

    public static final String LISTENER_CONNECTIONS_ACTIVE = "portier.listener.connections.active";
    public static final String LISTENER_CONNECTIONS = "portier.listener.connections";
    public static final String LISTENER_REJECTED = "portier.listener.rejected";
    public static final String LISTENER_BYTES = "portier.listener.bytes";

    public static final String SERVER_UP = "portier.server.up";
    public static final String SERVER_CONNECTIONS_ACTIVE = "portier.server.connections.active";
    public static final String SERVER_CONNECT_FAILURES = "portier.server.connect.failures";
    public static final String SERVER_CONNECT_SECONDS = "portier.server.connect";

    public static final String HEALTH_CHECKS = "portier.health.checks";

    public static final String CONFIG_RELOADS = "portier.config.reloads";
    public static final String CONFIG_GENERATION = "portier.config.generation";

    public static final String TAG_LISTENER = "listener";
    public static final String TAG_PORT = "port";
    public static final String TAG_REASON = "reason";
    public static final String TAG_DIRECTION = "direction";
    public static final String TAG_POOL = "pool";
    public static final String TAG_SERVER = "server";
    public static final String TAG_RESULT = "result";
}
