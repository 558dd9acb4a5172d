package io.portier.config;

import java.net.InetAddress;

/**
 * An IPv4 or IPv6 network in CIDR notation ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); a bare address
 * is a /32 or /128. Immutable and thread-safe.
 */
public final class Cidr {
    // Implemented by the config work: parse(String) throwing IllegalArgumentException with a
    // message in the house form, and matches(InetAddress) without allocation.
    private Cidr() {}

    public static Cidr parse(String text) {
        throw new UnsupportedOperationException("TODO");
    }

    public boolean matches(InetAddress address) {
        throw new UnsupportedOperationException("TODO");
    }
}
