package org.modseqproxy.proxy.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.modseqproxy.proxy.testing.GreenMailBackend;
import org.modseqproxy.proxy.testing.ImapLines;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.proxy.testing.RawImap;

/**
 * RFC 7162 MUSTs that independent checks (imaptest, native Dovecot) found broken through the proxy, each pinned by a
 * scripted session through a real socket against GreenMail. Every test works as its own user.
 */
class Rfc7162MustTest {
    static GreenMailBackend backend;
    static ProxyFixture proxy;

    @BeforeAll
    static void start() {
        backend = GreenMailBackend.withNoDelay();
        for (String u : List.of("first", "closed", "uid", "known", "long", "expunge", "star", "noop", "recent")) {
            backend.userWithMessages(u, "pw", 5);
        }
        proxy = ProxyFixture.start("127.0.0.1", backend.port());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        backend.close();
    }

    /** RFC 7162 3.1: the first CONDSTORE enabling command with a mailbox selected returns HIGHESTMODSEQ (Example 4). */
    @Test
    void firstCondstoreEnablingCommandReturnsHighestModSeq() {
        try (RawImap c = proxy.connect().login("first", "pw")) {
            assertThat(c.command("a", "SELECT INBOX")).noneMatch(l -> l.contains("HIGHESTMODSEQ"));
            List<String> first = c.command("b", "FETCH 1 (MODSEQ)");
            assertThat(first.get(0)).startsWith("* OK [HIGHESTMODSEQ ");
            long highest = ImapLines.highestModSeq(first);
            assertThat(highest).isPositive();
            assertThat(ImapLines.fetchModSeq(first)).isBetween(1L, highest);
            assertThat(ImapLines.tagged(first)).startsWith("b OK");
            // only the first one
            assertThat(c.command("c", "FETCH 2 (MODSEQ)")).noneMatch(l -> l.contains("HIGHESTMODSEQ"));
        }
    }

    /** RFC 7162 3.2.11: CLOSED on every SELECT that closes a mailbox, whether or not CONDSTORE was enabled. */
    @Test
    void reselectSaysClosedWithoutAnyEnablingCommand() {
        try (RawImap c = proxy.connect().login("closed", "pw")) {
            assertThat(c.command("a", "SELECT INBOX")).noneMatch(l -> l.contains("[CLOSED]"));
            List<String> again = c.command("b", "EXAMINE INBOX");
            assertThat(again).filteredOn(l -> l.startsWith("* OK [CLOSED]")).hasSize(1);
            assertThat(again.indexOf(again.stream()
                            .filter(l -> l.startsWith("* OK [CLOSED]"))
                            .findFirst()
                            .orElseThrow()))
                    .isLessThan(again.indexOf("* 5 EXISTS"));
        }
    }

    /** RFC 7162 3.2.4: after ENABLE QRESYNC, STORE's FETCH answers carry UID, also the .SILENT ones (MODSEQ only). */
    @Test
    void storeAnswersCarryUidAfterEnableQresync() {
        try (RawImap c = proxy.connect().login("uid", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            c.ok("s", "SELECT INBOX");
            List<String> store = c.command("a", "STORE 2 +FLAGS (\\Seen)");
            assertThat(store)
                    .filteredOn(l -> l.startsWith("* 2 FETCH"))
                    .singleElement()
                    .satisfies(l ->
                            assertThat(l).contains("UID 2").contains("MODSEQ (").contains("\\Seen"));
            List<String> silent = c.command("b", "STORE 3 +FLAGS.SILENT (\\Flagged)");
            assertThat(silent)
                    .filteredOn(l -> l.startsWith("* 3 FETCH"))
                    .singleElement()
                    .satisfies(l -> assertThat(l).matches("\\* 3 FETCH \\(UID 3 MODSEQ \\(\\d+\\)\\)"));
            // a plain FETCH of flags, too (native Dovecot adds UID to every FETCH once QRESYNC is on)
            assertThat(c.command("f", "FETCH 4 (FLAGS)"))
                    .filteredOn(l -> l.startsWith("* 4 FETCH"))
                    .singleElement()
                    .satisfies(l -> assertThat(l).contains("UID 4"));
        }
    }

    /** RFC 7162 3.2.5.2: with known-uids the SELECT reports changes only for the messages the client named. */
    @Test
    void qresyncSelectReportsOnlyKnownUids() {
        long uidValidity;
        long highest;
        try (RawImap c = proxy.connect().login("known", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            List<String> sel = c.command("s", "SELECT INBOX (CONDSTORE)");
            uidValidity = ImapLines.uidValidity(sel);
            highest = ImapLines.highestModSeq(sel);
            c.ok("a", "STORE 1,3,5 +FLAGS (\\Answered)");
        }
        try (RawImap c = proxy.connect().login("known", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            List<String> sel = c.command("s", "SELECT INBOX (QRESYNC (" + uidValidity + " " + highest + " 1:2))");
            assertThat(sel)
                    .filteredOn(l -> l.contains(" FETCH "))
                    .singleElement()
                    .satisfies(l -> assertThat(l).contains("UID 1 "));
            List<String> all = c.command("t", "EXAMINE INBOX (QRESYNC (" + uidValidity + " " + highest + "))");
            assertThat(all).filteredOn(l -> l.contains(" FETCH ")).hasSize(3);
        }
    }

    /** RFC 7162 section 4: at least 8192 octets, more recommended; a too-long line is a tagged BAD, the session goes on. */
    @Test
    void longLegalLinesPassAndTooLongOnesGetATaggedBad() {
        try (RawImap c = proxy.connect()) {
            c.greeting();
            String big = "x".repeat(30_000);
            List<String> id = c.command("a", "ID (\"name\" \"" + big + "\")");
            assertThat(ImapLines.tagged(id)).startsWith("a OK");
            List<String> tooLong = c.command("b", "NOOP " + "y".repeat(70_000));
            assertThat(ImapLines.tagged(tooLong)).startsWith("b BAD");
            assertThat(c.command("c", "NOOP")).containsExactly("c OK NOOP completed");
            c.ok("d", "LOGIN long pw");
            StringBuilder set = new StringBuilder("1");
            while (set.length() < 20_000) {
                set.append(",1");
            }
            c.ok("s", "SELECT INBOX");
            List<String> fetch = c.command("f", "UID FETCH " + set + " (FLAGS)");
            assertThat(ImapLines.tagged(fetch)).startsWith("f OK");
        }
    }

    /** One UID EXPUNGE of two messages is one "* VANISHED 2:3" (RFC 7162 3.2.10; native servers send one line). */
    @Test
    void uidExpungeOfARangeIsOneVanishedLine() {
        try (RawImap c = proxy.connect().login("expunge", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            c.ok("s", "SELECT INBOX (CONDSTORE)");
            c.ok("a", "UID STORE 2:3 +FLAGS.SILENT (\\Deleted)");
            List<String> expunge = c.command("b", "UID EXPUNGE 2:3");
            assertThat(expunge).hasSize(2).first().isEqualTo("* VANISHED 2:3");
            // RFC 7162 3.2.7: with QRESYNC, the tagged OK of an expunging command carries the new HIGHESTMODSEQ
            assertThat(ImapLines.tagged(expunge)).startsWith("b OK [HIGHESTMODSEQ ");
            long after = ImapLines.highestModSeq(expunge);
            c.ok("c", "STORE 1 +FLAGS.SILENT (\\Deleted)");
            List<String> plain = c.command("d", "EXPUNGE");
            assertThat(plain).first().isEqualTo("* VANISHED 1");
            assertThat(ImapLines.highestModSeq(plain)).isGreaterThan(after);
            // nothing expunged: no HIGHESTMODSEQ needed
            assertThat(ImapLines.tagged(c.command("f", "EXPUNGE"))).doesNotContain("HIGHESTMODSEQ");
        }
    }

    /**
     * With QRESYNC the proxy announces a new message with its own EXISTS once it knows the UID (RFC 7162 3.2.10), so
     * the backend's RECENT must wait for it too: a RECENT above the count the client heard names messages it does not
     * have (RFC 9051 7.3.2; imaptest stress: "seq too high (1 > 0): * 1 RECENT" in exclusive and listingReuse modes).
     */
    @Test
    void recentNeverCountsMoreMessagesThanTheClientWasTold() {
        try (ProxyFixture exclusive = ProxyFixture.start(
                        "127.0.0.1", backend.port(), "memory", cfg -> cfg.set("state.mode", "exclusive"));
                RawImap c = exclusive.connect().login("recent", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            c.ok("c", "CREATE Empty");
            assertThat(c.command("s", "SELECT Empty (CONDSTORE)")).contains("* 0 EXISTS");
            List<String> append = c.append("a", "Empty", "()", "Subject: new\r\n\r\nnew\r\n");
            assertThat(append).as("the new message is announced").contains("* 1 EXISTS");
            long told = 0;
            for (String line : append) {
                String[] w = line.split(" ");
                if (w.length == 3 && w[0].equals("*") && w[2].equals("EXISTS")) {
                    told = Long.parseLong(w[1]);
                } else if (w.length == 3 && w[0].equals("*") && w[2].equals("RECENT")) {
                    assertThat(Long.parseLong(w[1]))
                            .as(String.join(" | ", append))
                            .isLessThanOrEqualTo(told);
                }
            }
        }
    }

    /** RFC 7162 3.2.6: "1:*" with VANISHED covers an expunged message that had the highest UID. */
    @Test
    void changedSinceVanishedWithStarReportsTheExpungedHighestUid() {
        try (RawImap c = proxy.connect().login("star", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            long highest = ImapLines.highestModSeq(c.command("s", "SELECT INBOX (CONDSTORE)"));
            c.ok("a", "UID STORE 5 +FLAGS.SILENT (\\Deleted)");
            c.ok("b", "UID EXPUNGE 5");
            List<String> fetch = c.command("f", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + highest + " VANISHED)");
            assertThat(fetch).contains("* VANISHED (EARLIER) 5");
            // nothing else changed after `highest`: no FETCH lines (RFC 7162 3.1.4.1)
            assertThat(fetch).noneMatch(l -> l.startsWith("* ") && l.contains(" FETCH ("));
        }
    }

    /**
     * RFC 7162 3.1: setting a flag that is already set SHOULD NOT change the mod-sequence (native Dovecot keeps it), so
     * CHANGEDSINCE answers exactly what changed (issue 9, defect 7).
     */
    @Test
    void aStoreThatChangesNothingKeepsTheModSeq() {
        try (RawImap c = proxy.connect().login("noop", "pw")) {
            c.ok("e", "ENABLE QRESYNC");
            c.ok("s", "SELECT INBOX (CONDSTORE)");
            long set = ImapLines.fetchModSeq(c.command("a", "UID STORE 2 +FLAGS (\\Seen)"));
            long again = ImapLines.fetchModSeq(c.command("b", "UID STORE 2 +FLAGS (\\Seen)"));
            assertThat(again).isEqualTo(set);
            long cleared = ImapLines.fetchModSeq(c.command("c", "UID STORE 3 -FLAGS (\\Seen)"));
            assertThat(cleared).isLessThanOrEqualTo(set);
            List<String> changed = c.command("f", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + set + ")");
            assertThat(changed).noneMatch(l -> l.startsWith("* ") && l.contains(" FETCH ("));
            List<String> sinceBefore = c.command("g", "UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + (set - 1) + ")");
            assertThat(sinceBefore)
                    .filteredOn(l -> l.startsWith("* ") && l.contains(" FETCH ("))
                    .singleElement()
                    .satisfies(l -> assertThat(l).containsPattern("UID 2[ )]"));
        }
    }
}
