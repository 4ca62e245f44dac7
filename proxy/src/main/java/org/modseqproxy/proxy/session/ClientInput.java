package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import org.modseqproxy.proxy.codec.DecodeError;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.Sink;
import org.modseqproxy.proxy.command.Command;
import org.modseqproxy.proxy.command.CommandRegistry;
import org.modseqproxy.proxy.command.ImapException;
import org.modseqproxy.proxy.command.SessionState;

/**
 * What the client sends, as the decoder delivers it: one command at a time (input paused while it runs, RFC 9051
 * 5.5 allows pipelining but the answers must not interleave), a line that is not a command (IDLE's DONE, an
 * AUTHENTICATE response), or a literal too large to hold, streamed to the backend. Every command ends in a tagged
 * answer: the handler's, a BAD for bad input, a NO [SERVERBUG] for a failure of ours, or a BYE when the backend is
 * gone.
 */
final class ClientInput implements Sink {
    private final FrontSession session;
    private Promise<Buffer> rawLine;
    private LiteralStream streaming;

    ClientInput(FrontSession session) {
        this.session = session;
    }

    /** The client's next line is not a command (IDLE's DONE, an AUTHENTICATE response): it completes this future. */
    Future<Buffer> nextRawLine() {
        session.decoder().expectRawLine();
        rawLine = Promise.promise();
        return rawLine.future();
    }

    /** True while a large literal is being streamed. */
    boolean streaming() {
        return streaming != null;
    }

    /** A streamed literal's command has been answered. */
    void streamEnded(LiteralStream stream) {
        if (streaming == stream) {
            streaming = null;
        }
    }

    @Override
    public void frame(Frame frame) {
        session.touch();
        if (streaming != null) {
            streaming.continued(frame);
            return;
        }
        if (frame.kind() != Frame.Kind.COMPLETE) {
            return;
        }
        session.pauseInput();
        execute(frame);
    }

    private void execute(Frame frame) {
        String name = frame.keyword();
        String tag = frame.tag();
        if (name == null) {
            session.writeLine(tag + " BAD Missing command");
            session.resumeInput();
            return;
        }
        Command cmd = new Command(tag, name, frame);
        long start = System.nanoTime();
        Future<Void> result;
        try {
            result = session.state() == SessionState.SELECTED && CommandRegistry.announceFirst(name)
                    ? session.sync().announceNew().compose(v -> CommandRegistry.dispatch(cmd, session))
                    : CommandRegistry.dispatch(cmd, session);
        } catch (ImapException e) {
            result = Future.failedFuture(e);
        } catch (RuntimeException e) {
            session.log().error("command {} failed", name, e);
            result = Future.failedFuture(e);
        }
        result.onComplete(ar -> {
            String status = "OK";
            if (ar.failed()) {
                Throwable err = ar.cause();
                if (err instanceof ImapException ie) {
                    status = ie.status();
                    session.writeLine(tag + " " + ie.line());
                } else if (err instanceof BackendException be) {
                    status = "ERROR";
                    session.bye(be.getMessage());
                    return;
                } else {
                    status = "ERROR";
                    session.log().error("command {} failed", name, err);
                    session.writeLine(tag + " NO [SERVERBUG] Internal error");
                }
            }
            session.metrics().commandCompleted(name, status, System.nanoTime() - start);
            if (session.closingAfterWrite()) {
                session.closeNow();
            } else {
                session.commandEnded();
                session.resumeInput();
            }
        });
    }

    @Override
    public void continuationRequest(String tag, long size) {
        // The proxy takes small synchronizing literals itself; they are re-announced to the backend as it accepts them.
        session.writeLine("+ Ready for literal data");
    }

    @Override
    public void largeLiteralStart(Frame head, long size, boolean nonSync) {
        if (streaming != null) {
            streaming.nextLiteral(head, nonSync);
            return;
        }
        String tag = head.tag();
        if (session.state() == SessionState.NOT_AUTHENTICATED || session.backend() == null) {
            session.decoder().rejectLiteral();
            session.writeLine(tag + " BAD [TOOBIG] Literal too large before authentication");
            return;
        }
        streaming = new LiteralStream(session, tag, head.keyword());
        streaming.start(head, nonSync);
    }

    @Override
    public void literalChunk(Buffer chunk) {
        session.touch();
        if (streaming != null) {
            streaming.chunk(chunk);
        }
    }

    @Override
    public void largeLiteralEnd() {}

    @Override
    public void rawLine(Buffer line) {
        session.touch();
        Promise<Buffer> p = rawLine;
        rawLine = null;
        if (p != null) {
            p.complete(line);
        } else {
            session.writeLine("* BAD Unexpected line");
        }
    }

    @Override
    public void error(DecodeError error) {
        if (error.fatal()) {
            session.bye(error.message());
            return;
        }
        Promise<Buffer> waiting = rawLine;
        if (waiting != null) {
            // A bad AUTHENTICATE continuation (too long): the command ends with a tagged BAD (RFC 9051 6.2.2), which
            // the failed future becomes; no untagged BAD without a tagged answer.
            rawLine = null;
            waiting.fail(ImapException.bad(error.message())); // its consumer pauses input, as for a line that arrived
            return;
        }
        session.writeLine((error.tag() == null ? "*" : error.tag()) + " BAD " + error.message());
    }
}
