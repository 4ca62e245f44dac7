package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;
import org.modseqproxy.state.testing.RedisServerExtension;

/**
 * imaptest's stress mode ("UID changed for sequence n: uid -> lower uid"): a backend reports another session's
 * EXPUNGE after the last line of the proxy's listing (Dovecot and GreenMail both do, at the end of the UID FETCH). The
 * listing still shows the message, so unless the EXPUNGE is applied on top of it, the proxy's view numbers every later
 * message one too high, and what the proxy sends with its own sequence numbers (CHANGEDSINCE answers, the QRESYNC
 * answer, VANISHED) names the wrong messages.
 */
class ListingTrailingExpungeTest {
    @RegisterExtension
    static final RedisServerExtension REDIS = new RedisServerExtension();

    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        REDIS.server().flushAll();
        backend = new GreenMailBackend();
        backend.userWithMessages("alice", "pw", 5);
        proxy = ProxyFixture.start("127.0.0.1", backend.port(), REDIS.server().uri(), c -> {});
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void anExpungeAfterTheListingsLastLineRenumbersTheView() {
        try (RawImap c = proxy.connect().login("alice", "pw");
                RawImap direct = RawImap.connect("127.0.0.1", backend.port())) {
            direct.greeting();
            direct.ok("l", "LOGIN alice pw");
            direct.ok("s", "SELECT INBOX");
            c.ok("s", "SELECT INBOX"); // no CONDSTORE yet: no listing

            // Another session (not through the proxy) expunges UID 2; the proxy's backend connection has not heard yet.
            direct.ok("d", "UID STORE 2 +FLAGS (\\Deleted)");
            direct.ok("e", "EXPUNGE");

            // The first CONDSTORE enabling command lists the mailbox (RFC 7162 3.1): the backend lists UID 2, then says
            // "* 2 EXPUNGE" before its tagged OK; the client, which does not use QRESYNC, gets that EXPUNGE.
            List<String> first = c.command("f", "FETCH 1:* (UID FLAGS) (CHANGEDSINCE 1)");
            assertThat(ImapLines.tagged(first)).startsWith("f OK");
            assertThat(first).contains("* 2 EXPUNGE");

            // Someone changes UID 4 (sequence number 3 now) through the proxy.
            try (RawImap w = proxy.connect().login("alice", "pw")) {
                w.ok("s", "SELECT INBOX");
                w.ok("w", "UID STORE 4 +FLAGS (\\Flagged)");
            }
            long since = first.stream()
                    .map(ImapLines::fetch)
                    .flatMap(Optional::stream)
                    .mapToLong(ImapLines.Fetch::modSeq)
                    .max()
                    .orElseThrow();
            List<String> changed = c.command("g", "FETCH 1:* (UID FLAGS) (CHANGEDSINCE " + since + ")");
            assertThat(ImapLines.tagged(changed)).startsWith("g OK");
            List<ImapLines.Fetch> rows = changed.stream()
                    .map(ImapLines::fetch)
                    .flatMap(Optional::stream)
                    .toList();
            assertThat(rows).as("what changed since %d: %s", since, changed).isNotEmpty();
            assertThat(rows).allSatisfy(f -> {
                assertThat(f.uid()).isEqualTo(4);
                assertThat(f.seq()).isEqualTo(3);
            });
        }
    }
}
