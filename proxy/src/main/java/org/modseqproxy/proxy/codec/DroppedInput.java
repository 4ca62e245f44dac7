package org.modseqproxy.proxy.codec;

/**
 * Input a decoder drops after a non-fatal error, up to where the stream is in step again: the rest of the bad line,
 * a literal that line announced whose bytes will arrive anyway, the rest of the line after that literal, and so on.
 * RFC 7888 4 lets a server reject line by line "as long as it checks for non-synchronizing literals at the end of
 * each line"; a client's synchronizing literal is never sent before "+" (RFC 9051 7.5). Counted, never buffered: a
 * dropped line costs {@link LineTail#SIZE} bytes whatever its length.
 */
final class DroppedInput {
    enum Result {
        /** Nothing more can be dropped until more bytes are fed. */
        NEED_INPUT,
        /** Some bytes were dropped; more are to come. */
        DROPPING,
        /** The next byte starts a line. */
        IN_STEP,
        /** The dropped line announced a literal too big even to count away. */
        CLOSE
    }

    private final LiteralPolicy policy;
    private final LineTail tail = new LineTail();
    private boolean ignoreLiterals;
    /** Bytes of a literal still to drop, or -1 while dropping a line. */
    private long literalLeft = -1;

    DroppedInput(LiteralPolicy policy) {
        this.policy = policy;
    }

    /** Drop the rest of a line whose bytes so far end with {@code b[from, to)}; a raw line announces no literal. */
    void restOfLine(byte[] b, int from, int to, boolean raw) {
        tail.keep(b, from, to);
        ignoreLiterals = raw;
        literalLeft = -1;
    }

    /** A line is dropped whole, its last bytes {@code b[from, to)} (without CRLF): what follows it. */
    Result lineEnded(byte[] b, int from, int to, boolean raw) {
        restOfLine(b, from, to, raw);
        return atLineEnd();
    }

    /** Drop a literal of {@code n} bytes, then the rest of the line it is part of. */
    void literal(long n) {
        literalLeft = n;
        ignoreLiterals = false;
    }

    Result step(FedInput in) {
        if (literalLeft == 0) {
            literalLeft = -1;
            tail.clear();
            return Result.DROPPING;
        }
        if (!in.ready()) {
            return Result.NEED_INPUT;
        }
        if (literalLeft > 0) {
            int take = (int) Math.min(literalLeft, in.available());
            in.skip(take);
            literalLeft -= take;
            return Result.DROPPING;
        }
        int lf = in.indexOfLf(in.available());
        in.skipInto(tail, lf >= 0 ? lf : in.available());
        if (lf < 0) {
            return Result.DROPPING;
        }
        in.skip(1);
        tail.dropTrailingCr();
        return atLineEnd();
    }

    private Result atLineEnd() {
        long n = ignoreLiterals ? -1 : tail.literal();
        return switch (policy.afterDroppedLine(n, tail.nonSync())) {
            case COUNT_AWAY -> {
                literal(n);
                yield Result.DROPPING;
            }
            case CLOSE -> Result.CLOSE;
            default -> Result.IN_STEP;
        };
    }
}
