package io.portier.config;

/**
 * A host (IP literal or name, without brackets) and one port. The host is never empty here.
 */
public record HostPort(String host, int port) {

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
