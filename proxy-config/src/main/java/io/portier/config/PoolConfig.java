package io.portier.config;

import java.time.Duration;
import java.util.List;

/**
 * A pool: a named set of servers and how to pick among them.
 *
 * @param retries   other servers tried when a connect fails, 0-100
 * @param slowStart weight ramp after a server comes up; zero = off
 */
public record PoolConfig(
        String name,
        Balance balance,
        int retries,
        List<ServerConfig> servers,
        HealthConfig health,
        Duration slowStart,
        OnServerDown onServerDown) {

    public PoolConfig {
        servers = List.copyOf(servers);
    }

    public enum OnServerDown { KEEP, CLOSE }
}
