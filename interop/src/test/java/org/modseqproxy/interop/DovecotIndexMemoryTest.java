package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Dovecot with mail_location ...:INDEX=MEMORY: CONDSTORE/QRESYNC advertised, but without index files
 * there are no permanent mod-sequences, so every SELECT says NOMODSEQ (RFC 7162 3.1.2.2).
 */
class DovecotIndexMemoryTest extends DovecotContractTest {

    static final String NOMODSEQ = "* OK [NOMODSEQ] No permanent modsequences";

    @Override
    DovecotServer.Mode mode() {
        return DovecotServer.Mode.INDEX_MEMORY;
    }

    @Override
    String preLoginCapabilities() {
        return STOCK_PRE_LOGIN;
    }

    @Override
    String postLoginCapabilities() {
        return STOCK_CAPABILITIES;
    }

    @Override
    Optional<String> plainSelectModseqLine() {
        return Optional.of(NOMODSEQ);
    }

    @Test
    void everySelectAndExamineSaysNomodseq() throws Exception {
        dovecot.deliver("bob", "NoModseq", TestMessages.message("one"));
        try (RawImapClient client = dovecot.login("bob")) {
            assertThat(client.command("SELECT NoModseq (CONDSTORE)").untagged())
                    .contains(NOMODSEQ)
                    .noneMatch(line -> line.contains("HIGHESTMODSEQ"));
            assertThat(client.command("EXAMINE NoModseq").untagged()).contains(NOMODSEQ);
            ImapReply enable = client.command("ENABLE QRESYNC");
            assertThat(enable.untagged()).containsExactly("* ENABLED QRESYNC");
            ImapReply select = client.command("SELECT NoModseq");
            String uidValidity = select.single("OK [UIDVALIDITY").replaceAll("\\D", "");
            assertThat(select.untagged()).contains(NOMODSEQ);
            assertThat(client.command("SELECT NoModseq (QRESYNC (" + uidValidity + " 1))")
                            .untagged())
                    .contains(NOMODSEQ)
                    .noneMatch(line -> line.startsWith("* VANISHED"));
        }
    }

    @Test
    void modseqFetchesAreBad() throws Exception {
        dovecot.deliver("bob", "Bad", TestMessages.message("one"));
        try (RawImapClient client = dovecot.login("bob")) {
            client.command("SELECT Bad");
            assertThat(client.command("FETCH 1 (MODSEQ)").tagged())
                    .startsWith("a3 BAD Error in IMAP command FETCH:"
                            + " FETCH MODSEQ can't be used with non-permanent modseqs (");
            assertThat(client.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)").tagged())
                    .startsWith("a4 BAD Error in"
                            + " IMAP command UID FETCH: FETCH CHANGEDSINCE can't be used with non-permanent modseqs (");
        }
    }

    @Test
    void storeOmitsModseqExceptSilentStoreWhichStillLeaksOne() throws Exception {
        dovecot.deliver("carol", "Leak", TestMessages.message("one"));
        try (RawImapClient client = dovecot.login("carol")) {
            client.command("ENABLE CONDSTORE");
            client.command("SELECT Leak");
            assertThat(client.command("STORE 1 +FLAGS (\\Flagged)").untagged())
                    .containsExactly("* 1 FETCH (FLAGS (\\Flagged \\Recent))");
            // A quirk: with CONDSTORE enabled, .SILENT gets a FETCH with a (meaningless) MODSEQ.
            ImapReply silent = client.command("STORE 1 +FLAGS.SILENT (\\Answered)");
            assertThat(silent.untagged()).hasSize(1);
            assertThat(silent.untagged().get(0)).matches("\\* 1 FETCH \\(MODSEQ \\(\\d+\\)\\)");
        }
    }

    @Test
    void uidsAndUidvalidityStayAcrossSessions() throws Exception {
        // dovecot-uidlist lives in the maildir, not in the (memory) index: UIDs are stable.
        dovecot.deliver("alice", "Stable", TestMessages.message("one"));
        dovecot.deliver("alice", "Stable", TestMessages.message("two"));
        String first;
        try (RawImapClient client = dovecot.login("alice")) {
            first = client.command("STATUS Stable (UIDVALIDITY UIDNEXT)")
                    .untagged()
                    .get(0);
            client.command("SELECT Stable");
            client.command("STORE 1 +FLAGS (\\Deleted)");
            client.command("EXPUNGE");
        }
        try (RawImapClient client = dovecot.login("alice")) {
            assertThat(client.command("STATUS Stable (UIDVALIDITY UIDNEXT)").untagged())
                    .containsExactly(first);
            client.command("SELECT Stable");
            assertThat(client.command("UID FETCH 1:* (UID)").untagged()).containsExactly("* 1 FETCH (UID 2)");
        }
    }
}
