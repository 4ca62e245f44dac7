package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;

/**
 * Receives the events of an {@link ImapDecoder}, synchronously, on the caller's thread. Any callback
 * may call {@link ImapDecoder#pause()}; the decoder then stops right after that event.
 */
public interface Sink {
    /** A complete line with all its literals inline (COMPLETE), or the tail of a line after a streamed literal (CONTINUED). */
    void frame(Frame frame);

    /**
     * COMMANDS side: a synchronizing literal {n} with n <= inlineLiteralMax was announced (tag = the
     * command's tag); the session must write "+ ..." for the client to send it (RFC 9051 7.5).
     */
    default void continuationRequest(String tag, long size) {}

    /**
     * A literal too big to inline starts: head.raw ends with "{n}\r\n" (or "{n+}", "~{n}"); head.kind() is
     * HEAD or CONTINUED_HEAD. Then literalChunk* then largeLiteralEnd, then parsing of the same line goes on.
     */
    void largeLiteralStart(Frame head, long size, boolean nonSync);

    /** Slices of the fed buffers (no copy): valid as long as the fed buffer is not modified. */
    void literalChunk(Buffer chunk);

    void largeLiteralEnd();

    /** A line requested with {@link ImapDecoder#expectRawLine()}, without its CRLF. */
    void rawLine(Buffer lineWithoutCrlf);

    /** Malformed input or limit violation; see {@link DecodeError#fatal()}. */
    void error(DecodeError error);
}
