package io.portier.core.relay;

/**
 * Names of the handlers in Portier's pipelines, and their order.
 *
 * <p>Frontend connection (client to proxy), in order from the socket:
 * <ol>
 *   <li>{@link #PROXY_HEADER_DECODER} and {@link #PROXY_HEADER}: {@code proxy-protocol.accept}, only when
 *       set; both leave the pipeline once the client's PROXY header has been read.</li>
 *   <li>{@link #PORT_SHAPING}: {@code limits.bandwidth.port}, one handler shared by every connection
 *       of the port; only when that limit is set.</li>
 *   <li>{@link #CONNECTION_SHAPING}: {@code limits.bandwidth.connection}, one per connection; only
 *       when set.</li>
 *   <li>{@link #FRONTEND}: the relay: admission, connects the backend, moves bytes both ways, owns
 *       the connection's lifetime and its access log line.</li>
 * </ol>
 * The shapers are added by the relay once the connection is admitted (a rejected connection costs
 * no handler), each directly before {@link #FRONTEND} by name, so a handler added earlier before
 * {@link #FRONTEND} (a PROXY protocol decoder, when wired) stays nearer the socket than they are.
 *
 * <p>Backend connection (proxy to server): {@link #BACKEND} (moves bytes back to the frontend), and
 * for {@code proxy-protocol.send} {@link #PROXY_HEADER_ENCODER} before it while the header is written.
 */
public final class PipelineNames {
    private PipelineNames() {}

    public static final String PORT_SHAPING = "portier.shaping.port";
    public static final String CONNECTION_SHAPING = "portier.shaping.connection";
    public static final String PROXY_HEADER_DECODER = "portier.proxy-header.decoder";
    public static final String PROXY_HEADER = "portier.proxy-header";
    public static final String FRONTEND = "portier.frontend";
    /** On the backend connection, for the one write of {@code proxy-protocol.send}'s header. */
    public static final String PROXY_HEADER_ENCODER = "portier.proxy-header.encoder";
    public static final String BACKEND = "portier.backend";
}
