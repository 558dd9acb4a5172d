package io.portier.config;

import java.util.stream.IntStream;

/**
 * One entry of a listener's {@code bind}: an address and a port range (a single port has
 * {@code firstPort == lastPort}). {@code ":8080"} is stored with host {@code "0.0.0.0"}.
 * Port 0 asks the OS for a free port.
 *
 * @param host      IP literal (no brackets) or host name
 * @param firstPort 0-65535
 * @param lastPort  firstPort-65535
 */
public record BindAddress(String host, int firstPort, int lastPort) {

    public IntStream ports() {
        return IntStream.rangeClosed(firstPort, lastPort);
    }

    public int portCount() {
        return lastPort - firstPort + 1;
    }

    @Override
    public String toString() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return firstPort == lastPort ? h + ":" + firstPort : h + ":" + firstPort + "-" + lastPort;
    }
}
