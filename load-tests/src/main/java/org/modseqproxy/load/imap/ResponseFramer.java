package org.modseqproxy.load.imap;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Cuts the server's byte stream into whole IMAP responses, one {@link String} each, CRLF removed.
 *
 * <p>A response is a line, unless that line ends with a literal announcement {@code {n}} (RFC 9051 4.3,
 * RFC 7888 for {@code {n+}}): then the next n bytes belong to the same response whatever they contain
 * (CR, LF, braces), and the response continues after them up to the next CRLF. The literal bytes stay in
 * the string so that checks can match on them.
 *
 * <p>Resumable: it remembers how far it has scanned the current response and never re-reads those bytes
 * when more arrive.
 */
final class ResponseFramer extends ByteToMessageDecoder {

    private final int maxResponseBytes;
    /** Bytes of the current response already scanned, counted from the buffer's reader index. */
    private int scanned;
    /** Where the line being scanned starts (relative to the reader index); literal markers end a line. */
    private int lineStart;
    /** Literal bytes still to skip before line scanning resumes. */
    private long literalLeft;

    ResponseFramer(int maxResponseBytes) {
        this.maxResponseBytes = maxResponseBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            int base = in.readerIndex();
            int available = in.writerIndex() - base;
            if (literalLeft > 0) {
                int take = (int) Math.min(literalLeft, available - scanned);
                scanned += take;
                literalLeft -= take;
                if (literalLeft > 0) {
                    checkSize();
                    return;
                }
                lineStart = scanned;
            }
            int lf = in.indexOf(base + scanned, base + available, (byte) '\n');
            if (lf < 0) {
                scanned = available;
                checkSize();
                return;
            }
            int lineEnd = lf - base; // relative index of the LF
            scanned = lineEnd + 1;
            long literal = literalAnnounced(in, base + lineStart, base + lineEnd);
            if (literal >= 0) {
                literalLeft = literal;
                lineStart = scanned;
                continue;
            }
            int textEnd = lineEnd > 0 && in.getByte(base + lineEnd - 1) == '\r' ? lineEnd - 1 : lineEnd;
            out.add(in.toString(base, textEnd, StandardCharsets.UTF_8));
            in.skipBytes(scanned);
            scanned = 0;
            lineStart = 0;
        }
    }

    private void checkSize() {
        if (scanned + literalLeft > maxResponseBytes) {
            throw new TooLongFrameException("IMAP response longer than " + maxResponseBytes + " bytes");
        }
    }

    /**
     * The n of a {@code {n}} or {@code {n+}} that ends the line [from, lf) (before an optional CR), or -1.
     * RFC 9051 9 (formal syntax): literal = "{" number64 ["+"] "}" CRLF *CHAR8.
     */
    static long literalAnnounced(ByteBuf buf, int from, int lf) {
        int i = lf - 1;
        if (i >= from && buf.getByte(i) == '\r') {
            i--;
        }
        if (i < from || buf.getByte(i) != '}') {
            return -1;
        }
        i--;
        if (i >= from && buf.getByte(i) == '+') {
            i--;
        }
        long value = 0;
        long scale = 1;
        int digits = 0;
        while (i >= from && Character.isDigit(buf.getByte(i)) && digits < 18) {
            value += (buf.getByte(i) - '0') * scale;
            scale *= 10;
            digits++;
            i--;
        }
        if (digits == 0 || i < from || buf.getByte(i) != '{') {
            return -1;
        }
        return value;
    }
}
