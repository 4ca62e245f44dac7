package org.modseqproxy.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rows from RFC 7888 section 4 and RFC 9051 7.5; limits: 1000-byte literals, 100 inline, 150 inline per line. */
class LiteralPolicyTest {
    private static final Limits LIMITS = new Limits(8192, 1000, 100, 150, 16, 1000);

    @ParameterizedTest(name = "{0} announces {1} (non-sync {2}) with {3} kept: {4}")
    @CsvSource({
        // small enough to keep in the frame
        "COMMANDS, 100, false, 0, INLINE",
        "RESPONSES, 100, false, 0, INLINE",
        // the line's inline budget is spent: stream it
        "COMMANDS, 100, true, 100, STREAM",
        "COMMANDS, 101, false, 0, STREAM",
        "COMMANDS, 1000, true, 0, STREAM",
        // over the limit, sync: the client waits for "+" and gets the error instead (RFC 9051 7.5)
        "COMMANDS, 1001, false, 0, NOT_SENT",
        "COMMANDS, 999999999, false, 0, NOT_SENT",
        // over the limit, non-sync: read and discard, reject the command (RFC 7888 4, first choice)
        "COMMANDS, 1001, true, 0, COUNT_AWAY",
        "COMMANDS, 4000, true, 0, COUNT_AWAY",
        // absurd non-sync: close (RFC 7888 4, second choice)
        "COMMANDS, 4001, true, 0, CLOSE",
        // a server literal over the configured cap ends the connection: its bytes are coming regardless
        "RESPONSES, 1001, false, 0, CLOSE",
    })
    void announced(ImapDecoder.Side side, long n, boolean nonSync, long kept, LiteralPolicy.Action action) {
        assertThat(new LiteralPolicy(side, LIMITS).announced(n, nonSync, kept)).isEqualTo(action);
    }

    @ParameterizedTest(name = "{0} dropped line announcing {1} (non-sync {2}): {3}")
    @CsvSource({
        "COMMANDS, -1, false, NOT_SENT",
        "RESPONSES, -1, false, NOT_SENT",
        // RFC 9051 7.5: no "+", so no bytes
        "COMMANDS, 50, false, NOT_SENT",
        // RFC 7888 4: "checks for non-synchronizing literals at the end of each line"
        "COMMANDS, 50, true, COUNT_AWAY",
        "COMMANDS, 4000, true, COUNT_AWAY",
        "COMMANDS, 4001, true, CLOSE",
        "RESPONSES, 50, false, COUNT_AWAY",
        "RESPONSES, 4001, false, CLOSE",
    })
    void afterDroppedLine(ImapDecoder.Side side, long n, boolean nonSync, LiteralPolicy.Action action) {
        assertThat(new LiteralPolicy(side, LIMITS).afterDroppedLine(n, nonSync)).isEqualTo(action);
    }
}
