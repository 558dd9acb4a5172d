package io.portier.config;

/**
 * One server of a pool.
 *
 * @param host           IP literal (no brackets) or host name
 * @param port           1-65535, or {@link #SAME_PORT} when written without a port: the port the
 *                       client connected to is used (so a port range forwards port for port)
 * @param weight         1-256
 * @param backup         used only when no non-backup server is available
 * @param maxConnections concurrent connections to this server, or {@link LimitsConfig#UNLIMITED}
 */
public record ServerConfig(String name, String host, int port, int weight, boolean backup, long maxConnections) {

    public static final int SAME_PORT = 0;

    public String address() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == SAME_PORT ? h : h + ":" + port;
    }
}
