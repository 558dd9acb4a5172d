package io.portier.core.relay;

/**
 * Names of the handlers in Portier's pipelines, and their order.
 *
 * <p>Frontend connection (client to proxy), in order: {@link #FRONTEND} (the relay: connects the
 * backend, moves bytes both ways, owns the connection's lifetime and its access log line). Admission
 * control and PROXY protocol handlers are inserted before it by name when configured.
 *
 * <p>Backend connection (proxy to server): {@link #BACKEND} (moves bytes back to the frontend).
 */
public final class PipelineNames {
    private PipelineNames() {}

    public static final String FRONTEND = "portier.frontend";
    public static final String BACKEND = "portier.backend";
}
