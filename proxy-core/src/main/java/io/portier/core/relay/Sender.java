package io.portier.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;

import java.io.IOException;
import java.nio.channels.NotYetConnectedException;

/**
 * Writes one direction of a relayed connection: what one side's read batch brought, to the other
 * side's socket, flushed once per batch.
 *
 * <p>The common read batch is one small buffer (a request, a reply). When nothing else waits to be
 * written on the channel, that buffer is sent straight to the socket with one {@code send(2)} at
 * the end of the batch, instead of through the channel's pipeline and {@link ChannelOutboundBuffer}
 * (a pipeline walk for the write and another for the flush, an outbound entry taken from and given
 * back to Netty's recycler, pending-bytes accounting): the same syscall, less Java per read. Anything
 * else goes the usual way, in order: a second buffer in the same batch, a buffer larger than
 * {@link #DIRECT_MAX_BYTES}, a channel with writes already queued, a transport other than epoll,
 * and a frontend connection with a bandwidth shaper in its pipeline (the shaper must see every
 * write). What the socket does not take at once is queued behind as a normal write, so
 * backpressure (writability, the high-water mark) works as before; a send that fails leaves the
 * buffer to Netty's own write, which meets the same error and closes the channel its usual way.
 *
 * <p>Thread: the connection's event loop; one instance per direction per connection.
 */
final class Sender {
    /**
     * Larger buffers take the usual path: their per-write overhead is small next to the copy, and a
     * large write is the one likely to find the socket buffer full (a partial send, then a retry).
     */
    static final int DIRECT_MAX_BYTES = 16 * 1024;

    private final Channel ch;
    /** The socket to send to directly, or null when every write goes through the pipeline. */
    private final Socket socket;
    /** The batch's only buffer so far, not written anywhere yet; null when none or already written. */
    private ByteBuf held;

    private Sender(Channel ch, Socket socket) {
        this.ch = ch;
        this.socket = socket;
    }

    /** A sender to {@code ch}; {@code pipelineOnly} when a handler in its pipeline must see every write. */
    static Sender to(Channel ch, boolean pipelineOnly) {
        Socket socket = !pipelineOnly && ch instanceof UnixChannel unix && unix.fd() instanceof Socket s ? s : null;
        return new Sender(ch, socket);
    }

    /** One message of the current read batch; written by {@link #flush()} at the latest. */
    void write(Object msg) {
        if (held == null && socket != null && msg instanceof ByteBuf buf
                && buf.readableBytes() <= DIRECT_MAX_BYTES && buf.hasMemoryAddress()) {
            held = buf;
            return;
        }
        if (held != null) {
            ch.write(held, ch.voidPromise());
            held = null;
        }
        ch.write(msg, ch.voidPromise());
    }

    /** Ends the read batch: everything written so far is sent or queued, in order. */
    void flush() {
        ByteBuf buf = held;
        if (buf != null) {
            held = null;
            if (sendDirect(buf)) {
                return;
            }
            ch.write(buf, ch.voidPromise());
        }
        ch.flush();
    }

    /** Drops a held buffer (the connection is ending before the batch was flushed). */
    void discard() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    /**
     * Sends {@code buf} with one {@code send(2)} when nothing is queued on the channel. Returns true
     * when all of it was sent (and {@code buf} released); false when the caller must write what is
     * left of it the usual way (its reader index is past what was sent).
     */
    private boolean sendDirect(ByteBuf buf) {
        ChannelOutboundBuffer queued = ch.unsafe().outboundBuffer();
        if (queued == null || queued.totalPendingWriteBytes() != 0 || !ch.isActive()) {
            return false;
        }
        int from = buf.readerIndex();
        int to = buf.writerIndex();
        int sent;
        try {
            sent = socket.sendAddress(buf.memoryAddress(), from, to);
        } catch (IOException | NotYetConnectedException e) {
            return false; // Netty's own write meets the same error and ends the channel its way
        }
        if (sent == to - from) {
            buf.release();
            return true;
        }
        buf.readerIndex(from + sent);
        return false;
    }
}
