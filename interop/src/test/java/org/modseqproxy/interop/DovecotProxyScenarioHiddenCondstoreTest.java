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
}
