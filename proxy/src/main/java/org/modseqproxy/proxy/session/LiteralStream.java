package org.modseqproxy.proxy.session;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import org.modseqproxy.proxy.codec.Frame;

/**
 * A command whose literal is too big to hold (APPEND of a large message): streamed to the backend as it arrives,
 * with backpressure both ways. The proxy says "+" to the client itself (RFC 9051 7.5); if the backend refuses the
 * command early, the rest of the client's literal is read and dropped, and the backend's answer relayed.
 */
final class LiteralStream {
    private final FrontSession session;
    private final BackendConnection backend;
    private final String tag;
    private final String name;
    private final long start = System.nanoTime();
    private boolean discard;
    private boolean lineSent;
    private Frame tagged;

    LiteralStream(FrontSession session, String tag, String name) {
        this.session = session;
        this.backend = session.backend();
        this.tag = tag;
        this.name = name;
    }

    void start(Frame head, boolean nonSync) {
        Buffer raw = head.raw();
        int afterTag = tag.length() + 1;
        Promise<Frame> done = Promise.promise();
        Future<Void> ready = backend.sendHead(raw.getBuffer(afterTag, raw.length()), session.relayListener(done, tag));
        done.future().onSuccess(this::onTagged);
        afterHead(ready, nonSync);
    }

    void nextLiteral(Frame head, boolean nonSync) {
        if (discard) {
            acknowledge(nonSync);
            return;
        }
        afterHead(backend.writePart(head.raw(), true), nonSync);
    }

    private void afterHead(Future<Void> ready, boolean nonSync) {
        acknowledge(nonSync);
        if (!ready.isComplete()) {
            session.pauseInput();
            ready.onComplete(ar -> {
                if (ar.failed()) {
                    discard = true;
                }
                session.resumeInput();
            });
        } else if (ready.failed()) {
            discard = true;
        }
    }

    private void acknowledge(boolean nonSync) {
        if (!nonSync) {
            session.writeLine("+ Ready for literal data");
        }
    }

    void chunk(Buffer data) {
        if (discard) {
            return;
        }
        backend.write(data);
        if (backend.writeQueueFull()) {
            session.pauseInput();
            backend.drainHandler(v -> {
                backend.drainHandler(null);
                session.resumeInput();
            });
        }
    }

    void continued(Frame frame) {
        if (frame.kind() == Frame.Kind.CONTINUED_HEAD) {
            return; // delivered again through largeLiteralStart -> nextLiteral
        }
        if (!discard) {
            backend.writePart(frame.raw(), false);
        }
        lineSent = true;
        session.pauseInput();
        maybeFinish();
    }

    private void onTagged(Frame frame) {
        this.tagged = frame;
        if (!lineSent) {
            discard = true;
        }
        maybeFinish();
    }

    private void maybeFinish() {
        if (!lineSent || tagged == null) {
            return;
        }
        session.streamEnded(this);
        session.relayTagged(tag, tagged);
        session.metrics().commandCompleted(name == null ? "OTHER" : name, tagged.keyword(), System.nanoTime() - start);
        session.resumeInput();
    }
}
