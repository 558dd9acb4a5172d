package io.portier.core.health;

import io.portier.core.pool.Server;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code type = send-expect}: writes {@code send}, then reads until the reply matches {@code expect}
 * (L7OK). A reply that ends (closed, timed out, 16 KiB) without matching is L7RSP with an excerpt.
 *
 * <p>{@code expect} is a substring, or a regex when written {@code /like this/} (found anywhere in the
 * reply). An empty {@code expect} passes on the first byte received; an empty {@code send} writes
 * nothing and waits for the server to speak first (a banner).
 */
final class SendExpectHealthCheck implements HealthCheck {
    private final byte[] send;
    private final String substring;
    private final Pattern regex;

    SendExpectHealthCheck(String send, String expect) {
        this.send = send.getBytes(StandardCharsets.ISO_8859_1);
        if (expect.length() >= 2 && expect.startsWith("/") && expect.endsWith("/")) {
            try {
                this.regex = Pattern.compile(expect.substring(1, expect.length() - 1));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("health.expect: " + expect
                        + " (expected: a substring or a valid /regex/: " + e.getDescription() + ")", e);
            }
            this.substring = null;
        } else {
            this.regex = null;
            this.substring = expect;
        }
    }

    @Override
    public byte[] request(Server server) {
        return send;
    }

    @Override
    public CheckResult judge(CharSequence reply, boolean complete) {
        if (matches(reply)) {
            return new CheckResult(CheckCode.L7OK, "", Instant.now());
        }
        if (!complete) {
            return null;
        }
        return new CheckResult(CheckCode.L7RSP, "unexpected reply " + Excerpt.of(reply), Instant.now());
    }

    private boolean matches(CharSequence reply) {
        if (regex != null) {
            return regex.matcher(reply).find();
        }
        if (substring.isEmpty()) {
            return reply.length() > 0;
        }
        return indexOf(reply, substring) >= 0;
    }

    private static int indexOf(CharSequence text, String needle) {
        int last = text.length() - needle.length();
        outer:
        for (int i = 0; i <= last; i++) {
            for (int j = 0; j < needle.length(); j++) {
                if (text.charAt(i + j) != needle.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
