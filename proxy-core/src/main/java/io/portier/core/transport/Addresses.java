package io.portier.core.transport;

import java.net.InetSocketAddress;

/** Socket addresses as Portier writes them everywhere (logs, access log, admin API). */
public final class Addresses {
    private Addresses() {}

    /**
     * {@code 203.0.113.7:51123}, {@code [::1]:4000} (IPv6 in brackets, without a zone), or {@code -}
     * for null. Never looks a name up.
     */
    public static String format(InetSocketAddress a) {
        if (a == null) {
            return "-";
        }
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            int zone = host.indexOf('%');
            return "[" + (zone >= 0 ? host.substring(0, zone) : host) + "]:" + a.getPort();
        }
        return host + ":" + a.getPort();
    }
}
