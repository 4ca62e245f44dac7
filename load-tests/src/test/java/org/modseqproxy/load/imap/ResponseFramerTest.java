package org.modseqproxy.load.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Wire bytes in, whole responses out, whatever the chunking (every split point, one byte at a time, random). */
class ResponseFramerTest {

    private record Row(String wire, List<String> responses) {}

    private static final List<Row> ROWS = List.of(
            new Row("* OK ready\r\n", List.of("* OK ready")),
            new Row("* 3 EXISTS\r\nA1 OK done\r\n", List.of("* 3 EXISTS", "A1 OK done")),
            // RFC 9051 7.5.2 style: a literal whose content holds CRLF and something that looks like a literal
            new Row(
                    "* 1 FETCH (BODY[] {14}\r\nab {3}\r\ncd\r\nxy UID 4)\r\nA2 OK\r\n",
                    List.of("* 1 FETCH (BODY[] {14}\r\nab {3}\r\ncd\r\nxy UID 4)", "A2 OK")),
            // two literals in one response, the second empty
            new Row(
                    "* 2 FETCH (BODY[1] {2}\r\nhi BODY[2] {0}\r\n)\r\n",
                    List.of("* 2 FETCH (BODY[1] {2}\r\nhi BODY[2] {0}\r\n)")),
            // RFC 7888 non-synchronizing literal marker
            new Row("* 5 FETCH (X {3+}\r\n\r\n})\r\n", List.of("* 5 FETCH (X {3+}\r\n\r\n})")),
            // not literals: braces without a number, or not at the end of the line
            new Row("* OK {x}\r\n* OK {12} later\r\n", List.of("* OK {x}", "* OK {12} later")),
            // a bare LF ends a line too (lenient), and UTF-8 survives splitting inside a character
            new Row("+ idling\n* OK caf\u00e9\r\n", List.of("+ idling", "* OK caf\u00e9")));

    @Test
    void everySplitPoint() {
        for (Row row : ROWS) {
            byte[] wire = row.wire().getBytes(StandardCharsets.UTF_8);
            for (int split = 0; split <= wire.length; split++) {
                assertThat(feed(wire, split, wire.length - split))
                        .as("%s split at %d", row.wire(), split)
                        .isEqualTo(row.responses());
            }
        }
    }

    @Test
    void oneByteAtATimeAndRandomChunks() {
        Random random = new Random(2177);
        for (Row row : ROWS) {
            byte[] wire = row.wire().getBytes(StandardCharsets.UTF_8);
            int[] single = new int[wire.length];
            java.util.Arrays.fill(single, 1);
            assertThat(feed(wire, single)).as(row.wire()).isEqualTo(row.responses());
            for (int round = 0; round < 20; round++) {
                List<Integer> chunks = new ArrayList<>();
                for (int left = wire.length; left > 0; ) {
                    int n = 1 + random.nextInt(Math.min(left, 7));
                    chunks.add(n);
                    left -= n;
                }
                assertThat(feed(
                                wire,
                                chunks.stream().mapToInt(Integer::intValue).toArray()))
                        .isEqualTo(row.responses());
            }
        }
    }

    @Test
    void incompleteResponseIsHeldBack() {
        EmbeddedChannel channel = new EmbeddedChannel(new ResponseFramer(1024));
        channel.writeInbound(Unpooled.copiedBuffer("* 1 FETCH (BODY[] {10}\r\n12345", StandardCharsets.US_ASCII));
        assertThat((Object) channel.readInbound()).isNull();
        channel.writeInbound(Unpooled.copiedBuffer("67890)\r\n", StandardCharsets.US_ASCII));
        assertThat((String) channel.readInbound()).isEqualTo("* 1 FETCH (BODY[] {10}\r\n1234567890)");
    }

    @Test
    void refusesAResponseLargerThanTheLimit() {
        EmbeddedChannel channel = new EmbeddedChannel(new ResponseFramer(64));
        assertThatThrownBy(() -> channel.writeInbound(
                        Unpooled.copiedBuffer("* 1 FETCH (BODY[] {1000}\r\n", StandardCharsets.US_ASCII)))
                .isInstanceOf(TooLongFrameException.class)
                .hasMessage("IMAP response longer than 64 bytes");
    }

    private static List<String> feed(byte[] wire, int... chunkSizes) {
        EmbeddedChannel channel = new EmbeddedChannel(new ResponseFramer(1 << 20));
        int offset = 0;
        for (int size : chunkSizes) {
            if (size > 0) {
                channel.writeInbound(Unpooled.wrappedBuffer(wire, offset, size));
                offset += size;
            }
        }
        List<String> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add((String) o);
        }
        channel.finishAndReleaseAll();
        return out;
    }
}
