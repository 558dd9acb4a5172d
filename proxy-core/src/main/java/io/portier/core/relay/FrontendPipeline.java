package io.portier.core.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.portier.config.ListenerConfig;
import io.portier.config.ProxyProtocolConfig;
import io.portier.core.listener.ListenerPort;

/** Builds the pipeline of an accepted frontend connection, in the order {@link PipelineNames} gives. */
public final class FrontendPipeline {
    private FrontendPipeline() {}

    /** Called once per accepted connection, on its event loop, before it becomes active. */
    public static void init(Channel ch, ListenerPort port) {
        ChannelPipeline p = ch.pipeline();
        ListenerConfig listener = port.route().listener();
        ProxyProtocolConfig.Version accept = listener.proxyProtocol().accept();
        if (accept != ProxyProtocolConfig.Version.OFF) {
            p.addLast(PipelineNames.PROXY_HEADER_DECODER, new HAProxyMessageDecoder());
            p.addLast(PipelineNames.PROXY_HEADER, new ProxyHeaderHandler(accept, listener.timeouts().connect()));
        }
        p.addLast(PipelineNames.FRONTEND, new FrontendHandler(port));
    }
}
