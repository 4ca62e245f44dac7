package org.modseqproxy.proxy.session;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.ThreadLocalRandom;
import org.modseqproxy.proxy.log.SessionLog;

/**
 * What the operator sees of one session: its log (session id, client, user on every line), the view the admin
 * endpoint lists, and the protocol trace when one is on. Touched on the session's event loop only; the view is
 * published through a volatile so the admin endpoint may read it from anywhere.
 */
final class SessionWatch {
    private final Vertx vertx;
    private final Tracing tracing;
    private final SessionLog log;
    private volatile SessionView view;
    private TraceFile trace;
    /** Switched on while a command ran: starts at the command's end. */
    private boolean traceWanted;

    SessionWatch(Vertx vertx, Tracing tracing, String client, boolean tls) {
        this.vertx = vertx;
        this.tracing = tracing;
        String id = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        this.log = new SessionLog(id, client);
        this.view = SessionView.opened(id, client, tls);
    }

    SessionLog log() {
        return log;
    }

    SessionView view() {
        return view;
    }

    void loggedIn(String user, String backend) {
        view = view.withUser(user, backend);
        log.user(user);
        log.info("logged in");
        if (tracing.traced(user)) {
            trace(true);
        }
    }

    void selected(String mailbox) {
        view = view.withMailbox(mailbox);
    }

    void tls() {
        view = view.withTls();
    }

    /**
     * Starts or stops this session's trace (admin endpoint, or trace.users at login). A trace switched on in the
     * middle of a command waits for the command's end ({@link #betweenCommands}): started inside a literal, it would
     * show literal bytes as protocol lines, and could miss the start of a LOGIN whose arguments it must mask.
     */
    void trace(boolean on, boolean atBoundary) {
        if (on && !atBoundary && trace == null && view.user() != null) {
            traceWanted = true;
            view = view.withTraced(true); // on for the admin endpoint; the file starts with the next command
            log.info("protocol trace on from the end of the running command");
            return;
        }
        if (!on && traceWanted) {
            traceWanted = false;
            view = view.withTraced(false);
        }
        trace(on);
    }

    /** A command was answered and nothing of the next one has been read: the trace can start here. */
    void betweenCommands() {
        if (traceWanted) {
            traceWanted = false;
            trace(true);
        }
    }

    private void trace(boolean on) {
        if (on && trace == null && view.user() != null) {
            trace = tracing.open(vertx, view);
            view = view.withTraced(true);
            log.info("protocol trace on, in {}", tracing.dir());
        } else if (!on && trace != null) {
            trace.close("switched off");
            trace = null;
            view = view.withTraced(false);
        }
    }

    void fromClient(Buffer bytes) {
        if (trace != null) {
            trace.fromClient(bytes);
        }
    }

    void toClient(Buffer bytes) {
        if (trace != null) {
            trace.toClient(bytes);
        }
    }

    void closed(long bytesIn, long bytesOut) {
        if (trace != null) {
            trace.close("disconnected");
            trace = null;
        }
        if (view.user() != null) {
            log.info("disconnected: {} octets in, {} out", bytesIn, bytesOut);
        }
    }
}
