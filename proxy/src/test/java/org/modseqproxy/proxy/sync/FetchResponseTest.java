package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.codec.Frame;
import org.modseqproxy.proxy.codec.Frames;
import org.modseqproxy.proxy.codec.ImapDecoder;
import org.modseqproxy.state.Flags;

class FetchResponseTest {
    static Frame frame(String wire) {
        return Frames.decode(ImapDecoder.Side.RESPONSES, Buffer.buffer(wire)).get(0);
    }

    @Test
    void parsesSeqUidFlagsWhateverTheItemOrder() {
        FetchResponse a = FetchResponse.parse(frame("* 12 FETCH (FLAGS (\\Seen $Junk) UID 40)\r\n"));
        assertThat(a).isEqualTo(new FetchResponse(12, 40, Flags.of("\\Seen", "$Junk"), false));
        FetchResponse b = FetchResponse.parse(frame("* 3 FETCH (UID 7 RFC822.SIZE 100 MODSEQ (5) FLAGS ())\r\n"));
        assertThat(b).isEqualTo(new FetchResponse(3, 7, Flags.EMPTY, true));
        FetchResponse c = FetchResponse.parse(frame("* 3 FETCH (BODY[] {5}\r\nhello)\r\n"));
        assertThat(c).isEqualTo(new FetchResponse(3, -1, null, false));
        assertThat(FetchResponse.parse(frame("* 3 EXPUNGE\r\n"))).isNull();
    }

    @Test
    void insertsModSeqFirstAndKeepsTheRestByteExact() {
        assertThat(FetchResponse.withModSeq(Buffer.buffer("* 1 FETCH (FLAGS (\\Seen))\r\n"), 42)
                        .toString())
                .isEqualTo("* 1 FETCH (MODSEQ (42) FLAGS (\\Seen))\r\n");
        assertThat(FetchResponse.withModSeq(Buffer.buffer("* 1 FETCH ()\r\n"), 7)
                        .toString())
                .isEqualTo("* 1 FETCH (MODSEQ (7))\r\n");
        assertThat(FetchResponse.withModSeq(Buffer.buffer("* 9 FETCH (BODY[] {3}\r\n(x)\r\n"), 1)
                        .toString())
                .isEqualTo("* 9 FETCH (MODSEQ (1) BODY[] {3}\r\n(x)\r\n");
    }

    @Test
    void removesTheBackendsModSeqWherever() {
        assertThat(FetchResponse.withoutModSeq(Buffer.buffer("* 1 FETCH (UID 4 MODSEQ (65402) FLAGS (\\Seen))\r\n"))
                        .toString())
                .isEqualTo("* 1 FETCH (UID 4 FLAGS (\\Seen))\r\n");
        assertThat(FetchResponse.withoutModSeq(Buffer.buffer("* 1 FETCH (MODSEQ (3) UID 4)\r\n"))
                        .toString())
                .isEqualTo("* 1 FETCH (UID 4)\r\n");
        assertThat(FetchResponse.withoutModSeq(Buffer.buffer("* 1 FETCH (UID 4 MODSEQ (3))\r\n"))
                        .toString())
                .isEqualTo("* 1 FETCH (UID 4)\r\n");
        assertThat(FetchResponse.withoutModSeq(Buffer.buffer("* 1 FETCH (UID 4)\r\n"))
                        .toString())
                .isEqualTo("* 1 FETCH (UID 4)\r\n");
    }
}
