package io.portier.config;

/**
 * Thrown by the value parsers when a value does not fit; {@link #expected} completes the house message
 * {@code <value> (expected: <what>)}. Control flow inside the loader only, so it carries no stack trace.
 */
final class Rejected extends RuntimeException {
    final String expected;

    Rejected(String expected) {
        super(expected, null, false, false);
        this.expected = expected;
    }
}
