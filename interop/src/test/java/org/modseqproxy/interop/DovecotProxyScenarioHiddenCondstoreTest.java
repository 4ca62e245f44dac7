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
