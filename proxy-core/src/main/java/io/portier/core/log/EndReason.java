package io.portier.core.log;

/** Why a frontend connection ended: the {@code end=} field of the access log. */
public enum EndReason {
    CLIENT_CLOSED("client-closed"),
    SERVER_CLOSED("server-closed"),
    IDLE_TIMEOUT("idle-timeout"),
    CONNECT_FAILED("connect-failed"),
    NO_SERVER("no-server"),
    REJECTED_RATE("rejected-rate"),
    REJECTED_MAX_CONNECTIONS("rejected-max-connections"),
    REJECTED_SOURCE_RATE("rejected-source-rate"),
    REJECTED_SOURCE_CONNECTIONS("rejected-source-connections"),
    REJECTED_ACCESS("rejected-access"),
    DRAINED("drained"),
    SHUTDOWN("shutdown"),
    SERVER_DOWN("server-down"),
    ERROR("error");

    private final String text;

    EndReason(String text) {
        this.text = text;
    }

    /** The word written in the access log. */
    public String text() {
        return text;
    }

    public static EndReason fromText(String text) {
        for (EndReason r : values()) {
            if (r.text.equals(text)) {
                return r;
            }
        }
        throw new IllegalArgumentException("end reason: " + text + " (expected: one of the access log's end values)");
    }
}
