package org.modseqproxy.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.modseqproxy.proxy.codec.ImapDecoder.Side.COMMANDS;
import static org.modseqproxy.proxy.codec.ImapDecoder.Side.RESPONSES;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Large literals pass as slices with bounded memory; pause/resume and rejectLiteral keep the stream in sync. */
class StreamingTest {

    private static final int MIB = 1024 * 1024;
    private static final int BUFFER = 64 * 1024;
    private static final Limits SMALL = new Limits(64, 100, 16, 24, 3, 12);

    @Test
    void fiftyMegabyteAppendPassesAsChunksWithBoundedMemory() throws Exception {
        int size = 50 * MIB;
        EventRecorder rec = new EventRecorder();
        rec.capture = false;
        ImapDecoder decoder = new ImapDecoder(COMMANDS, Limits.commandDefaults(), rec);
        rec.decoder = decoder;

        String hash = feedInBuffers(decoder, "A1 APPEND INBOX (\\Seen) {" + size + "}\r\n", size, "\r\nA2 NOOP\r\n");

        assertThat(rec.events())
                .containsExactly(
                        "S HEAD tag=A1 kw=APPEND tokens=[APPEND INBOX (\\Seen) {{52428800}}] size=52428800 sync",
                        "D 52428800 bytes sha256=" + hash,
                        "E",
                        "F CONTINUED tag=A1 kw=APPEND tokens=[APPEND INBOX (\\Seen) {{52428800}}]",
                        "F COMPLETE tag=A2 kw=NOOP tokens=[NOOP]");
        assertThat(rec.maxBytesBuffered).as("max bytesBuffered").isLessThan(200_000);
        assertThat(decoder.bytesBuffered()).isZero();
    }

    @Test
    void fiftyMegabyteFetchBodyPassesAsChunksWithBoundedMemory() throws Exception {
        int size = 50 * MIB;
        EventRecorder rec = new EventRecorder();
        rec.capture = false;
        ImapDecoder decoder = new ImapDecoder(RESPONSES, Limits.responseDefaults(), rec);
        rec.decoder = decoder;

        String hash = feedInBuffers(
                decoder, "* 1 FETCH (UID 5 BODY[] {" + size + "}\r\n", size, " FLAGS (\\Seen))\r\na OK done\r\n");

        assertThat(rec.events())
                .containsExactly(
                        "S HEAD tag=* kw=FETCH n=1 tokens=[1 FETCH (UID 5 BODY[] {{52428800}})] size=52428800 sync",
                        "D 52428800 bytes sha256=" + hash,
                        "E",
                        "F CONTINUED tag=* kw=FETCH n=1 tokens=[1 FETCH (UID 5 BODY[] {{52428800}} FLAGS (\\Seen))]",
                        "F COMPLETE tag=a kw=OK tokens=[OK] text=\"done\"");
        assertThat(rec.maxBytesBuffered).as("max bytesBuffered").isLessThan(200_000);
    }

    /**
     * Feeds head + size pseudo-random bytes + tail cut into 64 KiB buffers (so the literal starts and
     * ends mid-buffer); returns the SHA-256 of the literal bytes.
     */
    private static String feedInBuffers(ImapDecoder decoder, String head, int size, String tail) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        Random random = new Random(42);
        byte[] block = new byte[BUFFER];
        Buffer pending = Buffer.buffer(BUFFER).appendString(head);
        int left = size;
        while (left > 0) {
            int n = Math.min(left, BUFFER - pending.length());
            random.nextBytes(block);
            digest.update(block, 0, n);
            pending.appendBytes(block, 0, n);
            left -= n;
            if (pending.length() == BUFFER) {
                decoder.feed(pending);
                pending = Buffer.buffer(BUFFER);
            }
        }
        pending.appendString(tail);
        decoder.feed(pending);
        return HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void literalChunksAreSlicesOfTheFedBuffer() {
        List<Buffer> chunks = new ArrayList<>();
        Sink sink = new IgnoringSink() {
            @Override
            public void literalChunk(Buffer chunk) {
                chunks.add(chunk);
            }
        };
        ImapDecoder decoder = new ImapDecoder(COMMANDS, SMALL, sink);
        Buffer input = Buffer.buffer("a APPEND INBOX {20+}\r\n01234567890123456789\r\n");
        decoder.feed(input);

        assertThat(chunks).hasSize(1);
        assertThat(chunks.get(0).toString()).isEqualTo("01234567890123456789");
        input.setByte(22, (byte) 'X'); // no copy: the chunk sees the change
        assertThat(chunks.get(0).toString()).isEqualTo("X1234567890123456789");
    }

    @Test
    void pauseInsideFrameKeepsTheRestAndResumeContinues() {
        List<String> events = new ArrayList<>();
        ImapDecoder[] d = new ImapDecoder[1];
        Sink sink = new IgnoringSink() {
            @Override
            public void frame(Frame frame) {
                events.add(frame.tag());
                if (frame.tag().equals("a")) {
                    d[0].pause();
                }
            }
        };
        d[0] = new ImapDecoder(COMMANDS, Limits.commandDefaults(), sink);

        d[0].feed(Buffer.buffer("a NOOP\r\nb NOOP\r\nc NOO"));
        assertThat(events).containsExactly("a");
        assertThat(d[0].isPaused()).isTrue();
        assertThat(d[0].bytesBuffered()).isEqualTo("b NOOP\r\nc NOO".length());

        d[0].feed(Buffer.buffer("P\r\nd NOOP\r\n")); // a socket may deliver one more buffer
        assertThat(events).containsExactly("a");
        assertThat(d[0].bytesBuffered()).isEqualTo("b NOOP\r\nc NOOP\r\nd NOOP\r\n".length());

        d[0].resume();
        assertThat(events).containsExactly("a", "b", "c", "d");
        assertThat(d[0].isPaused()).isFalse();
        assertThat(d[0].bytesBuffered()).isZero();
    }

    @Test
    void pauseInsideLargeLiteralStartHoldsTheDataUntilResume() {
        EventRecorder rec = new EventRecorder();
        ImapDecoder decoder = new ImapDecoder(COMMANDS, SMALL, new IgnoringSink() {
            @Override
            public void largeLiteralStart(Frame head, long size, boolean nonSync) {
                rec.largeLiteralStart(head, size, nonSync);
                rec.decoder.pause(); // e.g. until the backend answered "+"
            }

            @Override
            public void literalChunk(Buffer chunk) {
                rec.literalChunk(chunk);
            }

            @Override
            public void largeLiteralEnd() {
                rec.largeLiteralEnd();
            }

            @Override
            public void frame(Frame frame) {
                rec.frame(frame);
            }
        });
        rec.decoder = decoder;
        decoder.feed(Buffer.buffer("a APPEND INBOX {20}\r\n01234567890123456789\r\n"));
        assertThat(rec.events()).containsExactly("S HEAD tag=a kw=APPEND tokens=[APPEND INBOX {{20}}] size=20 sync");
        assertThat(decoder.bytesBuffered()).isEqualTo(22);

        decoder.resume();
        assertThat(rec.events())
                .containsExactly(
                        "S HEAD tag=a kw=APPEND tokens=[APPEND INBOX {{20}}] size=20 sync",
                        "D 01234567890123456789",
                        "E",
                        "F CONTINUED tag=a kw=APPEND tokens=[APPEND INBOX {{20}}]");
    }

    @Test
    void rejectedSyncLiteralEndsTheCommand() {
        // the client never sends the data of a refused sync literal: the next line is a new command
        SplitRunner.assertEvents(
                COMMANDS,
                SMALL,
                bytes("a APPEND INBOX {20}\r\nb NOOP\r\n"),
                List.of(
                        "S HEAD tag=a kw=APPEND tokens=[APPEND INBOX {{20}}] size=20 sync",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                r -> r.rejectLarge = true);
    }

    @Test
    void rejectedNonSyncLiteralIsDiscardedWithItsLine() {
        SplitRunner.assertEvents(
                COMMANDS,
                SMALL,
                bytes("a APPEND INBOX {20+}\r\n01234567890123456789 (x) {3+}\r\nabc\r\nb NOOP\r\n"),
                List.of(
                        "S HEAD tag=a kw=APPEND tokens=[APPEND INBOX {{20}}] size=20 nonsync",
                        "F COMPLETE tag=b kw=NOOP tokens=[NOOP]"),
                r -> r.rejectLarge = true);
    }

    @Test
    void rejectedServerLiteralIsDiscardedWithItsLine() {
        SplitRunner.assertEvents(
                RESPONSES,
                new Limits(128, 1000, 16, 24, 8, 40),
                bytes("* 1 FETCH (BODY[] {20}\r\n01234567890123456789)\r\n* 2 EXISTS\r\n"),
                List.of(
                        "S HEAD tag=* kw=FETCH n=1 tokens=[1 FETCH (BODY[] {{20}})] size=20 sync",
                        "F COMPLETE tag=* kw=EXISTS n=2 tokens=[2 EXISTS]"),
                r -> r.rejectLarge = true);
    }

    @Test
    void rejectLiteralOutsideLargeLiteralStartIsAProgrammingError() {
        List<String> seen = new ArrayList<>();
        ImapDecoder[] d = new ImapDecoder[1];
        d[0] = new ImapDecoder(COMMANDS, SMALL, new IgnoringSink() {
            @Override
            public void literalChunk(Buffer chunk) {
                seen.add("chunk");
                assertThatThrownBy(() -> d[0].rejectLiteral()).isInstanceOf(IllegalStateException.class);
            }
        });
        assertThatThrownBy(() -> d[0].rejectLiteral()).isInstanceOf(IllegalStateException.class);
        d[0].feed(Buffer.buffer("a APPEND INBOX {20+}\r\n01234567890123456789\r\n"));
        assertThat(seen).containsExactly("chunk");
    }

    @Test
    void afterAFatalErrorInputIsIgnored() {
        EventRecorder rec = new EventRecorder();
        ImapDecoder decoder = new ImapDecoder(COMMANDS, SMALL, rec);
        rec.decoder = decoder;
        decoder.feed(Buffer.buffer("a APPEND INBOX {999999999999999999999+}\r\n"));
        decoder.feed(Buffer.buffer("b NOOP\r\n"));
        assertThat(rec.events()).containsExactly("X! a Literal too large (max 100)");
        assertThat(decoder.bytesBuffered()).isZero();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
