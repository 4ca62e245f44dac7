package org.modseqproxy.proxy.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recorded transcripts in src/test/resources/codec/*.session, run through both decoders at every split
 * point. Format: "C: line" (client, CRLF appended), "S: line" (server), "= event" (expected event of the
 * side of the last C:/S: line, as rendered by {@link EventRecorder}), "@rawAfter KEYWORD..." (the session
 * expects a raw line after these commands), "#" comments. A file without "=" lines fails and prints the
 * annotated transcript, to be reviewed line by line before it is pasted in.
 */
class RecordedSessionTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "rfc7162-condstore.session",
                "rfc7162-qresync.session",
                "rfc9051-examples.session",
                "client-commands.session"
            })
    void transcriptDecodesAtEverySplitPoint(String file) throws IOException {
        Transcript t = Transcript.read(file);
        if (t.expectedClient.isEmpty() && t.expectedServer.isEmpty()) {
            throw new AssertionError("no expectations in " + file + "; actual events:\n" + t.annotate());
        }
        SplitRunner.assertEvents(
                ImapDecoder.Side.COMMANDS,
                Limits.commandDefaults(),
                t.client.getBytes(),
                t.expectedClient,
                SplitRunner.rawAfter(t.rawAfter.toArray(String[]::new)));
        SplitRunner.assertEvents(
                ImapDecoder.Side.RESPONSES, Limits.responseDefaults(), t.server.getBytes(), t.expectedServer, r -> {});
    }

    private static final class Transcript {
        final Buffer client = Buffer.buffer();
        final Buffer server = Buffer.buffer();
        final List<String> expectedClient = new ArrayList<>();
        final List<String> expectedServer = new ArrayList<>();
        final Set<String> rawAfter = new HashSet<>();
        final List<String> lines = new ArrayList<>();

        static Transcript read(String file) throws IOException {
            Transcript t = new Transcript();
            try (InputStream in = RecordedSessionTest.class.getResourceAsStream("/codec/" + file)) {
                assertThat(in).as(file).isNotNull();
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                boolean serverSide = false;
                for (String line : text.split("\n", -1)) {
                    if (line.startsWith("C: ") || line.equals("C:")) {
                        t.client.appendString(line.substring(Math.min(3, line.length())) + "\r\n", "UTF-8");
                        serverSide = false;
                    } else if (line.startsWith("S: ") || line.equals("S:")) {
                        t.server.appendString(line.substring(Math.min(3, line.length())) + "\r\n", "UTF-8");
                        serverSide = true;
                    } else if (line.startsWith("= ")) {
                        (serverSide ? t.expectedServer : t.expectedClient).add(line.substring(2));
                        continue;
                    } else if (line.startsWith("@rawAfter ")) {
                        t.rawAfter.addAll(
                                Arrays.asList(line.substring(10).trim().split(" +")));
                    }
                    t.lines.add(line);
                }
            }
            return t;
        }

        /** The transcript with the events each side's decoder actually produces after each line, for review. */
        String annotate() {
            EventRecorder c = new EventRecorder();
            c.rawAfter = rawAfter;
            c.decoder = new ImapDecoder(ImapDecoder.Side.COMMANDS, Limits.commandDefaults(), c);
            EventRecorder s = new EventRecorder();
            s.decoder = new ImapDecoder(ImapDecoder.Side.RESPONSES, Limits.responseDefaults(), s);
            StringBuilder out = new StringBuilder();
            int seenC = 0;
            int seenS = 0;
            for (String line : lines) {
                out.append(line).append('\n');
                boolean isClient = line.startsWith("C:");
                if (isClient || line.startsWith("S:")) {
                    EventRecorder r = isClient ? c : s;
                    r.decoder.feed(Buffer.buffer(line.substring(Math.min(3, line.length())) + "\r\n", "UTF-8"));
                    List<String> events = r.events();
                    for (int i = isClient ? seenC : seenS; i < events.size(); i++) {
                        out.append("= ").append(events.get(i)).append('\n');
                    }
                    if (isClient) {
                        seenC = events.size();
                    } else {
                        seenS = events.size();
                    }
                }
            }
            return out.toString();
        }
    }
}
