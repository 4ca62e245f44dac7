package org.modseqproxy.proxy.sync;

import io.vertx.core.Future;
import java.util.List;
import org.modseqproxy.proxy.codec.Frame;

/**
 * What the funnel and the commands may do with the backend connection: send a command of the proxy's own, hold
 * back the backend's input while a store write decides a line, and ask what it can do. The Vert.x connection
 * (session/BackendConnection) implements it; nothing above the codec needs to know how it is wired.
 */
public interface BackendPort {
    /** Sends "tag " + {@code rest} (CRLF added); the listener gets what the backend says until the tagged answer. */
    String send(String rest, BackendListener listener);

    /** Runs a command whose responses never reach the client; untagged lines are collected. */
    Future<Result> run(String command);

    /** Backpressure: stop reading the backend. Calls must be balanced by {@link #resumeInput}. */
    void pauseInput();

    void resumeInput();

    /** Whether the backend advertised the capability (case-insensitive, "AUTH=PLAIN" style). */
    boolean has(String capability);

    /** The outcome of an internal command: everything untagged it produced, and its completion. */
    record Result(List<Frame> untagged, Frame tagged) {
        public boolean ok() {
            return "OK".equals(tagged.keyword());
        }
    }
}
