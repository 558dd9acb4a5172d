package io.portier.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The whole validated configuration: an immutable snapshot. An instance that exists is valid; build one
 * with {@link ConfigLoader}.
 *
 * @param source     the file it was read from, empty when parsed from a string
 * @param workers    event-loop threads, already resolved from {@code auto}; at least 1
 * @param transport  the requested transport; {@code AUTO} is resolved by the runtime
 * @param listeners  by name, in file order
 * @param pools      by name, in file order
 */
public record PortierConfig(
        Optional<Path> source,
        int workers,
        Transport transport,
        AdminConfig admin,
        Map<String, ListenerConfig> listeners,
        Map<String, PoolConfig> pools,
        AccessLogConfig accessLog,
        ReloadConfig reload) {

    public PortierConfig {
        listeners = Collections.unmodifiableMap(new LinkedHashMap<>(listeners));
        pools = Collections.unmodifiableMap(new LinkedHashMap<>(pools));
    }

    public enum Transport { AUTO, EPOLL, NIO }
}
