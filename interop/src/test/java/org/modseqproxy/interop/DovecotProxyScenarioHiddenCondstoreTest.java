package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Dovecot with CONDSTORE/QRESYNC hidden from its capabilities: the proxy must synthesize and never use the
 * backend's hidden mod-sequences.
 */
class DovecotProxyScenarioHiddenCondstoreTest extends DovecotProxyScenarioTest {

    @Override
    DovecotServer.Mode mode() {
        return DovecotServer.Mode.HIDDEN_CONDSTORE;
    }

    /**
     * Found by the CPM client simulation: once a mailbox has tracked mod-sequences (someone used CONDSTORE directly,
     * as imaptest's stress does), Dovecot answers every SELECT with its own [HIGHESTMODSEQ n], capabilities hidden or
     * not. Through the proxy the client must hear exactly one HIGHESTMODSEQ, the proxy's (RFC 7162 3.1.2.1), and a
     * QRESYNC from it must be as small as the change.
     */
    @Test
    void theBackendsOwnHighestModSeqNeverReachesTheClient() throws Exception {
        deliver("tracked", 4);
        try (RawImapClient direct = backend.login("tracked")) {
            assertThat(direct.command("SELECT INBOX (CONDSTORE)").untagged())
                    .anyMatch(l -> l.startsWith("* OK [HIGHESTMODSEQ "));
        }
        try (RawImapClient plainDirect = backend.login("tracked")) {
            // the quirk itself: no CONDSTORE asked for, still a HIGHESTMODSEQ
            assertThat(plainDirect.command("SELECT INBOX").untagged())
                    .anyMatch(l -> l.startsWith("* OK [HIGHESTMODSEQ "));
        }
        long uidValidity;
        long highest;
        try (RawImapClient c = client("tracked")) {
            assertThat(c.command("ENABLE QRESYNC").isOk()).isTrue();
            ImapReply select = c.command("SELECT INBOX");
            assertThat(select.untagged())
                    .filteredOn(l -> l.contains("HIGHESTMODSEQ"))
                    .hasSize(1);
            uidValidity = ImapData.requireCode(select, "UIDVALIDITY");
            highest = ImapData.requireCode(select, "HIGHESTMODSEQ");
            assertThat(c.command("STORE 2 +FLAGS (\\Flagged)").isOk()).isTrue();
        }
        try (RawImapClient plain = client("tracked")) {
            assertThat(plain.command("SELECT INBOX").untagged()).noneMatch(l -> l.contains("HIGHESTMODSEQ"));
        }
        try (RawImapClient c = client("tracked")) {
            assertThat(c.command("ENABLE QRESYNC").isOk()).isTrue();
            ImapReply resync = c.command("SELECT INBOX (QRESYNC (" + uidValidity + " " + highest + "))");
            assertThat(resync.untagged())
                    .filteredOn(l -> l.contains("HIGHESTMODSEQ"))
                    .hasSize(1);
            assertThat(resync.untagged())
                    .filteredOn(l -> l.contains(" FETCH "))
                    .singleElement()
                    .asString()
                    .contains("\\Flagged");
            assertThat(resync.untagged()).noneMatch(l -> l.startsWith("* VANISHED"));
        }
    }

    /**
     * RFC 7162 3.1.10 (its example): an extended SEARCH with a MODSEQ criterion gets the MODSEQ result option. Dovecot
     * has ESEARCH (RFC 4731), GreenMail does not, so the example is replayed here.
     */
    @Test
    void extendedSearchWithModSeqReturnsTheModSeqResultOption() throws Exception {
        deliver("esearch", 3);
        try (RawImapClient client = client("esearch")) {
            long highest = ImapData.requireCode(client.command("SELECT INBOX (CONDSTORE)"), "HIGHESTMODSEQ");
            ImapReply store = client.command("STORE 2 +FLAGS (\\Flagged)");
            String fetch = store.untagged().get(0);
            long modSeq = Long.parseLong(fetch.replaceAll(".*MODSEQ \\((\\d+)\\).*", "$1"));
            assertThat(modSeq).isGreaterThan(highest);
            ImapReply search = client.command("SEARCH RETURN (ALL) MODSEQ " + (highest + 1));
            assertThat(search.isOk()).isTrue();
            assertThat(search.untagged())
                    .anyMatch(l -> l.matches("\\* ESEARCH \\(TAG \"[^\"]+\"\\) ALL 2 MODSEQ " + modSeq));
            ImapReply none = client.command("SEARCH RETURN (ALL) MODSEQ " + (modSeq + 1));
            assertThat(none.untagged()).noneMatch(l -> l.contains("MODSEQ"));
        }
    }

    /**
     * RFC 5267 4.1 and 4.3 (imaptest's search-context-update groups): the backend keeps a search's result up to date
     * long after the command ended, naming the tag it was sent under, which is the proxy's; the client must read its
     * own, in updates caused by its own commands and by other sessions alike, and CANCELUPDATE names the client's.
     */
    @Test
    void searchUpdatesNameTheClientsTagUntilCancelled() throws Exception {
        deliver("contexts", 3);
        try (RawImapClient c = client("contexts");
                RawImapClient other = client("contexts")) {
            c.command("SELECT INBOX");
            other.command("SELECT INBOX");
            ImapReply search = c.command("SEARCH RETURN (UPDATE) SEEN");
            String mine = "* ESEARCH (TAG \"" + search.tag() + "\")";
            assertThat(search.untagged()).containsExactly(mine);

            assertThat(c.command("STORE 1 +FLAGS.SILENT (\\Seen)").untagged()).containsExactly(mine + " ADDTO (0 1)");
            other.command("STORE 3 +FLAGS.SILENT (\\Seen)");
            assertThat(c.command("NOOP").untagged()).contains(mine + " ADDTO (0 3)");

            ImapReply cancel = c.command("CANCELUPDATE \"" + search.tag() + "\"");
            assertThat(cancel.tagged()).startsWith(cancel.tag() + " OK");
            assertThat(c.command("STORE 2 +FLAGS.SILENT (\\Seen)").untagged()).isEmpty();

            // The proxy turns MODSEQ into a fixed UID set: updates of such a search would be wrong, so it says so.
            ImapReply modseq = c.command("SEARCH RETURN (UPDATE) MODSEQ 1");
            assertThat(modseq.tagged())
                    .isEqualTo(modseq.tag() + " NO [NOUPDATE \"" + modseq.tag() + "\"] UPDATE cannot be combined with"
                            + " MODSEQ here");
        }
    }
}
