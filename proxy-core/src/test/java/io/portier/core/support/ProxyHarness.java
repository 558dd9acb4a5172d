package io.portier.core.support;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portier.config.ConfigLoader;
import io.portier.config.PortierConfig;
import io.portier.core.Portier;

import java.net.InetSocketAddress;

/** Starts a Portier from a HOCON literal (port-0 binds) and tells the ports it got. */
public final class ProxyHarness implements AutoCloseable {
    private final Portier portier;
    private final MeterRegistry registry;

    private ProxyHarness(Portier portier, MeterRegistry registry) {
        this.portier = portier;
        this.registry = registry;
    }

    public static ProxyHarness start(String hocon) throws Exception {
        PortierConfig config = ConfigLoader.parse(hocon, "test.conf");
        MeterRegistry registry = new SimpleMeterRegistry();
        return new ProxyHarness(Portier.start(config, registry), registry);
    }

    /**
     * One worker, listener {@code l} on a loopback port of its own, pool {@code p} with {@code backend}
     * as its only server and no health checks: the proxy a relay test puts in front of one server.
     */
    public static ProxyHarness inFrontOf(EchoServer backend) throws Exception {
        return inFrontOf(backend, "");
    }

    /** {@link #inFrontOf(EchoServer)} with {@code listenerKeys} (HOCON, as "splice = on") set on {@code l}. */
    public static ProxyHarness inFrontOf(EchoServer backend, String listenerKeys) throws Exception {
        return start("""
                portier {
                  workers = 1
                  listeners.l { bind = "127.0.0.1:0", pool = p }
                  listeners.l { %s }
                  pools.p { servers = [{ name = s, address = "%s" }], health.type = none }
                }
                """.formatted(listenerKeys, backend.address()));
    }

    public Portier portier() {
        return portier;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The first bound address of {@code listener}. */
    public InetSocketAddress address(String listener) {
        return portier.bound(listener).get(0).address();
    }

    public int port(String listener) {
        return address(listener).getPort();
    }

    @Override
    public void close() {
        portier.close();
    }
}
