package io.portier.config;

import java.time.Duration;

/**
 * Health checking of a pool's servers.
 *
 * @param send   send-expect: bytes to send, escapes already decoded
 * @param expect send-expect: substring, or a regex when written as /regex/
 */
public record HealthConfig(
        Type type,
        Duration interval,
        Duration timeout,
        int rise,
        int fall,
        String send,
        String expect,
        Http http,
        Passive passive) {

    public enum Type { TCP, SEND_EXPECT, HTTP, NONE }

    /**
     * @param expectStatusLow  lowest accepted status, 100-599
     * @param expectStatusHigh highest accepted status, expectStatusLow-599
     * @param host             Host header; empty = the server's address
     */
    public record Http(String path, int expectStatusLow, int expectStatusHigh, String host) {}

    /** Connect failures on live traffic that eject a server, and for how long. */
    public record Passive(int consecutiveFailures, Duration ejection) {}
}
