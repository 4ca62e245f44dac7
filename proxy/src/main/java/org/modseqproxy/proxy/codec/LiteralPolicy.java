package org.modseqproxy.proxy.codec;

/**
 * What a decoder does with a literal it is told about: a pure decision over the side, the announcement and the
 * limits. RFC 7888 section 4 lets a server facing a literal it will not take either read and discard it and reject
 * the command, or close the connection; a client's synchronizing literal is never sent before "+", so refusing it
 * costs nothing (RFC 9051 7.5). A server's bytes always follow.
 */
record LiteralPolicy(ImapDecoder.Side side, Limits limits) {
    enum Action {
        /** Kept inside the frame. */
        INLINE,
        /** Handed to the sink in slices, never buffered. */
        STREAM,
        /** Refused, and no bytes follow: the peer waits for "+" (or there was no literal). */
        NOT_SENT,
        /** Refused; its bytes follow and are counted away, never buffered. */
        COUNT_AWAY,
        /** Refused and too big even to count away: the connection ends. */
        CLOSE
    }

    /** A literal announced at the end of a well-formed line segment; {@code inlineSoFar} bytes of the line are kept. */
    Action announced(long n, boolean nonSync, long inlineSoFar) {
        if (n > limits.maxLiteralSize()) {
            if (side == ImapDecoder.Side.COMMANDS && !nonSync) {
                return Action.NOT_SENT;
            }
            return side == ImapDecoder.Side.COMMANDS && !tooBigToSkip(n) ? Action.COUNT_AWAY : Action.CLOSE;
        }
        return n <= limits.inlineLiteralMax() && inlineSoFar + n <= limits.maxFrameBytes()
                ? Action.INLINE
                : Action.STREAM;
    }

    /**
     * The end of a line being dropped (after an error) announced literal {@code n}, or -1 for none. Its bytes follow
     * unless a client waits for "+"; they are counted away, and the line after them dropped too (RFC 7888 4: a
     * server "checks for non-synchronizing literals at the end of each line").
     */
    Action afterDroppedLine(long n, boolean nonSync) {
        if (n < 0 || (side == ImapDecoder.Side.COMMANDS && !nonSync)) {
            return Action.NOT_SENT;
        }
        return tooBigToSkip(n) ? Action.CLOSE : Action.COUNT_AWAY;
    }

    /** Over 4x the limit a literal is not worth counting away: that is a peer flooding us. */
    private boolean tooBigToSkip(long n) {
        long max = limits.maxLiteralSize();
        return max > Long.MAX_VALUE / 4 ? n > max : n > 4 * max;
    }
}
