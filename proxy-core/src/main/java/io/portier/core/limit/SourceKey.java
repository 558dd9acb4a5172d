package io.portier.core.limit;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The identity of a client for per-source limits, as the 128 bits of an IPv6 address: an IPv4 client
 * is its own address (as {@code ::ffff:a.b.c.d}), an IPv6 client is its /64 network (the low half is
 * zero). One /64 is what a single host or home network is usually given, and a host can take any
 * address in it, so limiting single IPv6 addresses would limit nothing. The two forms never collide:
 * an IPv4 key has a non-zero low half, an IPv6 key a zero one.
 */
record SourceKey(long high, long low) {
    private static final long V4_MAPPED = 0xffffL << 32;

    static SourceKey of(InetAddress address) {
        if (address instanceof Inet4Address) {
            // Inet4Address.hashCode() is the address itself: no byte[] copy
            return new SourceKey(0, V4_MAPPED | (address.hashCode() & 0xffffffffL));
        }
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            long high = 0;
            for (int i = 0; i < 8; i++) {
                high = high << 8 | (b[i] & 0xff);
            }
            return new SourceKey(high, 0);
        }
        throw new IllegalArgumentException("address: " + address + " (expected: IPv4 or IPv6)");
    }
}
