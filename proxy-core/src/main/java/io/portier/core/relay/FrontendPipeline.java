package io.portier.core.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.epoll.PortierSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.portier.config.ListenerConfig;
import io.portier.config.ProxyProtocolConfig;
import io.portier.core.listener.ListenerPort;

/** Builds the pipeline of an accepted frontend connection, in the order {@link PipelineNames} gives. */
public final class FrontendPipeline {
    private FrontendPipeline() {}

    /**
     * Called once per accepted connection, before it is registered. Reads are on from the start (what
     * the client sends while the server connects is held by {@link FrontendHandler}, bounded), and on
     * epoll asked for in the socket's first {@code EPOLL_CTL_ADD}; with {@code proxy-protocol.accept}
     * they are off, and {@link ProxyHeaderHandler} asks for the header itself.
     */
    public static void init(Channel ch, ListenerPort port) {
        ChannelPipeline p = ch.pipeline();
        ListenerConfig listener = port.route().listener();
        ProxyProtocolConfig.Version accept = listener.proxyProtocol().accept();
        if (accept != ProxyProtocolConfig.Version.OFF) {
            ch.config().setAutoRead(false);
            p.addLast(PipelineNames.PROXY_HEADER_DECODER, new HAProxyMessageDecoder());
            p.addLast(PipelineNames.PROXY_HEADER, new ProxyHeaderHandler(accept, listener.timeouts().connect()));
        } else if (ch instanceof PortierSocketChannel epoll && ch.config().isAutoRead()) {
            epoll.readFromRegistration();
        }
        p.addLast(PipelineNames.FRONTEND, new FrontendHandler(port));
    }
}
