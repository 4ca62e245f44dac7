package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * Resumable push decoder for one direction of an IMAP connection. Not thread-safe; one per connection.
 *
 * <p>Contract (in the spirit of Dovecot's imap-parser and Stalwart's receiver, no code from either):
 * <ul>
 *   <li>Bytes are scanned once. A line is collected until its LF, then tokenized once; a line that
 *       ends in a literal announcement "{n}" is a segment, the literal follows, then the next segment.
 *   <li>Literals up to {@link Limits#inlineLiteralMax()} (and {@link Limits#maxFrameBytes()} per line)
 *       are kept in the frame; bigger ones are streamed as slices of the fed buffers and never buffered,
 *       so memory stays at one line plus the buffer being processed.
 *   <li>Limits come from the constructor; violations are {@link DecodeError}s, non-fatal where the
 *       stream can be resynchronized at the next line, fatal otherwise.
 * </ul>
 *
 * <p>Literals: "{n}", "{n+}" (RFC 7888; LITERAL- uses the same "+" form, so "{n-}" is a syntax
 * error), "~{n}" and "~{n+}" (RFC 3516 literal8, RFC 4466). Over maxLiteralSize: a client's sync
 * literal is a non-fatal error (the client waits for "+", gets BAD and gives up, RFC 9051 7.5); a
 * client's non-sync literal is a non-fatal error and its bytes plus the rest of the line are counted
 * away, unless it exceeds 4x the limit, which is fatal (RFC 7888 4 leaves both choices); a server's
 * literal over the limit is fatal (the default response limit is unbounded: streaming costs nothing).
 *
 * <p>Leniency, decided per case: LF without CR ends a line (the raw bytes are kept as sent); 8-bit
 * bytes are accepted inside atoms and quoted strings and decoded as UTF-8 (not in tags); NUL and other
 * control characters outside literals and status text are non-fatal errors; several spaces between
 * arguments are accepted. Status response text and "+" text are never tokenized.
 */
public final class ImapDecoder {
    public enum Side {
        COMMANDS /* client->server */,
        RESPONSES /* server->client */
    }

    private enum State {
        /** Collecting a line segment (until LF). */
        LINE,
        /** Collecting a line for {@link Sink#rawLine}. */
        RAW_LINE,
        /** Copying an inline literal's bytes into the frame. */
        INLINE_LITERAL,
        /** Handing a large literal's bytes to the sink. */
        STREAM_LITERAL,
        /** Discarding until the end of the line (after an error). */
        SKIP_LINE,
        /** Discarding a literal of a rejected line, then SKIP_LINE. */
        SKIP_LITERAL,
        /** After a fatal error: all input is ignored. */
        CLOSED
    }

    private static final int INITIAL_BUFFER = 4096;

    private final Side side;
    private final Limits limits;
    private final Sink sink;
    private final LineParser parser;

    // input not yet processed: the current buffer and, if feed() was called while paused, more
    private Buffer cur;
    private int curPos;
    private int curLen;
    private final ArrayDeque<Buffer> queued = new ArrayDeque<>();
    private long queuedBytes;
    private boolean paused;
    private boolean processing;

    private State state = State.LINE;
    /** Raw bytes of the current frame part: line segments plus inline literal data. */
    private byte[] buf = new byte[INITIAL_BUFFER];

    private int len;
    private int segStart;
    /** Non-literal bytes of the whole line so far, for maxLineLength. */
    private long lineBytes;

    private boolean lineStarted;
    private boolean firstPart = true;
    private long inlineTotal;
    private boolean rawNext;

    // literal in progress
    private long remaining;
    private int literalStart;
    private boolean literalNonSync;
    private boolean rejectable;

    // last bytes of a line being skipped, to find a literal announcement at its end (RFC 7888 3)
    private final LineTail tail = new LineTail();
    private boolean skipIgnoresLiterals;

    public ImapDecoder(Side side, Limits limits, Sink sink) {
        this.side = side;
        this.limits = limits;
        this.sink = sink;
        this.parser = new LineParser(side, limits);
    }

    /**
     * Process bytes synchronously, calling the sink. If the sink calls pause() the decoder stops right
     * after that event and keeps the unprocessed rest of the buffer (a reference, no copy). Buffers fed
     * while paused are queued (the caller should have paused its socket) and processed on resume().
     */
    public void feed(Buffer data) {
        if (state == State.CLOSED || data.length() == 0) {
            return;
        }
        if (cur == null && queued.isEmpty()) {
            cur = data;
            curPos = 0;
            curLen = data.length();
        } else {
            queued.add(data);
            queuedBytes += data.length();
        }
        drain();
    }

    public void pause() {
        paused = true;
    }

    /** Continue with retained bytes synchronously (events may fire inside resume()). */
    public void resume() {
        paused = false;
        drain();
    }

    public boolean isPaused() {
        return paused;
    }

    /**
     * The next line (up to CRLF) is delivered as Sink.rawLine, not parsed: AUTHENTICATE client data
     * (RFC 9051 6.2.2), IDLE's DONE (RFC 2177). Takes effect for the very next bytes even when called
     * inside a sink callback; if a line is in progress, for the line after it.
     */
    public void expectRawLine() {
        rawNext = true;
    }

    /**
     * Called inside largeLiteralStart (or after it, before any chunk was delivered): the session refuses
     * this literal. Sync literal: the client will not send it, the command is over, back to line start.
     * Non-sync: the decoder discards the literal bytes and the rest of that command line without
     * delivering them (counting, never buffering). On the RESPONSES side the bytes always follow, so
     * they are discarded as for a non-sync literal.
     */
    public void rejectLiteral() {
        if (state != State.STREAM_LITERAL || !rejectable) {
            throw new IllegalStateException("rejectLiteral() outside largeLiteralStart");
        }
        boolean clientWillNotSend = side == Side.COMMANDS && !literalNonSync;
        long n = remaining;
        resetLine();
        if (!clientWillNotSend) {
            skipLiteral(n);
        }
    }

    /** Current internal buffering (partial line, inline literals, retained input), for tests and metrics. */
    public long bytesBuffered() {
        return len + (cur != null ? curLen - curPos : 0) + queuedBytes;
    }

    /** No line, literal or skipped input is in progress (what {@link Frames#decode} checks at the end). */
    boolean atLineStart() {
        return state == State.LINE && bytesBuffered() == 0;
    }

    // ---------------------------------------------------------------- main loop

    private void drain() {
        if (processing) {
            return; // re-entrant call from a sink callback: the outer loop goes on
        }
        processing = true;
        try {
            while (!paused && state != State.CLOSED) {
                if (cur != null && curPos >= curLen) {
                    cur = null;
                }
                if (cur == null && !queued.isEmpty()) {
                    cur = queued.poll();
                    curPos = 0;
                    curLen = cur.length();
                    queuedBytes -= curLen;
                }
                if (!step()) {
                    break;
                }
            }
            if (cur != null && curPos >= curLen) {
                cur = null;
            }
            if (state == State.CLOSED) {
                cur = null;
                queued.clear();
                queuedBytes = 0;
            }
        } finally {
            processing = false;
        }
    }

    /** One unit of work, emitting at most one event (as its last action). False when input is needed. */
    private boolean step() {
        switch (state) {
            case LINE -> {
                if (rawNext && !lineStarted) {
                    rawNext = false;
                    state = State.RAW_LINE;
                    return true;
                }
                return cur != null && line(false);
            }
            case RAW_LINE -> {
                return cur != null && line(true);
            }
            case INLINE_LITERAL -> {
                if (remaining == 0) {
                    Buffer data = copy(literalStart, len);
                    parser.addLiteral(new Token.Literal(data, literalNonSync, parser.literalBinary()));
                    segStart = len;
                    state = State.LINE;
                    return true;
                }
                if (cur == null) {
                    return false;
                }
                int take = (int) Math.min(remaining, curLen - curPos);
                append(take);
                remaining -= take;
                return true;
            }
            case STREAM_LITERAL -> {
                if (remaining == 0) {
                    rejectable = false;
                    state = State.LINE;
                    sink.largeLiteralEnd();
                    return true;
                }
                if (cur == null) {
                    return false;
                }
                int take = (int) Math.min(remaining, curLen - curPos);
                Buffer chunk = cur.slice(curPos, curPos + take);
                curPos += take;
                remaining -= take;
                rejectable = false;
                sink.literalChunk(chunk);
                return true;
            }
            case SKIP_LITERAL -> {
                if (remaining == 0) {
                    state = State.SKIP_LINE;
                    tail.clear();
                    return true;
                }
                if (cur == null) {
                    return false;
                }
                int take = (int) Math.min(remaining, curLen - curPos);
                curPos += take;
                remaining -= take;
                return true;
            }
            case SKIP_LINE -> {
                return cur != null && skipLine();
            }
            default -> {
                return false;
            }
        }
    }

    // ---------------------------------------------------------------- lines

    /** Collects bytes up to LF (bounded by maxLineLength), then handles the segment. */
    private boolean line(boolean raw) {
        // the line may hold maxLineLength bytes plus CRLF
        long room = limits.maxLineLength() + 2L - lineBytes;
        int scanEnd = (int) Math.min(curLen, curPos + room);
        int lf = -1;
        for (int i = curPos; i < scanEnd; i++) {
            if (cur.getByte(i) == '\n') {
                lf = i;
                break;
            }
        }
        int take = (lf >= 0 ? lf + 1 : scanEnd) - curPos;
        append(take);
        lineBytes += take;
        lineStarted = true;
        if (lf >= 0) {
            int contentEnd = len >= segStart + 2 && buf[len - 2] == '\r' ? len - 2 : len - 1;
            long lineLength = lineBytes - (len - contentEnd);
            if (lineLength > limits.maxLineLength()) {
                len = contentEnd; // the tail check below must not see the CRLF
                lineTooLong(raw, true);
            } else if (raw) {
                Buffer data = copy(0, contentEnd);
                resetLine();
                sink.rawLine(data);
            } else {
                segment(contentEnd);
            }
        } else if (lineBytes >= limits.maxLineLength() + 2L) {
            lineTooLong(raw, false);
        }
        return true;
    }

    private void lineTooLong(boolean raw, boolean atLineEnd) {
        String tag = raw ? null : errorTag();
        tail.keep(buf, 0, len);
        resetLine();
        skipIgnoresLiterals = raw;
        DecodeError e = new DecodeError(tag, "Line too long (max " + limits.maxLineLength() + ")", false);
        if (atLineEnd) {
            afterSkippedLine(e);
        } else {
            state = State.SKIP_LINE;
            sink.error(e);
        }
    }

    /** A segment buf[segStart, contentEnd) + line end is complete: tokenize it and act on the result. */
    private void segment(int contentEnd) {
        if (firstPart && segStart == 0 && contentEnd == 0) {
            resetLine();
            sink.error(new DecodeError(null, side == Side.COMMANDS ? "Empty command" : "Empty response line", false));
            return;
        }
        int r = parser.parseSegment(buf, segStart, contentEnd);
        if (r == TokenScanner.END) {
            emitFrame(firstPart ? Frame.Kind.COMPLETE : Frame.Kind.CONTINUED);
        } else if (r == TokenScanner.LITERAL) {
            literal(parser.literalSize(), parser.literalNonSync());
        } else {
            DecodeError e = new DecodeError(errorTag(), parser.error, false);
            tail.keep(buf, segStart, contentEnd);
            skipIgnoresLiterals = false;
            resetLine();
            afterSkippedLine(e);
        }
    }

    /**
     * The rest of a bad line is being dropped and its end (in {@link #tail}) was reached. If it announced
     * a literal that will arrive anyway (non-sync from a client, any literal from a server), skip the
     * literal and the line after it too. A sync literal from a client is never sent: the client waits for
     * "+" and gets the error instead (RFC 9051 7.5). Then reports the error.
     */
    private void afterSkippedLine(DecodeError e) {
        long n = skipIgnoresLiterals ? -1 : tailLiteral();
        if (n >= 0 && (side == Side.RESPONSES || literalNonSync)) {
            if (tooBigToSkip(n)) {
                close(new DecodeError(e.tag(), "Literal too large (max " + limits.maxLiteralSize() + ")", true));
                return;
            }
            skipLiteral(n);
        } else {
            state = State.LINE;
        }
        sink.error(e);
    }

    /** Discards until LF, remembering the last bytes, then acts like {@link #afterSkippedLine}. */
    private boolean skipLine() {
        int lf = -1;
        for (int i = curPos; i < curLen; i++) {
            if (cur.getByte(i) == '\n') {
                lf = i;
                break;
            }
        }
        int end = lf >= 0 ? lf : curLen;
        tail.append(cur, curPos, end);
        curPos = lf >= 0 ? lf + 1 : curLen;
        if (lf >= 0) {
            tail.dropTrailingCr();
            long n = skipIgnoresLiterals ? -1 : tailLiteral();
            if (n >= 0 && (side == Side.RESPONSES || literalNonSync)) {
                if (tooBigToSkip(n)) {
                    close(new DecodeError(null, "Literal too large (max " + limits.maxLiteralSize() + ")", true));
                    return true;
                }
                skipLiteral(n);
            } else {
                state = State.LINE;
            }
        }
        return true;
    }

    /** The literal the discarded line announced at its end, or -1 (and whether it is non-sync). */
    private long tailLiteral() {
        long n = tail.literal();
        if (n >= 0) {
            literalNonSync = tail.nonSync();
        }
        return n;
    }

    // ---------------------------------------------------------------- literals

    private void literal(long n, boolean nonSync) {
        String tag = parser.tag();
        if (n > limits.maxLiteralSize()) {
            DecodeError e = new DecodeError(tag, "Literal too large (max " + limits.maxLiteralSize() + ")", false);
            resetLine();
            if (side == Side.COMMANDS && !nonSync) {
                // RFC 9051 7.5 / RFC 7888 4: answer BAD/NO instead of "+"; the client abandons the command
                sink.error(e);
            } else if (side == Side.COMMANDS && !tooBigToSkip(n)) {
                // RFC 7888 4, choice 1: read (here: count and drop) the literal, reject the command
                skipLiteral(n);
                sink.error(e);
            } else {
                // RFC 7888 4, choice 2: an absurd non-sync literal, or a server literal over the configured cap
                close(new DecodeError(tag, e.message(), true));
            }
            return;
        }
        literalNonSync = nonSync;
        remaining = n;
        if (n <= limits.inlineLiteralMax() && inlineTotal + n <= limits.maxFrameBytes()) {
            inlineTotal += n;
            literalStart = len;
            state = State.INLINE_LITERAL;
            if (side == Side.COMMANDS && !nonSync) {
                sink.continuationRequest(tag, n);
            }
            return;
        }
        parser.addLiteral(new Token.LargeLiteral(n));
        Frame head = frame(firstPart ? Frame.Kind.HEAD : Frame.Kind.CONTINUED_HEAD, parser.snapshot());
        len = 0;
        segStart = 0;
        firstPart = false;
        state = State.STREAM_LITERAL;
        rejectable = true;
        sink.largeLiteralStart(head, n, nonSync);
    }

    /** Non-sync literals over 4x the limit close the connection rather than being counted away. */
    private boolean tooBigToSkip(long n) {
        long max = limits.maxLiteralSize();
        return max > Long.MAX_VALUE / 4 ? n > max : n > 4 * max;
    }

    private void skipLiteral(long n) {
        remaining = n;
        tail.clear();
        skipIgnoresLiterals = false;
        state = State.SKIP_LITERAL;
    }

    private void close(DecodeError e) {
        resetLine();
        state = State.CLOSED;
        sink.error(e);
    }

    // ---------------------------------------------------------------- frames and buffers

    private void emitFrame(Frame.Kind kind) {
        Frame f = frame(kind, parser.finish());
        resetLine();
        sink.frame(f);
    }

    private Frame frame(Frame.Kind kind, List<Token> tokens) {
        Buffer raw = copy(0, len);
        return new Frame(kind, raw, parser.tag(), tokens, parser.code(), parser.text(), side == Side.COMMANDS);
    }

    /** The tag for an error report: the parsed one, else the first word of the line if it is a valid tag. */
    private String errorTag() {
        if (parser.tag() != null) {
            return parser.tag();
        }
        if (!firstPart) {
            return null;
        }
        int p = 0;
        while (p < len && ImapChars.isTagChar(buf[p])) {
            p++;
        }
        boolean valid = p > 0 && (p == len || buf[p] == ' ');
        if (!valid && side == Side.RESPONSES && len >= 2 && (buf[0] == '*' || buf[0] == '+') && buf[1] == ' ') {
            return buf[0] == '*' ? "*" : "+";
        }
        return valid ? new String(buf, 0, p, StandardCharsets.US_ASCII) : null;
    }

    /** One copy into a fresh Buffer (Buffer.buffer(byte[]) would copy a second time). */
    private Buffer copy(int from, int to) {
        return Buffer.buffer(to - from).appendBytes(buf, from, to - from);
    }

    private void append(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(len + n, buf.length * 2));
        }
        cur.getBytes(curPos, curPos + n, buf, len);
        len += n;
        curPos += n;
    }

    private void resetLine() {
        len = 0;
        segStart = 0;
        lineBytes = 0;
        lineStarted = false;
        firstPart = true;
        inlineTotal = 0;
        parser.reset();
        state = State.LINE;
        if (buf.length > 16 * INITIAL_BUFFER) {
            buf = new byte[INITIAL_BUFFER]; // do not keep a 1 MiB frame's array for an idle connection
        }
    }
}
