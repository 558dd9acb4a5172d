package io.portier.core.health;

import io.portier.config.HealthConfig;
import io.portier.core.pool.Server;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * {@code type = http}: sends {@code GET path HTTP/1.1} with a Host header (the configured host, else
 * the server's address) and {@code Connection: close}, and judges the status line only: a status
 * within {@code expect-status} is L7OK, another one L7STS ("HTTP 503"), anything that is not an
 * HTTP/1.x status line L7RSP.
 */
final class HttpHealthCheck implements HealthCheck {
    private final HealthConfig.Http http;

    HttpHealthCheck(HealthConfig.Http http) {
        this.http = http;
    }

    @Override
    public byte[] request(Server server) {
        String host = http.host().isEmpty() ? server.config().address() : http.host();
        String path = http.path().isEmpty() ? "/" : http.path();
        return ("GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "Connection: close\r\n"
                + "User-Agent: portier-health\r\n"
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    @Override
    public CheckResult judge(CharSequence reply, boolean complete) {
        int eol = indexOfNewline(reply);
        if (eol < 0 && !complete) {
            return null;
        }
        CharSequence line = reply.subSequence(0, eol < 0 ? reply.length() : eol);
        int status = status(line);
        if (status < 0) {
            return new CheckResult(CheckCode.L7RSP, "not an HTTP status line " + Excerpt.of(reply), Instant.now());
        }
        boolean ok = status >= http.expectStatusLow() && status <= http.expectStatusHigh();
        return new CheckResult(ok ? CheckCode.L7OK : CheckCode.L7STS, "HTTP " + status, Instant.now());
    }

    private static int indexOfNewline(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                return i > 0 && s.charAt(i - 1) == '\r' ? i - 1 : i;
            }
        }
        return -1;
    }

    /** @return the status of {@code HTTP/1.x NNN[ reason]}, or -1 when the line is not one */
    static int status(CharSequence line) {
        // "HTTP/1.1 200" is 12 chars; a reason phrase, if any, follows a space.
        if (line.length() < 12 || !line.subSequence(0, 7).toString().equals("HTTP/1.")
                || !Character.isDigit(line.charAt(7)) || line.charAt(8) != ' ') {
            return -1;
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = line.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            status = status * 10 + (c - '0');
        }
        if (line.length() > 12 && line.charAt(12) != ' ') {
            return -1;
        }
        return status >= 100 && status <= 599 ? status : -1;
    }
}
