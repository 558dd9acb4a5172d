package io.portier.core.listener;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollInterest;

/**
 * On a listening socket's pipeline, before Netty's acceptor: prepares each accepted channel before
 * it is registered with its event loop. Today one thing: {@link EpollInterest#keepRegistered}, so a
 * client's half-close cannot drop the frontend connection out of epoll (and with it the bytes still
 * queued for the client). Done here, before registration, it costs no syscall.
 *
 * <p>Thread: the listening socket's event loop; stateless and shared by every listening socket.
 */
@ChannelHandler.Sharable
final class AcceptedChannels extends ChannelInboundHandlerAdapter {
    static final AcceptedChannels INSTANCE = new AcceptedChannels();

    private AcceptedChannels() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Channel accepted) {
            EpollInterest.keepRegistered(accepted);
        }
        ctx.fireChannelRead(msg);
    }
}
