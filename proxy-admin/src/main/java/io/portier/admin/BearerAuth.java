package io.portier.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer TOKEN}. Both sides are hashed with SHA-256 before a
 * constant-time compare, so neither the content nor the length of the token leaks through timing.
 * Thread-safe.
 */
final class BearerAuth {
    private static final String PREFIX = "Bearer ";

    private final byte[] expected;

    private BearerAuth(byte[] expected) {
        this.expected = expected;
    }

    /** No token configured: every request passes. */
    static BearerAuth of(Optional<String> token) {
        return new BearerAuth(token.map(BearerAuth::sha256).orElse(null));
    }

    boolean required() {
        return expected != null;
    }

    /** @param authorization the Authorization header, or null */
    boolean accepts(String authorization) {
        if (expected == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            // still hash something, so a missing header costs what a wrong one costs
            MessageDigest.isEqual(expected, sha256(""));
            return false;
        }
        return MessageDigest.isEqual(expected, sha256(authorization.substring(PREFIX.length()).trim()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
