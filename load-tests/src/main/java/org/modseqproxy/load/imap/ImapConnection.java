package org.modseqproxy.load.imap;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One client connection to an IMAP server, driven by one Gatling virtual user.
 *
 * <p>Threading: the channel is registered on the virtual user's own event loop (the one Gatling runs that
 * user's actions on), so actions, socket reads and timers all happen on one thread and nothing here needs
 * a lock or blocks. Every method must be called on that event loop.
 *
 * <p>A virtual user is sequential, so at most one command is in flight: the current {@link Exchange}
 * collects untagged responses until the tagged completion with its tag arrives (RFC 9051 2.2.2).
 */
final class ImapConnection {

    /** Session attribute under which a virtual user's open connection is kept between actions. */
    static final String SESSION_KEY = "modseqproxy.imap.connection";

    /** Connection parameters that do not change during a run. */
    /**
     * @param tls the client TLS context, or null for plain IMAP
     * @param startTls with {@code tls}: upgrade after the greeting with STARTTLS (RFC 9051 6.2.1) instead of
     *     speaking TLS from the first byte (RFC 8314 3.2)
     */
    record Endpoint(
            String host,
            int port,
            SslContext tls,
            boolean startTls,
            Duration connectTimeout,
            Duration commandTimeout,
            int maxResponseBytes,
            ChannelFactory<? extends SocketChannel> channelFactory) {}

    private final Channel channel;
    private final Duration commandTimeout;
    private int nextTag = 1;
    private Exchange current;
    /** Completes when the greeting arrived (the exchange without a tag). */
    private CompletableFuture<ImapReply> greeting;

    private ImapConnection(Channel channel, Duration commandTimeout) {
        this.channel = channel;
        this.commandTimeout = commandTimeout;
    }

    /**
     * Connects on {@code loop} and completes with the connection once the server greeting arrived.
     * RFC 9051 7.1: the greeting is an untagged OK or PREAUTH; BYE means the server refuses us.
     */
    static CompletableFuture<ImapConnection> open(Endpoint endpoint, EventLoop loop) {
        CompletableFuture<ImapConnection> opened = new CompletableFuture<>();
        ImapConnection[] created = new ImapConnection[1];
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(endpoint.channelFactory())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        endpoint.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // First in the pipeline: what the network carries, TLS records included.
                        ch.pipeline().addLast(BYTES, ImapTraffic.COUNTER);
                        // The connection exists (and waits for the greeting) before the first byte can be read.
                        ImapConnection connection = new ImapConnection(ch, endpoint.commandTimeout());
                        created[0] = connection;
                        connection.current = connection.newExchange(null, endpoint.connectTimeout());
                        if (endpoint.tls() != null && !endpoint.startTls()) {
                            SslHandler tls = tlsHandler(endpoint, ch);
                            ch.pipeline().addLast(TLS, tls);
                            // A refused certificate fails the greeting with the TLS reason, not "closed".
                            tls.handshakeFuture().addListener(f -> {
                                if (!f.isSuccess()) {
                                    connection.fail(connection.current, f.cause());
                                }
                            });
                        }
                        ch.pipeline().addLast(new ResponseFramer(endpoint.maxResponseBytes()), connection.handler());
                    }
                });
        bootstrap.connect(endpoint.host(), endpoint.port()).addListener((ChannelFuture f) -> {
            ImapConnection connection = created[0];
            if (!f.isSuccess()) {
                if (connection != null) {
                    connection.fail(connection.current, f.cause()); // stops the greeting timer
                }
                opened.completeExceptionally(f.cause());
                return;
            }
            CompletableFuture<ImapConnection> ready = connection.greeting.thenApply(greeting -> connection);
            if (endpoint.tls() != null && endpoint.startTls()) {
                ready = ready.thenCompose(c -> c.startTls(endpoint));
            }
            ready.whenComplete((c, error) -> {
                if (error != null) {
                    connection.close();
                    opened.completeExceptionally(
                            error instanceof CompletionException && error.getCause() != null
                                    ? error.getCause()
                                    : error);
                } else {
                    opened.complete(c);
                }
            });
        });
        return opened;
    }

    private static final String BYTES = "bytes";
    private static final String TLS = "tls";

    private static SslHandler tlsHandler(Endpoint endpoint, Channel ch) {
        // The host name goes into SNI and, when certificates are verified, into the host name check.
        return endpoint.tls().newHandler(ch.alloc(), endpoint.host(), endpoint.port());
    }

    /**
     * RFC 9051 6.2.1: STARTTLS, and after its tagged OK the TLS negotiation starts at once (nothing of the
     * server's may come in plain text after that OK). Completes when the handshake did; a refusal or a failed
     * handshake (an untrusted certificate, say) fails the connection.
     */
    private CompletableFuture<ImapConnection> startTls(Endpoint endpoint) {
        return execute("STARTTLS").thenCompose(reply -> {
            if (reply.status() != ImapStatus.OK) {
                return CompletableFuture.failedFuture(new IOException("STARTTLS refused: " + reply.tagged()));
            }
            SslHandler tls = tlsHandler(endpoint, channel);
            channel.pipeline().addAfter(BYTES, TLS, tls);
            CompletableFuture<ImapConnection> upgraded = new CompletableFuture<>();
            tls.handshakeFuture().addListener(f -> {
                if (f.isSuccess()) {
                    upgraded.complete(this);
                } else {
                    upgraded.completeExceptionally(f.cause());
                }
            });
            return upgraded;
        });
    }

    /** Sends {@code tag SP command CRLF} and completes with the server's reply once the tagged line arrives. */
    CompletableFuture<ImapReply> execute(String command) {
        return send(command, null, null);
    }

    /**
     * A command that the server continues with "+" once (AUTHENTICATE, RFC 9051 6.2.2): {@code response} is
     * sent as the client's line then. A second continuation fails the command.
     */
    CompletableFuture<ImapReply> execute(String command, String response) {
        return send(command, null, response);
    }

    /**
     * RFC 2177: sends IDLE, waits for the continuation, stays idle for {@code idleFor} (collecting what the
     * server pushes), then sends DONE and completes with the tagged completion.
     */
    CompletableFuture<ImapReply> idle(Duration idleFor) {
        return send("IDLE", idleFor, null);
    }

    boolean isOpen() {
        return channel.isActive();
    }

    void close() {
        channel.close();
    }

    private CompletableFuture<ImapReply> send(String command, Duration idleFor, String response) {
        if (!channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("IMAP connection used off its event loop");
        }
        if (current != null) {
            return CompletableFuture.failedFuture(new IllegalStateException("a command is already in flight"));
        }
        if (!channel.isActive()) {
            return CompletableFuture.failedFuture(new IOException("connection is closed"));
        }
        String tag = "G" + nextTag++;
        Duration budget = idleFor == null ? commandTimeout : commandTimeout.plus(idleFor);
        Exchange exchange = newExchange(tag, budget);
        current = exchange;
        if (idleFor != null) {
            exchange.onContinuation = () -> enterIdle(exchange, idleFor);
        } else if (response != null) {
            exchange.onContinuation = () -> write(exchange, response + "\r\n");
        }
        write(exchange, tag + " " + command + "\r\n");
        return exchange.result;
    }

    private void enterIdle(Exchange exchange, Duration idleFor) {
        long since = System.nanoTime();
        channel.eventLoop()
                .schedule(
                        () -> {
                            if (current == exchange) {
                                exchange.idledMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
                                write(
                                        exchange,
                                        "DONE\r\n"); // RFC 2177 3: DONE ends the IDLE, then the tagged OK follows
                            }
                        },
                        idleFor.toMillis(),
                        TimeUnit.MILLISECONDS);
    }

    private void write(Exchange exchange, String text) {
        channel.writeAndFlush(ByteBufUtil.writeUtf8(channel.alloc(), text)).addListener(f -> {
            if (!f.isSuccess()) {
                fail(exchange, f.cause());
            }
        });
    }

    private Exchange newExchange(String tag, Duration timeout) {
        Exchange exchange = new Exchange(tag);
        if (tag == null) {
            greeting = exchange.result;
        }
        exchange.timer = channel.eventLoop()
                .schedule(
                        () -> fail(
                                exchange,
                                new TimeoutException((tag == null ? "no greeting" : "no tagged response to " + tag)
                                        + " within "
                                        + timeout.toMillis()
                                        + " ms")),
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
        return exchange;
    }

    private void onResponse(String line) {
        Exchange exchange = current;
        if (exchange == null) {
            // Unsolicited data between commands (RFC 9051 7: the server may send untagged responses at any time);
            // nobody waits for it, the next command's reply carries the mailbox state again.
            return;
        }
        if (exchange.tag == null) {
            if (line.regionMatches(true, 0, "* BYE", 0, 5)) {
                fail(exchange, new IOException("server refused the connection: " + line));
            } else {
                complete(exchange, ImapStatus.OK, line); // "* OK" or "* PREAUTH" (RFC 9051 7.1.1, 7.1.4)
            }
            return;
        }
        if (line.startsWith("+")) {
            Runnable onContinuation = exchange.onContinuation;
            exchange.onContinuation = null;
            if (onContinuation == null) {
                fail(exchange, new IOException("unexpected continuation request: " + line));
            } else {
                onContinuation.run();
            }
        } else if (line.startsWith("* ")) {
            exchange.arrivals.add(System.nanoTime());
            exchange.untagged.add(line);
        } else if (line.startsWith(exchange.tag + " ")) {
            ImapStatus status = ImapStatus.ofTaggedLine(line);
            if (status == null) {
                fail(exchange, new IOException("tagged response without OK/NO/BAD: " + line));
            } else {
                complete(exchange, status, line);
            }
        } else {
            fail(
                    exchange,
                    new IOException("response with a foreign tag while waiting for " + exchange.tag + ": " + line));
        }
    }

    private void complete(Exchange exchange, ImapStatus status, String line) {
        if (current != exchange) {
            return;
        }
        current = null;
        exchange.timer.cancel(false);
        exchange.result.complete(
                new ImapReply(status, line, exchange.untagged, exchange.idledMillis, exchange.arrivals));
    }

    /** Fails the exchange and closes: after a timeout or a protocol error the connection state is unknown. */
    private void fail(Exchange exchange, Throwable cause) {
        if (exchange == null || current != exchange) {
            return;
        }
        current = null;
        exchange.timer.cancel(false);
        channel.close();
        exchange.result.completeExceptionally(cause);
    }

    private SimpleChannelInboundHandler<String> handler() {
        return new SimpleChannelInboundHandler<>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, String line) {
                onResponse(line);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (current != null) {
                    fail(current, new IOException("connection closed by the server"));
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable error) {
                // A failed TLS handshake arrives wrapped by the decoder that read it; report the TLS reason.
                Throwable cause =
                        error instanceof DecoderException && error.getCause() != null ? error.getCause() : error;
                if (current != null) {
                    fail(current, cause);
                } else {
                    ctx.close();
                }
            }
        };
    }

    /** One command in flight (or the greeting, when {@code tag} is null). */
    private static final class Exchange {
        final String tag;
        final List<String> untagged = new ArrayList<>();
        final CompletableFuture<ImapReply> result = new CompletableFuture<>();
        ScheduledFuture<?> timer;
        Runnable onContinuation;
        long idledMillis;
        final List<Long> arrivals = new ArrayList<>();

        Exchange(String tag) {
            this.tag = tag;
        }
    }
}
