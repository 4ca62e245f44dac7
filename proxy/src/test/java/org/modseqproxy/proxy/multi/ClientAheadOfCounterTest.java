package org.modseqproxy.proxy.multi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.UidSet;

/**
 * A client whose remembered mod-sequence is above the proxy's counter: it was handed out by state that is gone (a
 * counter restarted at the clock, or one made by an earlier version in microseconds, 16 digits, where the clock now
 * gives 11). The proxy cannot know what changed since, so it answers as for CHANGEDSINCE 0: every message, and
 * every known UID that is gone as VANISHED (EARLIER). "Nothing changed" would leave the client wrong for good.
 */
class ClientAheadOfCounterTest {
    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = new GreenMailBackend();
        backend.userWithMessages("alice", "pw", 3);
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void qresyncAndChangedSinceFromAboveTheCounterReportEverything() {
        long uidValidity;
        long highest;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            List<String> sel = c.command("s", "SELECT INBOX");
            uidValidity = ImapLines.uidValidity(sel);
            highest = ImapLines.highestModSeq(sel);
            // the counter is short: milliseconds since 2026, not microseconds since 1970
            assertThat(String.valueOf(highest)).hasSizeLessThanOrEqualTo(12);
            c.ok("d", "UID STORE 2 +FLAGS (\\Deleted)");
            c.ok("x", "EXPUNGE");
        }
        long ahead = highest * 100_000; // what a lost, microsecond-based counter had handed out
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            List<String> sel = c.command("q", "SELECT INBOX (QRESYNC (" + uidValidity + " " + ahead + " 1:3))");
            assertThat(ImapLines.tagged(sel)).startsWith("q OK");
            assertThat(sel.stream().flatMap(l -> ImapLines.vanished(l).stream()))
                    .as(ImapLines.shorten(sel))
                    .singleElement()
                    .satisfies(v -> {
                        assertThat(v.earlier()).isTrue();
                        assertThat(v.uids()).isEqualTo(UidSet.of(2));
                    });
            assertThat(sel.stream().flatMap(l -> ImapLines.fetch(l).stream()).map(ImapLines.Fetch::uid))
                    .containsExactlyInAnyOrder(1L, 3L);

            List<String> fetch = c.command("f", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + ahead + " VANISHED)");
            assertThat(ImapLines.tagged(fetch)).startsWith("f OK");
            assertThat(fetch.stream().flatMap(l -> ImapLines.fetch(l).stream()).map(ImapLines.Fetch::uid))
                    .as(ImapLines.shorten(fetch))
                    .containsExactlyInAnyOrder(1L, 3L);
            assertThat(fetch).anyMatch(l -> l.startsWith("* VANISHED (EARLIER) 2"));
        }
    }
}
