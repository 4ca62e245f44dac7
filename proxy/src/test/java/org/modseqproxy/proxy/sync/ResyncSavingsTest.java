package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.metrics.MeterNames;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * Issue 13: the meters that show what the proxy saves. A QRESYNC client resyncs a 300-message mailbox after one
 * change; the savings counter must show what the full flag listing (RFC 5162 section 5) would have cost, less what
 * the client really got, and the bytes it really got must match what arrived on the socket.
 */
class ResyncSavingsTest {
    static final int MESSAGES = 300;
    RedisServerFixture redis;
    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        redis = RedisServerFixture.start();
        backend = GreenMailBackend.withNoDelay();
        backend.userWithMessages("alice", "pw", MESSAGES);
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), redis.uri(), c -> {});
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
        redis.close();
    }

    private double counter(String name, String kind) {
        Counter c = proxy.metrics().registry().find(name).tag("kind", kind).counter();
        return c == null ? -1 : c.count();
    }

    private static long bytes(List<String> lines) {
        return lines.stream().mapToLong(l -> l.length() + 2).sum();
    }

    @Test
    void aQresyncSelectAfterOneChangeSavesAlmostTheWholeListing() {
        long uv;
        long hms;
        List<String> full;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            List<String> sel = c.command("s", "SELECT INBOX");
            uv = ImapLines.uidValidity(sel);
            hms = ImapLines.highestModSeq(sel);
            c.ok("t", "UID STORE 7 +FLAGS (\\Flagged)");
        }
        try (RawImap plain = proxy.connect().login("alice", "pw")) {
            plain.ok("s", "SELECT INBOX");
            full = plain.command("f", "UID FETCH 1:* (FLAGS)"); // what a client without QRESYNC fetches every time
        }
        String kind = MeterNames.CLIENT_RESYNC_QRESYNC_SELECT;
        assertThat(counter(MeterNames.RESYNC_SENT_BYTES, kind)).isZero();

        List<String> resync;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            resync = c.command("s", "SELECT INBOX (QRESYNC (" + uv + " " + hms + "))");
        }
        assertThat(resync).anyMatch(l -> l.matches("\\* \\d+ FETCH \\(.*UID 7.*"));

        long expected = bytes(resync);
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> counter(MeterNames.RESYNC_SENT_BYTES, kind) == expected);
        double sent = counter(MeterNames.RESYNC_SENT_BYTES, kind);
        double fullEstimate = counter(MeterNames.RESYNC_FULL_BYTES, kind);
        double saved = counter(MeterNames.RESYNC_SAVED_BYTES, kind);
        assertThat(sent).isEqualTo(bytes(resync));
        // the estimate is measured on a sample: within a few percent of the real listing's FETCH lines
        long realListing = bytes(full.subList(0, full.size() - 1));
        assertThat(fullEstimate).isBetween(realListing * 0.9, realListing * 1.1);
        assertThat(saved).isEqualTo(fullEstimate - sent);
        assertThat(saved).isGreaterThan(realListing * 0.5);
    }

    @Test
    void aChangedSinceFetchIsCountedUnderItsOwnKind() {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            List<String> sel = c.command("s", "SELECT INBOX (CONDSTORE)");
            long hms = ImapLines.highestModSeq(sel);
            c.ok("t", "UID STORE 9 +FLAGS (\\Seen)");
            List<String> changed = c.command("f", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + hms + ")");
            // counted on the session's event loop once the tagged line is written: wait for it, not for a time
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(
                                    counter(MeterNames.RESYNC_SENT_BYTES, MeterNames.CLIENT_RESYNC_CHANGEDSINCE))
                            .isEqualTo(bytes(changed)));
        }
        assertThat(counter(MeterNames.RESYNC_SAVED_BYTES, MeterNames.CLIENT_RESYNC_CHANGEDSINCE))
                .isPositive();
        assertThat(counter(MeterNames.RESYNC_SENT_BYTES, MeterNames.CLIENT_RESYNC_QRESYNC_SELECT))
                .isZero();
    }
}
