package io.portier.core.log;

/**
 * One ended frontend connection, as the access log writes it. Names are from the config (they match
 * [A-Za-z0-9_.-]+), so no escaping is needed.
 *
 * @param client        "ip:port" of the client
 * @param server        the server's name, or null when none was reached
 * @param connectMillis backend connect time, or -1 when no backend connection was made
 */
public record AccessRecord(
        long endEpochMillis,
        String listener,
        int port,
        String client,
        String pool,
        String server,
        long connectMillis,
        long durationMillis,
        long bytesIn,
        long bytesOut,
        EndReason end) {}
