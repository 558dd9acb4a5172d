package io.portier.core;

/** A listener could not bind one of its addresses; nothing of the listener stays bound. */
public final class ListenerBindException extends Exception {
    private final String listener;
    private final String address;
    private final String reason;

    public ListenerBindException(String listener, String address, String reason, Throwable cause) {
        super("listener " + listener + ": cannot bind " + address + ": " + reason, cause);
        this.listener = listener;
        this.address = address;
        this.reason = reason;
    }

    public String listener() {
        return listener;
    }

    public String address() {
        return address;
    }

    public String reason() {
        return reason;
    }
}
