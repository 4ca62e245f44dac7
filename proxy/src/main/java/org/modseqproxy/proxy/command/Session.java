package org.modseqproxy.proxy.command;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.sync.BackendPort;
import org.modseqproxy.proxy.sync.ClientPort;
import org.modseqproxy.proxy.sync.MailboxSync;

/** What a command handler may do with the client session. Implemented by the Vert.x shell (FrontSession). */
public interface Session extends ClientPort {
    SessionState state();

    void state(SessionState state);

    @Override
    default void mailboxSelected(String mailbox) {
        state(mailbox != null ? SessionState.SELECTED : SessionState.AUTHENTICATED);
    }

    /** Capabilities the client sees now (pre- or post-login). */
    List<String> capabilities();

    /**
     * Sends the command to the backend as the client wrote it (tag replaced). Untagged responses and continuation
     * requests are relayed to the client through the sync funnel; the backend's tagged completion is returned, not yet
     * written, so that the handler can finish the command (the funnel emits what must precede it).
     */
    default Future<Frame> forward(Command command) {
        Buffer raw = command.frame().raw();
        int afterTag = command.tag().length() + 1;
        return forward(command, raw.getBuffer(afterTag, raw.length()));
    }

    /** Like {@link #forward(Command)} but sends {@code rest} (everything after the tag, CRLF included) instead. */
    Future<Frame> forward(Command command, Buffer rest);

    /** Sends a command to the backend whose responses never reach the client. */
    Future<BackendPort.Result> internal(String command);

    /** The searches the backend keeps updating for this client (RFC 5267 CONTEXT=SEARCH/SORT). */
    UpdateContexts updateContexts();

    /** The mod-sequence funnel of this session (RFC 7162 state: ENABLE, selected mailbox view). */
    MailboxSync sync();

    /** The pre-authentication hooks (LOGIN, AUTHENTICATE), which only the shell can do. */
    Logins logins();

    Future<Void> startTls(Command command);

    /** COMPRESS DEFLATE accepted (RFC 4978 3): writes the tagged OK, then compresses both directions. */
    Future<Void> compress(Command command);

    /** Whether COMPRESS=DEFLATE is offered (compress.deflate), and whether it is on already. */
    boolean compressOffered();

    boolean compressActive();

    /** IDLE (RFC 2177): relays "+", waits for the client's DONE, relays the completion. */
    Future<Void> idle(Command command);

    /** AUTHENTICATE continuation: writes "+ challenge" and returns the client's next raw line. */
    Future<Buffer> challenge(String base64Challenge);

    /** Closes the session after the current answer (LOGOUT, BYE). */
    void closeAfterWrite();

    /** Who the client is for the backend's ID command (RFC 2971): its address and the ID fields it sent. */
    ClientId clientId();

    /** Bytes written to the client so far: what a client's own resync cost it (see {@link ResyncCost}). */
    long bytesToClient();

    /** Records a client's own resync in the meters (see {@link ResyncCost}). */
    void clientResync(String kind, long sentBytes, long fullBytes);
}
