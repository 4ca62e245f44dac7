package org.modseqproxy.proxy.session;

import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Optional;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.command.Capabilities;
import org.modseqproxy.proxy.sync.BackendListener;

/**
 * What the backend says, on its way to the client: the proxy's tags replaced by the client's (also inside ESEARCH's
 * TAG, RFC 4731 3.1), capability lists edited (the client sees what the proxy can relay), continuation requests and
 * streamed literals relayed, and every other untagged line through the sync funnel.
 */
final class BackendRelay {
    private final FrontSession session;

    BackendRelay(FrontSession session) {
        this.session = session;
    }

    /** The backend's tagged answer under the client's tag; a [CAPABILITY] code in it is edited (RFC 9051 7.1). */
    void tagged(String clientTag, Frame backendTagged) {
        Frame f = backendTagged;
        Optional<List<String>> caps = Capabilities.in(f);
        if (caps.isPresent()) {
            session.backendCapabilities(caps.get());
            String edited = String.join(" ", session.caps().edited(caps.get()));
            session.writeLine(clientTag + " " + f.keyword() + " [CAPABILITY " + edited + "] " + f.text());
            return;
        }
        Buffer raw = f.raw();
        int afterTag = f.tag().length();
        session.write(Buffer.buffer(clientTag.length() + raw.length())
                .appendString(clientTag)
                .appendBuffer(raw, afterTag, raw.length() - afterTag));
    }

    /** Relays untagged responses through the sync funnel and continuation requests as they are. */
    BackendListener listener(Promise<Frame> done, String clientTag) {
        return new BackendListener() {
            @Override
            public void untagged(Frame frame) {
                BackendRelay.this.relay(
                        TagEcho.toClient(frame, session.backend().pendingTag(), clientTag, session.openContexts()));
            }

            @Override
            public void continuation(Frame frame) {
                session.write(frame.raw());
            }

            @Override
            public void tagged(Frame frame) {
                done.tryComplete(frame);
            }

            @Override
            public void largeStart(Frame head, long size) {
                session.sync().streamStart(head, size);
            }

            @Override
            public void chunk(Buffer data) {
                session.write(data);
            }

            @Override
            public void continued(Frame frame) {
                session.sync().streamContinued(frame);
            }
        };
    }

    /** An untagged backend line outside a command (IDLE, between commands): an update may name a search's tag. */
    void untagged(Frame frame) {
        relay(TagEcho.toClient(frame, null, null, session.openContexts()));
    }

    /** An untagged backend line: capabilities edited here, everything else through the sync funnel. */
    private void relay(Frame frame) {
        Optional<List<String>> caps = Capabilities.in(frame);
        if (caps.isPresent()) {
            List<String> edited = session.caps().edited(caps.get());
            if ("CAPABILITY".equals(frame.keyword())) {
                session.backendCapabilities(caps.get());
                session.writeLine("* CAPABILITY " + String.join(" ", edited));
            } else {
                session.writeLine(
                        "* " + frame.keyword() + " [CAPABILITY " + String.join(" ", edited) + "] " + frame.text());
            }
            return;
        }
        session.sync().untagged(frame);
    }
}
