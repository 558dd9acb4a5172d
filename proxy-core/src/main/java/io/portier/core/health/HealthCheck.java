package io.portier.core.health;

import io.portier.config.HealthConfig;
import io.portier.core.pool.Server;

/**
 * What one active check sends and how it judges the reply. {@link CheckProbe} does the I/O.
 *
 * <p>Thread-safety: immutable, shared by every server of a pool and every event loop.
 */
interface HealthCheck {

    /** Most reply bytes a check reads; past that it judges what it has. */
    int REPLY_LIMIT = 16 * 1024;

    /**
     * @return the bytes to write once connected, for this server; null for a layer 4 check, which
     *         passes as soon as the connection is established
     */
    byte[] request(Server server);

    /**
     * Judges the reply read so far, one char per byte (ISO-8859-1).
     *
     * @param complete true when no more bytes will come (closed, timed out or {@link #REPLY_LIMIT}
     *                 reached); a complete reply always gets a verdict
     * @return the verdict, or null to read more
     */
    CheckResult judge(CharSequence reply, boolean complete);

    /** @return the check for {@code config}, or null for {@code type = none} (no active check) */
    static HealthCheck of(HealthConfig config) {
        switch (config.type()) {
            case TCP:
                return TcpHealthCheck.INSTANCE;
            case SEND_EXPECT:
                return new SendExpectHealthCheck(config.send(), config.expect());
            case HTTP:
                return new HttpHealthCheck(config.http());
            default:
                return null;
        }
    }
}
