package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;
import org.modseqproxy.proxy.codec.DecodeError;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.ImapDecoder;
import org.modseqproxy.proxy.codec.Limits;
import org.modseqproxy.proxy.codec.Sink;
import org.modseqproxy.proxy.command.Capabilities;
import org.modseqproxy.proxy.config.ProxyConfig;
import org.modseqproxy.proxy.log.SessionLog;
import org.modseqproxy.proxy.sync.BackendListener;
import org.modseqproxy.proxy.sync.BackendPort;

/**
 * The proxy's IMAP client toward the backend, one per authenticated client session, living on the session's event
 * loop. At most one command is outstanding at a time (the session serializes), so every untagged response belongs to
 * that command; tags are the proxy's own ("p1", "p2", ...) so internal commands can never collide with a client's.
 */
public final class BackendConnection implements Sink, BackendPort {
    /** The session's log once the connection is the session's (BackendLogin); before that, lines carry no session. */
    private SessionLog log = SessionLog.none();

    private final Vertx vertx;
    private final NetSocket socket;
    private final ImapDecoder decoder;
    private final Handler<BackendException> onFailure;
    private List<String> capabilities = List.of();
    private int nextTag = 1;
    private String pendingTag;
    private BackendListener current;
    private BackendListener unsolicited;
    private BackendListener streamTarget;
    private boolean idling;
    private boolean closed;
    private boolean closingByUs;
    private final StallWatch stall;
    private int inputPauses;
    private Promise<BackendConnection> whileConnecting;
    private final Continuations continuations = new Continuations();

    BackendConnection(Vertx vertx, ProxyConfig.Backend config, NetSocket socket, Handler<BackendException> onFailure) {
        this.vertx = vertx;
        this.socket = socket;
        this.onFailure = onFailure;
        this.stall = new StallWatch(
                vertx,
                config.responseTimeout(),
                () -> pendingTag != null && !closed && !closingByUs,
                () -> idling || inputPauses > 0,
                () -> fail(new BackendException("Backend did not answer in time")));
        this.decoder = new ImapDecoder(ImapDecoder.Side.RESPONSES, Limits.backendResponses(), this);
    }

    void start() {
        socket.handler(buf -> {
            stall.activity();
            bytesIn.accept(buf.length());
            decoder.feed(buf);
            afterRead.run();
        });
        socket.closeHandler(v -> {
            stall.cancel();
            if (!closed) {
                closed = true;
                if (!closingByUs) {
                    fail(new BackendException("Backend closed the connection"));
                }
            }
        });
        socket.exceptionHandler(err -> log.debug("backend socket error: {}", err.toString()));
    }

    void log(SessionLog sessionLog) {
        this.log = sessionLog;
    }

    /** While connecting, a failure completes this promise instead of reaching the session's failure handler. */
    void failWhileConnecting(Promise<BackendConnection> promise) {
        this.whileConnecting = promise;
    }

    Future<Void> upgradeToSsl(ClientSSLOptions ssl, String host) {
        return socket.upgradeToSsl(ssl, host);
    }

    /** Asks CAPABILITY and remembers the answer. */
    public Future<List<String>> refreshCapabilities() {
        return run("CAPABILITY").map(r -> {
            for (Frame f : r.untagged()) {
                Capabilities.in(f).ifPresent(c -> capabilities = c);
            }
            Capabilities.in(r.tagged()).ifPresent(c -> capabilities = c);
            return capabilities;
        });
    }

    public List<String> capabilities() {
        return capabilities;
    }

    /** Replaces what we know of the capabilities (from a [CAPABILITY] code after login). */
    public void capabilities(List<String> caps) {
        this.capabilities = List.copyOf(caps);
    }

    @Override
    public boolean has(String capability) {
        return Capabilities.has(capabilities, capability);
    }

    private Runnable afterRead = () -> {};
    private IntConsumer bytesIn = n -> {};
    private IntConsumer bytesOut = n -> {};

    /** Counts the bytes read from and written to the backend (modseq_bytes_total backend_in / backend_out). */
    public void meterBytes(IntConsumer in, IntConsumer out) {
        this.bytesIn = in;
        this.bytesOut = out;
    }

    /** Runs after each read from the backend has been decoded (the funnel flushes what it coalesced). */
    public void afterRead(Runnable r) {
        this.afterRead = r;
    }

    /** Listener for responses that arrive while no command is outstanding (e.g. EXISTS between commands). */
    public void unsolicited(BackendListener listener) {
        this.unsolicited = listener;
    }

    /**
     * Sends one command: the proxy's tag, a space, then {@code rest} (everything after the client's tag, CRLF
     * included). Literal markers are rewritten for the backend ({@link LiteralMarkers}). Returns the tag used.
     */
    public String send(Buffer rest, BackendListener listener) {
        String tag = begin(listener);
        writePart(
                Buffer.buffer(tag.length() + 1 + rest.length())
                        .appendString(tag)
                        .appendByte((byte) ' ')
                        .appendBuffer(rest),
                false);
        return tag;
    }

    /**
     * Starts a command whose first part ends with the announcement of a literal the caller streams itself (a large
     * APPEND). The future completes when the backend is ready for the literal data; it fails if the backend answered
     * the command instead (the listener then gets that tagged answer as usual).
     */
    public Future<Void> sendHead(Buffer restEndingWithMarker, BackendListener listener) {
        String tag = begin(listener);
        return writePart(
                Buffer.buffer().appendString(tag).appendByte((byte) ' ').appendBuffer(restEndingWithMarker), true);
    }

    private String begin(BackendListener listener) {
        if (pendingTag != null) {
            throw new IllegalStateException("a command is already outstanding: " + pendingTag);
        }
        String tag = "p" + nextTag++;
        pendingTag = tag;
        current = listener;
        stall.arm();
        return tag;
    }

    /**
     * Writes a further part of the outstanding command (the rest of a line after a streamed literal). When
     * {@code endsWithLargeLiteral}, the future completes once the backend may receive that literal's data.
     */
    public Future<Void> writePart(Buffer part, boolean endsWithLargeLiteral) {
        return continuations.write(part, literalPlus(), endsWithLargeLiteral, this::write);
    }

    /** RFC 7888: LITERAL+ lets us send literals without waiting; LITERAL- only up to 4096 octets, so not relied on. */
    private boolean literalPlus() {
        return Capabilities.has(capabilities, "LITERAL+");
    }

    @Override
    public String send(String rest, BackendListener listener) {
        return send(Buffer.buffer(rest + "\r\n"), listener);
    }

    /** Writes more bytes of the outstanding command (literal data, the rest of a line, DONE). */
    public void write(Buffer data) {
        if (!closed) {
            bytesOut.accept(data.length());
            socket.write(data);
        }
    }

    public boolean writeQueueFull() {
        return socket.writeQueueFull();
    }

    public void drainHandler(Handler<Void> handler) {
        socket.drainHandler(handler);
    }

    /** Runs an internal command whose responses never reach the client; untagged lines are collected. */
    @Override
    public Future<Result> run(String command) {
        Promise<Result> promise = Promise.promise();
        List<Frame> untagged = new ArrayList<>();
        send(command, new BackendListener() {
            @Override
            public void untagged(Frame frame) {
                untagged.add(frame);
            }

            @Override
            public void tagged(Frame frame) {
                promise.tryComplete(new Result(untagged, frame));
            }
        });
        return promise.future();
    }

    /** IDLE is the one command where a silent backend is normal (RFC 2177). */
    public void idling(boolean idling) {
        this.idling = idling;
        stall.activity();
    }

    /** The proxy's tag of the outstanding command, or null. */
    public String pendingTag() {
        return pendingTag;
    }

    public boolean idling() {
        return idling;
    }

    public boolean outstanding() {
        return pendingTag != null;
    }

    /** Backpressure: stop reading the backend (e.g. the client's socket is full). Calls must be balanced. */
    @Override
    public void pauseInput() {
        if (inputPauses++ == 0) {
            socket.pause();
            decoder.pause();
        }
    }

    @Override
    public void resumeInput() {
        if (inputPauses > 0 && --inputPauses == 0) {
            socket.resume();
            decoder.resume();
        }
    }

    /** Polite close: LOGOUT then close (RFC 9051 6.1.3); the socket closes even if the backend never answers. */
    public void close() {
        if (closed || closingByUs) {
            return;
        }
        closingByUs = true;
        stall.cancel();
        if (idling) {
            // RFC 2177: IDLE ends with DONE; then the LOGOUT below can be sent (a vanished client's session ends
            // cleanly).
            socket.write("DONE\r\n");
            pendingTag = null;
        }
        if (pendingTag == null) {
            pendingTag = "p" + nextTag++;
            current = null;
            socket.write(pendingTag + " LOGOUT\r\n");
        }
        vertx.setTimer(1000, t -> socket.close());
    }

    public boolean isClosed() {
        return closed || closingByUs;
    }

    private void fail(BackendException e) {
        stall.cancel();
        if (!closingByUs) {
            closingByUs = true;
            socket.close();
            Promise<BackendConnection> connecting = whileConnecting;
            if (connecting != null) {
                whileConnecting = null;
                connecting.tryFail(e);
            } else {
                onFailure.handle(e);
            }
        }
    }

    // ---- ImapDecoder.Sink: route what the backend says -------------------------------------------------------

    private BackendListener target() {
        return current != null ? current : unsolicited;
    }

    @Override
    public void frame(Frame frame) {
        if (closingByUs) {
            // A connection being logged out says "* BYE" and a tagged OK: none of it is the client's business.
            if (!"*".equals(frame.tag()) && !"+".equals(frame.tag())) {
                socket.close();
            }
            return;
        }
        switch (frame.kind()) {
            case CONTINUED, CONTINUED_HEAD -> {
                if (streamTarget != null) {
                    streamTarget.continued(frame);
                }
                return;
            }
            default -> {}
        }
        String tag = frame.tag();
        if ("*".equals(tag)) {
            if ("BYE".equals(frame.keyword()) && !closingByUs) {
                // Keep delivering: the listener relays BYE text; the close that follows fails the session.
                log.debug("backend says BYE: {}", frame.text());
            }
            BackendListener l = target();
            if (l != null) {
                l.untagged(frame);
            }
        } else if ("+".equals(tag)) {
            if (!continuations.take(this::write) && current != null) {
                current.continuation(frame);
            }
        } else if (tag.equals(pendingTag)) {
            BackendListener l = current;
            continuations.answered(frame.text());
            pendingTag = null;
            current = null;
            idling = false;
            stall.cancel();
            if (closingByUs) {
                socket.close();
                return;
            }
            if (l != null) {
                l.tagged(frame);
            }
        } else {
            log.warn("backend sent a response with unknown tag {}", tag.toLowerCase(Locale.ROOT));
        }
    }

    @Override
    public void largeLiteralStart(Frame head, long size, boolean nonSync) {
        streamTarget = closingByUs ? null : target();
        if (streamTarget != null) {
            streamTarget.largeStart(head, size);
        }
    }

    @Override
    public void literalChunk(Buffer chunk) {
        if (streamTarget != null) {
            streamTarget.chunk(chunk);
        }
    }

    @Override
    public void largeLiteralEnd() {
        if (streamTarget != null) {
            streamTarget.largeEnd();
        }
    }

    @Override
    public void rawLine(Buffer line) {
        // Never asked for on the response side.
    }

    @Override
    public void error(DecodeError error) {
        String text = "Backend sent an unparseable response: " + error.message();
        if (error.fatal()) {
            fail(new BackendException(text));
        } else {
            log.warn("{}", text);
        }
    }
}
