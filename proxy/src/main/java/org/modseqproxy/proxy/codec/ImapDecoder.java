package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;
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
        /** Dropping input after an error, until the stream is in step again ({@link DroppedInput}). */
        DROPPING,
        /** After a fatal error: all input is ignored. */
        CLOSED
    }

    private final Side side;
    private final Limits limits;
    private final Sink sink;
    private final LineParser parser;
    private final LiteralPolicy policy;
    private final DroppedInput dropped;

    private final FedInput input = new FedInput();
    private boolean paused;
    private boolean processing;

    private State state = State.LINE;
    private final FrameBytes buf = new FrameBytes();
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

    public ImapDecoder(Side side, Limits limits, Sink sink) {
        this.side = side;
        this.limits = limits;
        this.sink = sink;
        this.parser = new LineParser(side, limits);
        this.policy = new LiteralPolicy(side, limits);
        this.dropped = new DroppedInput(policy);
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
        input.add(data);
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
            dropped.literal(n);
            state = State.DROPPING;
        }
    }

    /** Current internal buffering (partial line, inline literals, retained input), for tests and metrics. */
    public long bytesBuffered() {
        return buf.length() + input.buffered();
    }

    /** No line, literal or skipped input is in progress (what {@link Frames#decode} checks at the end). */
    boolean atLineStart() {
        return state == State.LINE && bytesBuffered() == 0;
    }

    private void drain() {
        if (processing) {
            return; // re-entrant call from a sink callback: the outer loop goes on
        }
        processing = true;
        try {
            while (!paused && state != State.CLOSED && step()) {
                // each step emits at most one event, so a pause() inside it stops right after that event
            }
            input.releaseIfUsed();
            if (state == State.CLOSED) {
                input.clear();
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
                return input.ready() && line(false);
            }
            case RAW_LINE -> {
                return input.ready() && line(true);
            }
            case INLINE_LITERAL -> {
                if (remaining == 0) {
                    Buffer data = buf.copy(literalStart, buf.length());
                    parser.addLiteral(new Token.Literal(data, literalNonSync, parser.literalBinary()));
                    segStart = buf.length();
                    state = State.LINE;
                    return true;
                }
                if (!input.ready()) {
                    return false;
                }
                int take = (int) Math.min(remaining, input.available());
                buf.append(input, take);
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
                if (!input.ready()) {
                    return false;
                }
                int take = (int) Math.min(remaining, input.available());
                Buffer chunk = input.slice(take);
                remaining -= take;
                rejectable = false;
                sink.literalChunk(chunk);
                return true;
            }
            case DROPPING -> {
                switch (dropped.step(input)) {
                    case NEED_INPUT -> {
                        return false;
                    }
                    case IN_STEP -> state = State.LINE;
                    case CLOSE -> close(tooLarge(null, true));
                    default -> {
                        // more of the same
                    }
                }
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    /** Collects bytes up to LF (bounded by maxLineLength), then handles the segment. */
    private boolean line(boolean raw) {
        // the line may hold maxLineLength bytes plus CRLF
        int room = (int) Math.min(input.available(), limits.maxLineLength() + 2L - lineBytes);
        int lf = input.indexOfLf(room);
        int take = lf >= 0 ? lf + 1 : room;
        buf.append(input, take);
        lineBytes += take;
        lineStarted = true;
        if (lf >= 0) {
            int end = buf.length();
            int contentEnd = end >= segStart + 2 && buf.at(end - 2) == '\r' ? end - 2 : end - 1;
            long lineLength = lineBytes - (end - contentEnd);
            if (lineLength > limits.maxLineLength()) {
                buf.truncate(contentEnd); // the tail check below must not see the CRLF
                lineTooLong(raw, true);
            } else if (raw) {
                Buffer data = buf.copy(0, contentEnd);
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
        DecodeError e =
                new DecodeError(raw ? null : errorTag(), "Line too long (max " + limits.maxLineLength() + ")", false);
        if (atLineEnd) {
            DroppedInput.Result next = dropped.lineEnded(buf.array(), 0, buf.length(), raw);
            resetLine();
            afterDropped(next, e);
        } else {
            dropped.restOfLine(buf.array(), 0, buf.length(), raw);
            resetLine();
            state = State.DROPPING;
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
        int r = parser.parseSegment(buf.array(), segStart, contentEnd);
        if (r == TokenScanner.END) {
            emitFrame(firstPart ? Frame.Kind.COMPLETE : Frame.Kind.CONTINUED);
        } else if (r == TokenScanner.LITERAL) {
            literal(parser.literalSize(), parser.literalNonSync());
        } else {
            DecodeError e = new DecodeError(errorTag(), parser.error, false);
            DroppedInput.Result next = dropped.lineEnded(buf.array(), segStart, contentEnd, false);
            resetLine();
            afterDropped(next, e);
        }
    }

    /** A bad line was dropped whole: go on as {@link DroppedInput} says, then report the error. */
    private void afterDropped(DroppedInput.Result next, DecodeError e) {
        if (next == DroppedInput.Result.CLOSE) {
            close(tooLarge(e.tag(), true));
            return;
        }
        state = next == DroppedInput.Result.IN_STEP ? State.LINE : State.DROPPING;
        sink.error(e);
    }

    private void literal(long n, boolean nonSync) {
        String tag = parser.tag();
        LiteralPolicy.Action action = policy.announced(n, nonSync, inlineTotal);
        switch (action) {
            case NOT_SENT, COUNT_AWAY -> {
                resetLine();
                if (action == LiteralPolicy.Action.COUNT_AWAY) {
                    dropped.literal(n);
                    state = State.DROPPING;
                }
                sink.error(tooLarge(tag, false));
            }
            case CLOSE -> close(tooLarge(tag, true));
            case INLINE -> {
                literalNonSync = nonSync;
                remaining = n;
                inlineTotal += n;
                literalStart = buf.length();
                state = State.INLINE_LITERAL;
                if (side == Side.COMMANDS && !nonSync) {
                    sink.continuationRequest(tag, n);
                }
            }
            case STREAM -> {
                literalNonSync = nonSync;
                remaining = n;
                parser.addLiteral(new Token.LargeLiteral(n));
                Frame head = frame(firstPart ? Frame.Kind.HEAD : Frame.Kind.CONTINUED_HEAD, parser.snapshot());
                buf.clear();
                segStart = 0;
                firstPart = false;
                state = State.STREAM_LITERAL;
                rejectable = true;
                sink.largeLiteralStart(head, n, nonSync);
            }
        }
    }

    private DecodeError tooLarge(String tag, boolean fatal) {
        return new DecodeError(tag, "Literal too large (max " + limits.maxLiteralSize() + ")", fatal);
    }

    private void close(DecodeError e) {
        resetLine();
        state = State.CLOSED;
        sink.error(e);
    }

    private void emitFrame(Frame.Kind kind) {
        Frame f = frame(kind, parser.finish());
        resetLine();
        sink.frame(f);
    }

    private Frame frame(Frame.Kind kind, List<Token> tokens) {
        Buffer raw = buf.copy(0, buf.length());
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
        return ImapChars.leadingTag(buf.array(), buf.length(), side == Side.RESPONSES);
    }

    private void resetLine() {
        buf.clear();
        segStart = 0;
        lineBytes = 0;
        lineStarted = false;
        firstPart = true;
        inlineTotal = 0;
        parser.reset();
        state = State.LINE;
    }
}
