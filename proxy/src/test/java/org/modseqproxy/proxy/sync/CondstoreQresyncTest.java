package org.modseqproxy.proxy.sync;

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
 * RFC 7162 sections 3.1 and 3.2 replayed as scripted sessions through the proxy in front of GreenMail (which has no
 * CONDSTORE). Mod-sequence values are compared by order and equality, never by literal number.
 */
class CondstoreQresyncTest {
    GreenMailBackend backend;
    ProxyFixture proxy;
    com.icegreen.greenmail.user.GreenMailUser alice;

    @BeforeEach
    void start() {
        backend = new GreenMailBackend();
        alice = backend.userWithMessages("alice", "pw", 6);
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterEach
    void stop() {
        proxy.close();
        backend.close();
    }

    @Test
    void selectCondstoreGivesHighestModSeqAndFetchModSeq() {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            List<String> sel = c.command("a", "SELECT INBOX (CONDSTORE)");
            assertThat(ImapLines.tagged(sel)).startsWith("a OK");
            long hms = ImapLines.highestModSeq(sel);
            assertThat(hms).isPositive().isLessThan(1L << 53);
            List<String> f = c.command("b", "FETCH 1:* (FLAGS MODSEQ)");
            assertThat(f).hasSize(7);
            for (String l : f.subList(0, 6)) {
                assertThat(l).contains("FLAGS").containsPattern("MODSEQ \\(\\d+\\)");
                assertThat(ImapLines.fetch(l).orElseThrow().modSeq()).isLessThanOrEqualTo(hms);
            }
            // RFC 7162 3.1.4.2 Example 13: MODSEQ alone
            List<String> only = c.command("c", "FETCH 2 (MODSEQ)");
            assertThat(only.get(0)).matches("\\* 2 FETCH \\(MODSEQ \\(\\d+\\).*");
        }
    }

    @Test
    void storeBumpsModSeqAndChangedSinceReturnsOnlyChanges() {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            long hms = ImapLines.highestModSeq(c.command("a", "SELECT INBOX (CONDSTORE)"));
            List<String> st = c.command("b", "STORE 2 +FLAGS (\\Flagged)");
            assertThat(st.get(0)).startsWith("* 2 FETCH").contains("\\Flagged");
            long m2 = ImapLines.fetchModSeq(st);
            assertThat(m2).isGreaterThan(hms);
            // RFC 7162 3.1.4.1: CHANGEDSINCE
            List<String> changed = c.command("c", "FETCH 1:* (UID FLAGS) (CHANGEDSINCE " + hms + ")");
            assertThat(changed).hasSize(2);
            assertThat(changed.get(0)).startsWith("* 2 FETCH").contains("MODSEQ (" + m2 + ")");
            // CHANGEDSINCE 0 means everything (clients in the field send it)
            assertThat(c.command("d", "FETCH 1:* (FLAGS) (CHANGEDSINCE 0)")).hasSize(7);
            // .SILENT still reports the new mod-sequence (RFC 7162 3.1.3 Example 3)
            List<String> silent = c.command("e", "UID STORE 1:3 +FLAGS.SILENT (\\Deleted)");
            assertThat(ImapLines.tagged(silent)).startsWith("e OK");
            assertThat(silent.subList(0, silent.size() - 1))
                    .hasSize(3)
                    .allMatch(l -> l.matches("\\* \\d FETCH \\(UID \\d+ MODSEQ \\(\\d+\\)\\)"));
            assertThat(ImapLines.fetchModSeq(silent)).isGreaterThan(m2);
        }
    }

    @Test
    void unchangedSinceFailsForModifiedMessages() {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            long hms = ImapLines.highestModSeq(c.command("a", "SELECT INBOX (CONDSTORE)"));
            c.ok("b", "STORE 3 +FLAGS (\\Seen)");
            // message 3 changed after hms: a conditional store with hms fails for it only (RFC 7162 3.1.3, Example 6)
            List<String> r = c.command("c", "STORE 2:4 (UNCHANGEDSINCE " + hms + ") +FLAGS (\\Answered)");
            assertThat(ImapLines.tagged(r)).startsWith("c OK [MODIFIED 3]");
            assertThat(r.stream().filter(l -> l.startsWith("* ")).toList())
                    .hasSize(2)
                    .allMatch(l -> l.contains("\\Answered") && l.contains("MODSEQ"));
            List<String> u = c.command("d", "UID STORE 1:6 (UNCHANGEDSINCE 1) -FLAGS (\\Answered)");
            assertThat(ImapLines.tagged(u)).startsWith("d OK [MODIFIED 1:6]");
        }
    }

    @Test
    void searchModSeqInsideOrAndNot() {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            long hms = ImapLines.highestModSeq(c.command("a", "SELECT INBOX (CONDSTORE)"));
            List<String> st = c.command("b", "STORE 5 +FLAGS (\\Flagged)");
            long m5 = ImapLines.fetchModSeq(st);
            List<String> s1 = c.command("c", "SEARCH MODSEQ " + (hms + 1));
            assertThat(s1.get(0)).isEqualTo("* SEARCH 5 (MODSEQ " + m5 + ")");
            List<String> s2 = c.command("d", "SEARCH OR NOT MODSEQ " + (hms + 1) + " SEEN");
            assertThat(s2.get(0)).startsWith("* SEARCH 1 2 3 4 6").contains("(MODSEQ ");
            List<String> s3 = c.command("e", "UID SEARCH MODSEQ \"/flags/\\\\draft\" all " + (m5 + 1));
            assertThat(s3.get(0)).isEqualTo("* SEARCH");
        }
    }

    @Test
    void statusHighestModSeq() {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            List<String> st = c.command("a", "STATUS INBOX (MESSAGES HIGHESTMODSEQ)");
            assertThat(st.get(0)).matches("\\* STATUS INBOX \\(MESSAGES 6 HIGHESTMODSEQ \\d+\\)");
            long h1 = Long.parseLong(st.get(0).replaceAll(".*HIGHESTMODSEQ (\\d+)\\)", "$1"));
            long hSel = ImapLines.highestModSeq(c.command("b", "SELECT INBOX (CONDSTORE)"));
            assertThat(hSel).isGreaterThanOrEqualTo(h1);
            c.ok("c", "STORE 1 +FLAGS (\\Seen)");
            c.ok("d", "CLOSE"); // GreenMail has no UNSELECT
            List<String> st2 = c.command("e", "STATUS INBOX (HIGHESTMODSEQ)");
            long h2 = Long.parseLong(st2.get(0).replaceAll(".*HIGHESTMODSEQ (\\d+)\\)", "$1"));
            assertThat(h2).isGreaterThan(hSel);
        }
    }

    @Test
    void qresyncResyncAfterChangesFromOtherSessionAndBackend() throws Exception {
        long uidValidity;
        long hms;
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            assertThat(c.command("e", "ENABLE QRESYNC").get(0)).isEqualTo("* ENABLED QRESYNC");
            List<String> sel = c.command("a", "SELECT INBOX (QRESYNC (1 1))");
            uidValidity = ImapLines.uidValidity(sel);
            hms = ImapLines.highestModSeq(sel);
            c.ok("z", "LOGOUT");
        }
        // another session through the proxy: flag 2, expunge 4
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("a", "SELECT INBOX");
            c.ok("b", "STORE 2 +FLAGS (\\Flagged)");
            c.ok("c", "STORE 4 +FLAGS (\\Deleted)");
            c.ok("d", "EXPUNGE");
            c.ok("e", "LOGOUT");
        }
        // directly on the backend, bypassing the proxy: a new message and a flag change on message 1
        backend.deliver(alice, "m7", "body 7");
        try (RawImap direct = RawImap.connect("127.0.0.1", backend.port())) {
            direct.login("alice", "pw");
            direct.ok("a", "SELECT INBOX");
            direct.ok("b", "STORE 1 +FLAGS (\\Answered)");
            direct.ok("c", "LOGOUT");
        }
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            List<String> sel = c.command("a", "SELECT INBOX (QRESYNC (" + uidValidity + " " + hms + " 1:6))");
            assertThat(ImapLines.tagged(sel)).startsWith("a OK");
            long hms2 = ImapLines.highestModSeq(sel);
            assertThat(hms2).isGreaterThan(hms);
            assertThat(sel).contains("* VANISHED (EARLIER) 4");
            assertThat(sel)
                    .anyMatch(l -> l.matches("\\* 1 FETCH \\(UID 1 FLAGS \\(.*\\\\Answered.*\\) MODSEQ \\(\\d+\\)\\)"));
            assertThat(sel)
                    .anyMatch(l -> l.matches("\\* 2 FETCH \\(UID 2 FLAGS \\(.*\\\\Flagged.*\\) MODSEQ \\(\\d+\\)\\)"));
            // RFC 7162 3.2.5.1: with known-uids 1:6 only those are reported; the new message (UID 7) shows as EXISTS
            assertThat(sel).noneMatch(l -> l.contains("UID 7 ")).contains("* 6 EXISTS");
            assertThat(sel.stream().filter(l -> l.contains("FETCH"))).hasSize(2);
            int vanishedAt = sel.indexOf("* VANISHED (EARLIER) 4");
            assertThat(vanishedAt).isLessThan(sel.size() - 1);
            // RFC 7162 3.2.11: selecting again reports [CLOSED] first
            List<String> again = c.command("b", "SELECT INBOX (QRESYNC (" + uidValidity + " " + hms2 + "))");
            assertThat(again.get(0)).startsWith("* OK [CLOSED]");
            assertThat(again.stream().filter(l -> l.contains("FETCH") || l.contains("VANISHED")))
                    .isEmpty();
            // expunge now reports VANISHED, not EXPUNGE (RFC 7162 3.2.10)
            c.ok("c", "STORE 1 +FLAGS (\\Deleted)");
            List<String> ex = c.command("d", "EXPUNGE");
            assertThat(ex).contains("* VANISHED 1").noneMatch(l -> l.endsWith("EXPUNGE"));
            // UID FETCH ... (CHANGEDSINCE ... VANISHED) (RFC 7162 3.2.6)
            List<String> uf = c.command("f", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + hms + " VANISHED)");
            assertThat(uf.get(0)).isEqualTo("* VANISHED (EARLIER) 1,4");
        }
    }

    @Test
    void exclusiveModeSeesDeliveriesAndProxiedChangesWithoutFullListing() {
        try (ProxyFixture ex =
                ProxyFixture.start("127.0.0.1", backend.port(), "memory", l -> l.set("state.mode", "exclusive"))) {
            long uv;
            long hms;
            try (RawImap c = ex.connect().login("alice", "pw")) {
                c.ok("e", "ENABLE QRESYNC");
                List<String> sel = c.command("a", "SELECT INBOX (CONDSTORE)");
                uv = ImapLines.uidValidity(sel);
                hms = ImapLines.highestModSeq(sel);
                c.ok("b", "STORE 3 +FLAGS (\\Seen)");
                c.ok("z", "LOGOUT");
            }
            backend.deliver(alice, "m7", "body 7");
            // A flag change that bypasses the proxies: exclusive mode trusts that none happen and does not list, so it
            // must NOT show up (that is the documented price of O(changes) selects); shared mode would report it.
            try (RawImap direct = RawImap.connect("127.0.0.1", backend.port())) {
                direct.login("alice", "pw");
                direct.ok("a", "SELECT INBOX");
                direct.ok("b", "STORE 1 +FLAGS (\\Answered)");
            }
            try (RawImap c = ex.connect().login("alice", "pw")) {
                c.ok("e", "ENABLE QRESYNC");
                List<String> sel = c.command("a", "SELECT INBOX (QRESYNC (" + uv + " " + hms + "))");
                assertThat(sel).anyMatch(l -> l.matches("\\* 3 FETCH \\(UID 3 FLAGS \\(.*\\\\Seen.*"));
                assertThat(sel).anyMatch(l -> l.matches("\\* 7 FETCH \\(UID 7 .*"));
                assertThat(sel.stream().filter(l -> l.contains("FETCH"))).hasSize(2);
                assertThat(ImapLines.highestModSeq(sel)).isGreaterThan(hms);
            }
        }
    }

    @Test
    void qresyncWithoutEnableIsBad() {
        try (RawImap c = proxy.connect().login("alice", "pw")) {
            assertThat(ImapLines.tagged(c.command("a", "SELECT INBOX (QRESYNC (1 1))")))
                    .startsWith("a BAD");
        }
    }

    @Test
    void stateOffAnswersNoModSeq() {
        try (ProxyFixture off = ProxyFixture.start("127.0.0.1", backend.port(), "off", l -> {});
                RawImap c = off.connect().login("alice", "pw")) {
            List<String> caps = c.command("x", "CAPABILITY");
            assertThat(caps.get(0)).contains("CONDSTORE", "QRESYNC");
            List<String> sel = c.command("a", "SELECT INBOX (CONDSTORE)");
            assertThat(sel).anyMatch(l -> l.startsWith("* OK [NOMODSEQ]"));
            assertThat(ImapLines.tagged(c.command("b", "FETCH 1 (FLAGS MODSEQ)")))
                    .startsWith("b BAD");
            assertThat(ImapLines.tagged(c.command("c", "FETCH 1:* (FLAGS) (CHANGEDSINCE 1)")))
                    .startsWith("c BAD");
            assertThat(ImapLines.tagged(c.command("d", "STORE 1 (UNCHANGEDSINCE 5) +FLAGS (\\Seen)")))
                    .startsWith("d BAD");
            assertThat(ImapLines.tagged(c.command("e", "SEARCH MODSEQ 5"))).startsWith("e BAD");
            assertThat(c.command("f", "FETCH 1 (FLAGS)").get(0)).startsWith("* 1 FETCH (FLAGS");
            assertThat(c.command("g", "STATUS INBOX (HIGHESTMODSEQ)").get(0))
                    .isEqualTo("* STATUS INBOX (HIGHESTMODSEQ 0)");
        }
    }
}
