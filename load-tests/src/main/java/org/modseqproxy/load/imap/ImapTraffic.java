package org.modseqproxy.load.imap;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bytes on the wire of every IMAP connection of the run (after TLS, as the network sees them), for the bytes
 * columns of the A/B table: Gatling's stats engine has no notion of bytes for a custom protocol. One line,
 * {@link #summary()}, is printed by each bundled simulation when it ends; {@code ab-run.sh} reads it.
 */
public final class ImapTraffic {

    private static final LongAdder IN = new LongAdder();
    private static final LongAdder OUT = new LongAdder();
    private static final LongAdder CONNECTIONS = new LongAdder();

    /** Shared by all channels: it keeps no per-channel state. */
    static final ChannelHandler COUNTER = new Counter();

    private ImapTraffic() {}

    public static long bytesIn() {
        return IN.sum();
    }

    public static long bytesOut() {
        return OUT.sum();
    }

    public static long connections() {
        return CONNECTIONS.sum();
    }

    /** {@code IMAP traffic: N bytes in, M bytes out, K connections} (the format ab-run.sh parses). */
    public static String summary() {
        return "IMAP traffic: " + bytesIn() + " bytes in, " + bytesOut() + " bytes out, " + connections()
                + " connections";
    }

    @ChannelHandler.Sharable
    private static final class Counter extends ChannelDuplexHandler {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            CONNECTIONS.increment();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf buf) {
                IN.add(buf.readableBytes());
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf buf) {
                OUT.add(buf.readableBytes());
            }
            ctx.write(msg, promise);
        }
    }
}
