package io.portier.core.log;

/**
 * One ended frontend connection, as the access log writes it. Names are from the config (they match
 * [A-Za-z0-9_.-]+), so no escaping is needed.
 *
 * @param client        "ip:port" of the client
 * @param server        the server's name, or null when none was reached
 * @param connectMillis backend connect time, or -1 when no backend connection was made
 */
public record AccessRecord(
        long endEpochMillis,
        String listener,
        int port,
        String client,
        String pool,
        String server,
        long connectMillis,
        long durationMillis,
        long bytesIn,
        long bytesOut,
        EndReason end) {

    /** A client address as the log writes it: {@code 203.0.113.7:51123}, {@code [::1]:4000}, or {@code -}. */
    public static String client(java.net.InetSocketAddress a) {
        if (a == null) {
            return "-";
        }
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + a.getPort() : host + ":" + a.getPort();
    }
}
