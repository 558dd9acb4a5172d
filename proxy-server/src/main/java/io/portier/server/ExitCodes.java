package io.portier.server;

/** The process exit codes of the command line contract. */
final class ExitCodes {
    static final int OK = 0;
    /** The config file is invalid or unreadable, or a command failed (reload). */
    static final int INVALID_CONFIG = 1;
    /** Unknown command or option, or a missing argument. */
    static final int USAGE = 2;
    /** A listener could not bind one of its addresses. */
    static final int BIND_FAILED = 3;
    /** A bug: an exception nobody expected. Outside the contract on purpose (BSD EX_SOFTWARE). */
    static final int INTERNAL_ERROR = 70;

    private ExitCodes() {}
}
