package org.modseqproxy.proxy.sync;

import io.vertx.core.buffer.Buffer;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.log.SessionLog;

/**
 * What the funnel may do with the client session: write to the client, relay a tagged answer under the client's
 * tag, reach the backend, and wake an IDLE. Narrowed from the command layer's Session so that sync/ depends on
 * nothing above it (no import circle between the funnel and the commands or the Vert.x shell).
 */
public interface ClientPort {
    /** Writes one line to the client; CRLF is added. */
    void writeLine(String line);

    /** Writes bytes to the client as they are. */
    void write(Buffer bytes);

    /** Writes "tag status text" to the client. */
    default void tagged(String tag, String statusAndText) {
        writeLine(tag + " " + statusAndText);
    }

    /** Relays the backend's tagged completion under the client's tag; a [CAPABILITY] code in it is edited. */
    void relayTagged(String clientTag, Frame backendTagged);

    /** The session's log: every line carries its id, the client and the user. */
    SessionLog log();

    /** The authenticated user name (part of every state key). */
    String user();

    /** The backend connection, once authenticated. */
    BackendPort backend();

    /** Asks a running IDLE to let the funnel talk to the backend (ends and re-arms the backend's IDLE). */
    void requestIdleBreak();

    /**
     * RFC 9051 3: the session moves between the authenticated and the selected state as mailboxes open and close.
     *
     * @param mailbox the mailbox now selected, null when none is
     */
    void mailboxSelected(String mailbox);
}
