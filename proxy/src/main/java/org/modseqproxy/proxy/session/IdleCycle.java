package org.modseqproxy.proxy.session;

import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.command.Command;
import org.modseqproxy.proxy.sync.BackendListener;

/**
 * RFC 2177 IDLE, relayed. When the funnel must learn the UIDs of new messages before announcing them (QRESYNC:
 * VANISHED must name UIDs, RFC 7162 3.2.10), the proxy ends the backend's IDLE, asks, and idles again, all without
 * the client noticing: the client's own DONE may arrive at any point of that cycle.
 */
final class IdleCycle implements BackendListener {
    private final FrontSession session;
    private final BackendConnection backend;
    private final Command command;
    private final Promise<Void> done;
    private Phase phase = Phase.STARTING;
    private boolean clientDone;
    private boolean breakAgain;
    private String pendingBad;

    private enum Phase {
        STARTING,
        IDLING,
        BREAKING,
        RESOLVING,
        REARMING,
        ENDING
    }

    IdleCycle(FrontSession session, Command command, Promise<Void> done) {
        this.session = session;
        this.backend = session.backend();
        this.command = command;
        this.done = done;
    }

    void start() {
        backend.idling(true);
        session.sync().commandSent();
        backend.send(Buffer.buffer("IDLE\r\n"), this);
    }

    @Override
    public void untagged(Frame frame) {
        session.relayUntagged(frame);
    }

    @Override
    public void continuation(Frame frame) {
        if (phase == Phase.STARTING) {
            phase = Phase.IDLING;
            session.write(frame.raw());
            // RFC 2177: the client's next line is DONE, not a command. A line too long to be DONE fails the future: it
            // ends IDLE with BAD like any other line that is not DONE.
            session.nextRawLine().onComplete(ar -> clientLine(ar.succeeded() ? ar.result() : Buffer.buffer()));
            session.resumeInput();
            if (breakAgain) { // new mail arrived before the backend said "+"
                breakAgain = false;
                requestBreak();
            }
        } else if (phase == Phase.REARMING) {
            phase = Phase.IDLING; // the backend idles again; this "+" is the proxy's, not the client's
            backend.idling(true);
            if (clientDone) {
                end();
            } else if (breakAgain) {
                breakAgain = false;
                requestBreak();
            }
        }
    }

    private void clientLine(Buffer line) {
        session.pauseInput();
        clientDone = true;
        if (!line.toString(StandardCharsets.US_ASCII).trim().equalsIgnoreCase("DONE")) {
            pendingBad = command.tag() + " BAD Expected DONE"; // RFC 2177 3: anything else ends IDLE with BAD
        }
        if (phase == Phase.IDLING) {
            end();
        }
        // otherwise the cycle in progress ends the command when it reaches a safe point
    }

    private void end() {
        phase = Phase.ENDING;
        backend.write(Buffer.buffer("DONE\r\n"));
    }

    /** The funnel needs the backend (new mail to name before announcing it): DONE, ask, IDLE again. */
    void requestBreak() {
        if (phase == Phase.IDLING && !clientDone) {
            phase = Phase.BREAKING;
            backend.write(Buffer.buffer("DONE\r\n"));
        } else if (phase != Phase.ENDING) {
            breakAgain = true;
        }
    }

    @Override
    public void tagged(Frame frame) {
        if (phase == Phase.BREAKING) {
            phase = Phase.RESOLVING;
            session.sync().announceNew().onComplete(ar -> {
                if (clientDone) {
                    finish(null);
                } else {
                    phase = Phase.REARMING;
                    session.sync().commandSent();
                    backend.send(Buffer.buffer("IDLE\r\n"), this);
                }
            });
            return;
        }
        finish(frame); // the client's DONE was relayed (ENDING), or the backend refused IDLE (STARTING)
    }

    private void finish(Frame backendTagged) {
        backend.idling(false);
        if (pendingBad != null) {
            session.writeLine(pendingBad);
        } else if (backendTagged != null) {
            session.relayTagged(command.tag(), backendTagged);
        } else {
            session.writeLine(command.tag() + " OK IDLE terminated");
        }
        done.tryComplete();
    }
}
