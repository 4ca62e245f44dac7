package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Dovecot with CONDSTORE/QRESYNC removed from imap_capability. Hidden is not disabled: a client that
 * uses the extensions anyway gets real mod-sequences, so a proxy must never pass them through.
 */
class DovecotHiddenCondstoreTest extends DovecotContractTest {

    static final String HIDDEN = STOCK_CAPABILITIES.replace(" CONDSTORE QRESYNC", "");

    @Override
    DovecotServer.Mode mode() {
        return DovecotServer.Mode.HIDDEN_CONDSTORE;
    }

    /** With imap_capability set, imap-login shows the whole post-login list before LOGIN too. */
    @Override
    String preLoginCapabilities() {
        return HIDDEN + " AUTH=PLAIN AUTH=LOGIN";
    }

    @Override
    String postLoginCapabilities() {
        return HIDDEN;
    }

    @Override
    Optional<String> plainSelectModseqLine() {
        return Optional.empty();
    }

    @Test
    void advertisesNeitherCondstoreNorQresync() {
        assertThat(HIDDEN.split(" ")).doesNotContain("CONDSTORE", "QRESYNC").contains("MOVE", "LITERAL+", "UIDPLUS");
    }

    @Test
    void condstoreStillWorksForClientsThatUseItUnasked() throws Exception {
        dovecot.deliver("bob", "Hidden", TestMessages.message("one"));
        try (RawImapClient client = dovecot.login("bob")) {
            ImapReply select = client.command("SELECT Hidden (CONDSTORE)");
            assertThat(select.untagged()).contains("* OK [HIGHESTMODSEQ 2] Highest");
            assertThat(client.command("FETCH 1 (MODSEQ)").untagged()).containsExactly("* 1 FETCH (MODSEQ (2))");
            assertThat(client.command("STORE 1 +FLAGS (\\Seen)").untagged())
                    .containsExactly("* 1 FETCH (MODSEQ (3) FLAGS (\\Seen \\Recent))");
            ImapReply enable = client.command("ENABLE CONDSTORE QRESYNC");
            assertThat(enable.untagged()).containsExactly("* ENABLED CONDSTORE QRESYNC");
        }
    }
}
