package org.modseqproxy.proxy.codec;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/** Complete IMAP lines decoded in one go, with {@link ImapDecoder}'s rules: for rewriters, tests and tools. */
public final class Frames {
    private Frames() {}

    /**
     * Decodes complete lines in one go, for tests and tools (e.g. building the Frame a rewriter takes).
     * Literals are inlined up to 1 MiB per line, sync literals read as if "+" had been sent.
     * IllegalArgumentException on a decode error, a bigger literal or an incomplete last line.
     */
    public static List<Frame> decode(ImapDecoder.Side side, Buffer wire) {
        List<Frame> frames = new ArrayList<>();
        Limits base = side == ImapDecoder.Side.COMMANDS ? Limits.commandDefaults() : Limits.responseDefaults();
        Limits limits = new Limits(
                base.maxLineLength(),
                base.maxLiteralSize(),
                1024 * 1024,
                1024 * 1024,
                base.maxNestingDepth(),
                base.maxItems());
        ImapDecoder decoder = new ImapDecoder(side, limits, new Sink() {
            @Override
            public void frame(Frame frame) {
                frames.add(frame);
            }

            @Override
            public void largeLiteralStart(Frame head, long size, boolean nonSync) {
                throw new IllegalArgumentException("literal too large for decodeAll: " + size);
            }

            @Override
            public void literalChunk(Buffer chunk) {}

            @Override
            public void largeLiteralEnd() {}

            @Override
            public void rawLine(Buffer lineWithoutCrlf) {}

            @Override
            public void error(DecodeError error) {
                throw new IllegalArgumentException(error.message() + " (tag " + error.tag() + ")");
            }
        });
        decoder.feed(wire);
        if (!decoder.atLineStart()) {
            throw new IllegalArgumentException("incomplete line at the end of the input");
        }
        return frames;
    }

    /** {@link #decode(ImapDecoder.Side, Buffer)} of a UTF-8 string. */
    public static List<Frame> decode(ImapDecoder.Side side, String wire) {
        return decode(side, Buffer.buffer(wire, "UTF-8"));
    }
}
