package io.portier.core.health;

/** The outcome of one health check, with HAProxy's codes. */
public enum CheckCode {
    NONE("no check run yet"),
    L4OK("layer 4 check passed"),
    L4TOUT("layer 4 timeout"),
    L4CON("connection refused"),
    L7OK("layer 7 check passed"),
    L7TOUT("layer 7 timeout"),
    L7RSP("unexpected reply"),
    L7STS("bad HTTP status"),
    PASSIVE("ejected after connect failures on live traffic");

    private final String description;

    CheckCode(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    public boolean ok() {
        return this == L4OK || this == L7OK;
    }
}
