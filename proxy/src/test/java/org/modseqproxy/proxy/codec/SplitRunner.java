package org.modseqproxy.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs one decoding case under every way of cutting the input (STYLE.md practice 7): in one piece, in
 * two pieces at every offset, one byte at a time, in random chunks (seeded), and with the sink pausing
 * after every event. Every run must produce exactly the expected events; runs without errors or raw
 * lines must also pass the input through byte for byte (frame raws + literal chunks).
 */
final class SplitRunner {
    private SplitRunner() {}

    static List<String> decode(
            ImapDecoder.Side side,
            Limits limits,
            byte[] wire,
            List<int[]> pieces,
            Consumer<EventRecorder> setup,
            boolean pauseOnEveryEvent) {
        EventRecorder rec = new EventRecorder();
        setup.accept(rec);
        rec.pauseOnEveryEvent = pauseOnEveryEvent;
        ImapDecoder decoder = new ImapDecoder(side, limits, rec);
        rec.decoder = decoder;
        for (int[] piece : pieces) {
            decoder.feed(Buffer.buffer().appendBytes(wire, piece[0], piece[1] - piece[0]));
            while (decoder.isPaused()) {
                decoder.resume();
            }
        }
        List<String> events = rec.events();
        boolean exact = events.stream().noneMatch(e -> e.startsWith("X") || e.startsWith("R")) && !rec.rejectLarge;
        if (exact) {
            assertThat(new String(rec.passThrough.getBytes(), StandardCharsets.ISO_8859_1))
                    .as("pass-through bytes")
                    .isEqualTo(new String(wire, StandardCharsets.ISO_8859_1));
        }
        return events;
    }

    static void assertEvents(
            ImapDecoder.Side side, Limits limits, byte[] wire, List<String> expected, Consumer<EventRecorder> setup) {
        int n = wire.length;
        check("whole", side, limits, wire, List.of(new int[] {0, n}), expected, setup, false);
        for (int i = 1; i < n; i++) {
            check(
                    "split at " + i,
                    side,
                    limits,
                    wire,
                    List.of(new int[] {0, i}, new int[] {i, n}),
                    expected,
                    setup,
                    false);
        }
        check("1-byte pieces", side, limits, wire, pieces(n, 1), expected, setup, false);
        check("1-byte pieces, pause on every event", side, limits, wire, pieces(n, 1), expected, setup, true);
        check("whole, pause on every event", side, limits, wire, List.of(new int[] {0, n}), expected, setup, true);
        for (long seed = 1; seed <= 8; seed++) {
            check("random chunks seed " + seed, side, limits, wire, random(n, seed), expected, setup, seed % 2 == 0);
        }
    }

    static void assertEvents(ImapDecoder.Side side, Limits limits, String wire, List<String> expected) {
        assertEvents(side, limits, wire.getBytes(StandardCharsets.UTF_8), expected, r -> {});
    }

    private static void check(
            String mode,
            ImapDecoder.Side side,
            Limits limits,
            byte[] wire,
            List<int[]> pieces,
            List<String> expected,
            Consumer<EventRecorder> setup,
            boolean pause) {
        List<String> events = decode(side, limits, wire, pieces, setup, pause);
        assertThat(events).as("events when fed %s", mode).containsExactlyElementsOf(expected);
    }

    static List<int[]> pieces(int n, int size) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i += size) {
            out.add(new int[] {i, Math.min(n, i + size)});
        }
        return out;
    }

    static List<int[]> random(int n, long seed) {
        Random r = new Random(seed);
        List<int[]> out = new ArrayList<>();
        int i = 0;
        while (i < n) {
            int size = 1 + r.nextInt(r.nextBoolean() ? 8 : 64);
            out.add(new int[] {i, Math.min(n, i + size)});
            i += size;
        }
        return out;
    }

    static Consumer<EventRecorder> rawAfter(String... keywords) {
        return r -> r.rawAfter = Set.of(keywords);
    }
}
