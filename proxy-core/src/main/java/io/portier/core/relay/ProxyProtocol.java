package io.portier.core.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.portier.config.ProxyProtocolConfig;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The PROXY protocol (HAProxy's, v1 text and v2 binary) on both sides of the relay, through Netty's
 * codec: {@code proxy-protocol.accept} reads a header from the client before anything else (the
 * client address it names replaces the TCP peer's in the access log and for {@code source-hash});
 * {@code proxy-protocol.send} writes one to the server before the client's first byte.
 */
final class ProxyProtocol {
    private ProxyProtocol() {}

    /** Whether a received header is of the version the listener accepts. */
    static boolean versionMatches(ProxyProtocolConfig.Version wanted, HAProxyMessage header) {
        return switch (wanted) {
            case V1 -> header.protocolVersion() == HAProxyProtocolVersion.V1;
            case V2 -> header.protocolVersion() == HAProxyProtocolVersion.V2;
            case OFF -> false;
        };
    }

    /**
     * The client a header names, or null for a LOCAL command or an UNKNOWN protocol (a health check
     * of the proxy in front: the TCP peer stays the client).
     */
    static InetSocketAddress source(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY || header.sourceAddress() == null) {
            return null;
        }
        HAProxyProxiedProtocol p = header.proxiedProtocol();
        if (p != HAProxyProxiedProtocol.TCP4 && p != HAProxyProxiedProtocol.TCP6) {
            return null;
        }
        try {
            // An IP literal, validated by the decoder: no name lookup happens here.
            return new InetSocketAddress(InetAddress.getByName(header.sourceAddress()), header.sourcePort());
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * The header to send to a server for a connection from {@code client} to {@code frontend}. Mixed
     * families are sent as TCP6, with the IPv4 side mapped ({@code ::ffff:a.b.c.d}).
     */
    static HAProxyMessage header(ProxyProtocolConfig.Version version, InetSocketAddress client,
                                 InetSocketAddress frontend) {
        HAProxyProtocolVersion v = version == ProxyProtocolConfig.Version.V1
                ? HAProxyProtocolVersion.V1 : HAProxyProtocolVersion.V2;
        InetAddress src = client.getAddress();
        InetAddress dst = frontend.getAddress();
        boolean v4 = src instanceof Inet4Address && dst instanceof Inet4Address;
        String source = v4 ? src.getHostAddress() : v6(src);
        String destination = v4 ? dst.getHostAddress() : v6(dst);
        return new HAProxyMessage(v, HAProxyCommand.PROXY,
                v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                source, destination, client.getPort(), frontend.getPort());
    }

    /**
     * Writes the header to a just-connected {@code backend}, ahead of any other byte: the encoder is
     * in the pipeline only for this one write (it encodes synchronously inside {@code write}).
     */
    static void writeHeader(Channel backend, ProxyProtocolConfig.Version version, InetSocketAddress client,
                            InetSocketAddress frontend) {
        ChannelPipeline p = backend.pipeline();
        p.addFirst(PipelineNames.PROXY_HEADER_ENCODER, HAProxyMessageEncoder.INSTANCE);
        backend.write(header(version, client, frontend), backend.voidPromise());
        p.remove(PipelineNames.PROXY_HEADER_ENCODER);
    }

    private static String v6(InetAddress a) {
        if (a instanceof Inet6Address six) {
            String s = six.getHostAddress();
            int zone = s.indexOf('%');
            return zone >= 0 ? s.substring(0, zone) : s;
        }
        return "::ffff:" + a.getHostAddress();
    }
}
