package io.portier.server;

/** The command line cannot be understood; the message says why, in one line. Exit code 2. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
