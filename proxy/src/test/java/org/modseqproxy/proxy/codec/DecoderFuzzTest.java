package org.modseqproxy.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Issue 10's fuzzing harness for the codec (jqwik, property-based with shrinking): inputs are built from IMAP-shaped
 * fragments (tags, atoms, quoted strings with escapes, every literal form, lists, CRLF, stray bytes, huge numbers)
 * and fed in random chunk sizes to the command and the response decoder. Invariants: no exception but the decoder's
 * own DecodeError events, and what the decoder holds stays bounded by its limits whatever it is fed. A short run in
 * {@code mvn verify}; {@link #longRun} is tagged bench ({@code mvn -Dbench -pl proxy test -Dtest=DecoderFuzzTest}).
 */
class DecoderFuzzTest {
    static final List<String> FRAGMENTS = List.of(
            "a1 ",
            "* ",
            "+ ",
            "LOGIN ",
            "SELECT ",
            "FETCH ",
            "UID ",
            "STORE ",
            "APPEND INBOX ",
            "1:* ",
            "(FLAGS) ",
            "(",
            ")",
            "((((",
            "))))",
            "[",
            "]",
            "\"",
            "\\\"",
            "\\\\",
            "\"quoted string\" ",
            "NIL ",
            " ",
            "\r\n",
            "\r",
            "\n",
            "\0",
            "{5}\r\nhello",
            "{3+}\r\nabc",
            "{0}\r\n",
            "~{4}\r\n\0\1\2\3",
            "{99999999999999999999}\r\n",
            "{4294967296+}\r\n",
            "{12",
            "}",
            "BODY[HEADER.FIELDS (FROM)]<0.100> ",
            "\u00e9",
            "\u00ff\u00fe",
            "*",
            "OK [CAPABILITY IMAP4rev1] ",
            "12345678901234567890 ",
            "x".repeat(300));

    static final Limits SMALL = new Limits(2048, 1 << 20, 256, 4096, 8, 500);

    @Provide
    Arbitrary<List<String>> sessions() {
        return Arbitraries.of(FRAGMENTS).list().ofMaxSize(60);
    }

    @Provide
    Arbitrary<List<Integer>> chunks() {
        return Arbitraries.integers().between(1, 97).list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 1500)
    void commandsNeverThrowAndStayBounded(
            @ForAll("sessions") List<String> parts, @ForAll("chunks") List<Integer> chunks) {
        feed(ImapDecoder.Side.COMMANDS, parts, chunks);
    }

    @Property(tries = 1500)
    void responsesNeverThrowAndStayBounded(
            @ForAll("sessions") List<String> parts, @ForAll("chunks") List<Integer> chunks) {
        feed(ImapDecoder.Side.RESPONSES, parts, chunks);
    }

    @Property(tries = 10_000_000)
    @Tag("bench")
    void longRun(@ForAll("sessions") List<String> parts, @ForAll("chunks") List<Integer> chunks) {
        feed(parts.size() % 2 == 0 ? ImapDecoder.Side.COMMANDS : ImapDecoder.Side.RESPONSES, parts, chunks);
    }

    private static void feed(ImapDecoder.Side side, List<String> parts, List<Integer> chunks) {
        byte[] input = String.join("", parts).getBytes(StandardCharsets.ISO_8859_1);
        ImapDecoder decoder = new ImapDecoder(side, SMALL, new IgnoringSink() {
            @Override
            public void error(DecodeError error) {
                // refused input is an event, not an exception
            }

            @Override
            public void rawLine(Buffer line) {
                assertThat(line.length()).isLessThanOrEqualTo(SMALL.maxLineLength());
            }
        });
        int at = 0;
        int i = 0;
        while (at < input.length) {
            int n = Math.min(input.length - at, chunks.get(i++ % chunks.size()));
            decoder.feed(Buffer.buffer().appendBytes(input, at, n));
            at += n;
            // a line is never held beyond its limit plus what inline literals of one frame may add
            assertThat(decoder.bytesBuffered())
                    .isLessThanOrEqualTo((long) SMALL.maxLineLength() + SMALL.maxFrameBytes() + 256);
        }
    }
}
