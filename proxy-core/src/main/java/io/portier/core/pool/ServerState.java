package io.portier.core.pool;

/** What a server is doing, as the admin API shows it. */
public enum ServerState {
    UP("up: takes new connections"),
    DOWN("down: failed its health checks or was ejected"),
    DRAIN("drain: admin asked for no new connections; live ones stay"),
    MAINT("maint: admin took it out; live ones follow on-server-down");

    private final String description;

    ServerState(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
