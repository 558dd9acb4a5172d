package io.portier.config;

import java.util.List;

/**
 * A listener: a named set of bound frontend ports forwarding to one pool.
 *
 * @param binds     one or more addresses, each with a port or a port range
 * @param reusePort one SO_REUSEPORT socket per worker (epoll) when true
 * @param backlog   accept queue length, 1-65535
 * @param tcpKeepAlive SO_KEEPALIVE on the client and server sockets when true
 * @param splice    a streaming direction of a connection is relayed with splice(2) through a pipe
 *                  (epoll only) when true
 */
public record ListenerConfig(
        String name,
        List<BindAddress> binds,
        String pool,
        boolean reusePort,
        int backlog,
        boolean tcpKeepAlive,
        boolean splice,
        AccessConfig access,
        LimitsConfig limits,
        TimeoutsConfig timeouts,
        ProxyProtocolConfig proxyProtocol) {

    public ListenerConfig {
        binds = List.copyOf(binds);
    }
}
