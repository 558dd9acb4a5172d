package io.netty.channel.epoll;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;

import java.io.IOException;

/**
 * Portier's one reach into Netty's epoll package: it must live here to call the package's
 * {@code AbstractEpollChannel.setFlag} on a channel before it is registered.
 *
 * <p>{@link #keepRegistered}: a correctness fix.
 *
 * <p>Why: when a half-closable epoll channel's input ends (the peer's FIN) at a moment when it
 * waits for nothing else, Netty clears its last interest bits (EPOLLIN, then EPOLLRDHUP) and, with
 * nothing left, removes the socket from epoll ({@code EPOLL_CTL_DEL}) while its registration still
 * counts as added. The next write the socket cannot take at once asks for EPOLLOUT with
 * {@code EPOLL_CTL_MOD}, which fails with ENOENT, and Netty closes the channel with the queued bytes
 * unsent: the other direction of a half-closed connection loses its tail (Netty 4.2.18).
 *
 * <p>Asking for EPOLLERR as well keeps the interest set from ever becoming empty, so the socket stays
 * in epoll until it is closed. It changes no event: epoll reports EPOLLERR (and EPOLLHUP) whether
 * asked for or not.
 */
public final class EpollInterest {
    private EpollInterest() {}

    /**
     * Keeps {@code ch} in epoll until it closes (see the class comment); nothing for other channels.
     * Call it before the channel is registered (no syscall then: the bit joins the first
     * {@code EPOLL_CTL_ADD}), or on its event loop.
     */
    public static void keepRegistered(Channel ch) {
        add(ch, Native.EPOLLERR);
    }

    /**
     * Asks for EPOLLIN from {@code ch}'s first {@code EPOLL_CTL_ADD}, when it is an epoll channel not
     * registered yet. For a backend connection, which reads as soon as it connects: Netty would ask
     * for EPOLLIN once the connect completes, one {@code EPOLL_CTL_MOD} more per connection. No read
     * can come sooner: a socket has nothing to read before it is connected.
     */
    public static void readFromConnect(Channel ch) {
        if (!ch.isRegistered()) {
            add(ch, Native.EPOLLIN);
        }
    }

    private static void add(Channel ch, int flag) {
        if (ch instanceof AbstractEpollChannel epoll) {
            try {
                epoll.setFlag(flag);
            } catch (IOException e) {
                throw new ChannelException(e);
            }
        }
    }
}
