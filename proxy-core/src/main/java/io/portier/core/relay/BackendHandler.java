package io.portier.core.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * The backend side of one relayed connection: moves bytes from the server to the client.
 *
 * <p>Thread: runs on the frontend connection's event loop (the backend is connected with that loop),
 * so it shares {@link FrontendHandler}'s fields without synchronisation.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {
    private final FrontendHandler frontend;

    BackendHandler(FrontendHandler frontend) {
        this.frontend = frontend;
    }

    /** Never shared: see {@link FrontendHandler#isSharable}. */
    @Override
    public boolean isSharable() {
        return false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        frontend.fromServer(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        frontend.fromServerComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        frontend.backendWritabilityChanged(ctx.channel().isWritable());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            frontend.serverEof();
            return; // this handler is the pipeline's only one: nothing after it wants the event
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        frontend.backendClosed();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        frontend.backendFailed(cause);
        ctx.close();
    }
}
