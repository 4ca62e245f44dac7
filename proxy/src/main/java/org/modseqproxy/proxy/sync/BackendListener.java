package org.modseqproxy.proxy.sync;

import io.vertx.core.buffer.Buffer;
import org.modseqproxy.proxy.codec.Frame;

/**
 * Receives what the backend says while one command is outstanding (or, for the unsolicited listener, while none is).
 * Complete untagged lines arrive in {@link #untagged}; a response with a literal too big to hold (FETCH BODY[] of a
 * large message) arrives as a head, chunks, and a tail, so that it can be streamed to the client.
 */
public interface BackendListener {
    void untagged(Frame frame);

    /** "+ ..." from the backend: it waits for a literal, or it is idling. */
    default void continuation(Frame frame) {}

    /** The tagged completion of the command this listener belongs to. */
    void tagged(Frame frame);

    default void largeStart(Frame head, long size) {}

    default void chunk(Buffer data) {}

    default void largeEnd() {}

    /** Rest of a line after a streamed literal (Frame.Kind CONTINUED or CONTINUED_HEAD). */
    default void continued(Frame frame) {}
}
