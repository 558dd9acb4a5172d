package io.portier.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the address forms of the config file, without any name lookup.
 *
 * <ul>
 *   <li>bind: {@code "0.0.0.0:8080"}, {@code "127.0.0.1:7000-7009"}, {@code "[::1]:8080"}, {@code "[::]:8080"},
 *       {@code ":8080"} (all interfaces, host 0.0.0.0); ports 0-65535, 0 = any free port.</li>
 *   <li>server: {@code "host:port"}, {@code "[v6]:port"}, or {@code "host"} / {@code "[v6]"} without a port
 *       ({@link ServerConfig#SAME_PORT}); ports 1-65535.</li>
 *   <li>admin: like a bind with a single port.</li>
 * </ul>
 * An IPv6 literal always needs brackets. A host is an IP literal or a DNS name.
 */
final class AddressParser {
    static final String BIND_EXPECTED =
            "an address like \"0.0.0.0:8080\", \"[::]:8080\", \":8080\" or \"127.0.0.1:7000-7009\"";
    static final String SERVER_EXPECTED =
            "an address like \"10.0.0.1:9001\", \"[::1]:9001\" or \"backend\" (port optional)";
    static final String ADMIN_EXPECTED = "an address like \"127.0.0.1:9901\" or \"[::1]:9901\"";

    /** host (bracketed v6, or anything without ':'), then optional :port or :first-last. */
    private static final Pattern FORM =
            Pattern.compile("(\\[[^\\]]*\\]|[^:\\[\\]]*)(?::(\\d{1,5})(?:-(\\d{1,5}))?)?");
    private static final Pattern NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    private AddressParser() {}

    static BindAddress bind(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches() || m.group(2) == null) {
            throw new Rejected(BIND_EXPECTED);
        }
        String host = m.group(1).isEmpty() ? "0.0.0.0" : host(m.group(1), BIND_EXPECTED);
        int first = port(m.group(2), 0);
        int last = m.group(3) == null ? first : port(m.group(3), 0);
        if (first > last) {
            throw new Rejected("a port range with start <= end");
        }
        if (first == 0 && last != 0) {
            throw new Rejected("a port range within 1-65535 (port 0 stands alone)");
        }
        return new BindAddress(host, first, last);
    }

    static HostPort admin(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches() || m.group(2) == null || m.group(3) != null) {
            throw new Rejected(ADMIN_EXPECTED);
        }
        String host = m.group(1).isEmpty() ? "0.0.0.0" : host(m.group(1), ADMIN_EXPECTED);
        return new HostPort(host, port(m.group(2), 0));
    }

    /** A server's host and port; the port is {@link ServerConfig#SAME_PORT} when absent. */
    static HostPort server(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches() || m.group(1).isEmpty() || m.group(3) != null) {
            throw new Rejected(SERVER_EXPECTED);
        }
        String host = host(m.group(1), SERVER_EXPECTED);
        return new HostPort(host, m.group(2) == null ? ServerConfig.SAME_PORT : port(m.group(2), 1));
    }

    static boolean isLoopback(String host) {
        byte[] ip = IpLiteral.parse(host);
        if (ip == null) {
            return host.equalsIgnoreCase("localhost");
        }
        if (ip.length == 4) {
            return ip[0] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[15] == 1;
    }

    private static String host(String raw, String expected) {
        if (raw.startsWith("[")) {
            String inner = raw.substring(1, raw.length() - 1);
            if (IpLiteral.parseV6(inner) == null) {
                throw new Rejected(expected);
            }
            return inner;
        }
        if (raw.matches("[0-9.]+") ? IpLiteral.parseV4(raw) == null : !NAME.matcher(raw).matches()) {
            throw new Rejected(expected);
        }
        return raw;
    }

    private static int port(String digits, int min) {
        int port = Integer.parseInt(digits);
        if (port < min || port > 65535) {
            throw new Rejected("port " + min + "-65535");
        }
        return port;
    }
}
