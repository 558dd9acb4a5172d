package io.portier.core.limit;

import io.portier.core.log.EndReason;
import io.portier.core.metrics.PortMetrics;

/** The outcome of an admission check: admitted, or the limit that refused the connection. */
public enum Verdict {
    ADMITTED(null, null, false),
    /** The client address is denied, or not in a non-empty allow list. */
    ACCESS(PortMetrics.Rejection.ACCESS, EndReason.REJECTED_ACCESS, false),
    /** The port holds {@code max-connections} already. */
    MAX_CONNECTIONS(PortMetrics.Rejection.MAX_CONNECTIONS, EndReason.REJECTED_MAX_CONNECTIONS, true),
    /** The port's connection-rate bucket is empty. */
    RATE(PortMetrics.Rejection.RATE, EndReason.REJECTED_RATE, true),
    /** This client address holds {@code per-source.max-connections} already. */
    SOURCE_CONNECTIONS(PortMetrics.Rejection.SOURCE_CONNECTIONS, EndReason.REJECTED_SOURCE_CONNECTIONS, false),
    /** This client address's connection-rate bucket is empty. */
    SOURCE_RATE(PortMetrics.Rejection.SOURCE_RATE, EndReason.REJECTED_SOURCE_RATE, false);

    private final PortMetrics.Rejection rejection;
    private final EndReason endReason;
    private final boolean portWide;

    Verdict(PortMetrics.Rejection rejection, EndReason endReason, boolean portWide) {
        this.rejection = rejection;
        this.endReason = endReason;
        this.portWide = portWide;
    }

    /** The {@code reason} label of {@code portier_listener_rejected_total}; null when admitted. */
    public PortMetrics.Rejection rejection() {
        return rejection;
    }

    /** The access log's {@code end=} value; null when admitted. */
    public EndReason endReason() {
        return endReason;
    }

    /**
     * True for the port-wide limits, the ones {@code on-limit = pause} pauses accepting for. A
     * per-source or access rejection never pauses the port: one client must not stop everyone.
     */
    public boolean portWide() {
        return portWide;
    }
}
