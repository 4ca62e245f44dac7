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

/**
 * Deterministic reproduction of bug 1 of the wt-multi report, the cause of most NOMODSEQ answers under concurrent
 * writers. While the proxy lists a mailbox ({@code UID FETCH 1:* (FLAGS)}), the backend may add unsolicited FETCH
 * responses for changes made by other sessions, and during a UID command they carry the UID (RFC 3501 7.4.2; GreenMail
 * does this). MailboxSync.collect() takes every FETCH with a UID as a listing row, so the same UID appears twice,
 * {@code new Listing(...)} throws "listing uids must be strictly ascending", and the mailbox loses its
 * mod-sequences (NOMODSEQ on SELECT, BAD for CONDSTORE commands).
 *
 * <p>Here the pending notification is made deterministic: the client selects without CONDSTORE, another session
 * changes a flag directly on the backend, then the client's first CONDSTORE command makes the proxy list the mailbox
 * in the same backend session (RFC 7162 3.1: a CONDSTORE enabling command).
 */
class ListingWithUnsolicitedFetchTest {
    GreenMailBackend backend;
    ProxyFixture proxy;

    @BeforeEach
    void start() {
        backend = new GreenMailBackend();
        backend.userWithMessages("alice", "pw", 5);
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void aFlagChangeNotifiedDuringTheListingDoesNotCostTheMailboxItsModSeqs() {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("s", "SELECT INBOX");
            try (RawImap other = RawImap.connect("127.0.0.1", backend.port())) {
                other.login("alice", "pw");
                other.ok("a", "SELECT INBOX");
                other.ok("b", "UID STORE 3 +FLAGS (\\Flagged)");
                other.ok("c", "LOGOUT");
            }
            List<String> f = c.command("f", "UID FETCH 1:* (FLAGS MODSEQ)");
            assertThat(ImapLines.tagged(f)).as("%s", f).startsWith("f OK");
            assertThat(f.stream().filter(l -> l.contains(" FETCH (")))
                    .hasSizeGreaterThanOrEqualTo(5)
                    .allMatch(l -> l.contains("MODSEQ ("));
            assertThat(f).anyMatch(l -> l.contains("UID 3") && l.contains("\\Flagged"));
        }
    }

    /** The same flag change with nothing pending in the backend session: works (control). */
    @Test
    void withoutAPendingNotificationTheListingWorks() {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            try (RawImap other = RawImap.connect("127.0.0.1", backend.port())) {
                other.login("alice", "pw");
                other.ok("a", "SELECT INBOX");
                other.ok("b", "UID STORE 3 +FLAGS (\\Flagged)");
                other.ok("c", "LOGOUT");
            }
            c.ok("s", "SELECT INBOX");
            List<String> f = c.command("f", "UID FETCH 1:* (FLAGS MODSEQ)");
            assertThat(ImapLines.tagged(f)).startsWith("f OK");
            assertThat(f.stream().filter(l -> l.contains(" FETCH (")))
                    .hasSize(5)
                    .allMatch(l -> l.contains("MODSEQ ("));
        }
    }
}
