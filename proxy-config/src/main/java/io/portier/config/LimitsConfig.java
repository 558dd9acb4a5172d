package io.portier.config;

/**
 * Admission control per frontend port. {@link #UNLIMITED} stands for "unlimited".
 *
 * @param maxConnections  concurrent connections, or UNLIMITED
 * @param connectionRate  new connections per second, or UNLIMITED
 * @param connectionBurst extra tokens; 0 means rate / 10
 */
public record LimitsConfig(
        long maxConnections,
        long connectionRate,
        long connectionBurst,
        PerSource perSource,
        Bandwidth bandwidth,
        OnLimit onLimit) {

    public static final long UNLIMITED = Long.MAX_VALUE;

    /** Limits per client IP. */
    public record PerSource(long maxConnections, long connectionRate, int trackedSources) {}

    /** Bytes per second, each direction, or UNLIMITED. */
    public record Bandwidth(long port, long connection) {}

    public enum OnLimit { CLOSE, RESET, PAUSE }
}
