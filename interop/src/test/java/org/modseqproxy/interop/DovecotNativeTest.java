package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Stock Dovecot with native CONDSTORE/QRESYNC: the reference the proxy's answers are compared with. */
class DovecotNativeTest extends DovecotContractTest {

    @Override
    DovecotServer.Mode mode() {
        return DovecotServer.Mode.NATIVE;
    }

    @Override
    String preLoginCapabilities() {
        return STOCK_PRE_LOGIN;
    }

    @Override
    String postLoginCapabilities() {
        return STOCK_CAPABILITIES;
    }

    /** RFC 7162 3.1.2.1: HIGHESTMODSEQ only "once a CONDSTORE enabling command is issued". */
    @Override
    Optional<String> plainSelectModseqLine() {
        return Optional.empty();
    }

    @Test
    void storeBumpsModseqByOneAndChangedSinceReturnsOnlyChanges() throws Exception {
        dovecot.deliver("bob", "Modseq", TestMessages.message("one"));
        dovecot.deliver("bob", "Modseq", TestMessages.message("two"));
        try (RawImapClient client = dovecot.login("bob")) {
            assertThat(client.command("ENABLE CONDSTORE").untagged()).containsExactly("* ENABLED CONDSTORE");
            ImapReply select = client.command("SELECT Modseq");
            String highest = select.single("OK [HIGHESTMODSEQ").replaceAll("\\D", "");
            long h = Long.parseLong(highest);
            assertThat(client.command("STORE 2 +FLAGS (\\Seen)").untagged())
                    .containsExactly("* 2 FETCH (MODSEQ (" + (h + 1) + ") FLAGS (\\Seen \\Recent))");
            assertThat(client.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + h + ")")
                            .untagged())
                    .containsExactly("* 2 FETCH (UID 2 FLAGS (\\Seen \\Recent) MODSEQ (" + (h + 1) + "))");
            ImapReply conditional = client.command("UID STORE 2 (UNCHANGEDSINCE " + h + ") +FLAGS (\\Flagged)");
            assertThat(conditional.tagged()).startsWith("a6 OK [MODIFIED 2] Conditional store failed");
        }
    }

    @Test
    void qresyncSelectReportsVanishedAndChangedMessages() throws Exception {
        for (int i = 1; i <= 3; i++) {
            dovecot.deliver("carol", "Resync", TestMessages.message("m" + i));
        }
        String uidValidity;
        long h;
        try (RawImapClient client = dovecot.login("carol")) {
            client.command("ENABLE QRESYNC");
            ImapReply select = client.command("SELECT Resync");
            uidValidity = select.single("OK [UIDVALIDITY").replaceAll("\\D", "");
            h = Long.parseLong(select.single("OK [HIGHESTMODSEQ").replaceAll("\\D", ""));
        }
        try (RawImapClient other = dovecot.login("carol")) {
            other.command("SELECT Resync");
            other.command("UID STORE 1 +FLAGS.SILENT (\\Flagged)");
            other.command("UID STORE 2 +FLAGS.SILENT (\\Deleted)");
            other.command("EXPUNGE");
        }
        try (RawImapClient client = dovecot.login("carol")) {
            client.command("ENABLE QRESYNC");
            ImapReply select = client.command("SELECT Resync (QRESYNC (" + uidValidity + " " + h + "))");
            assertThat(select.untagged())
                    .contains("* VANISHED (EARLIER) 2")
                    .anyMatch(line -> line.matches("\\* 1 FETCH \\(UID 1 FLAGS \\(\\\\Flagged\\) MODSEQ \\(\\d+\\)\\)"))
                    .noneMatch(line -> line.contains("UID 3"));
            assertThat(select.tagged()).startsWith("a3 OK [READ-WRITE] Select completed (");
        }
    }

    @Test
    void qresyncMustBeEnabledAndThenAddsUidToStoreEchoes() throws Exception {
        dovecot.deliver("alice", "Echo", TestMessages.message("one"));
        try (RawImapClient client = dovecot.login("alice")) {
            assertThat(client.command("SELECT Echo (QRESYNC (1 1))").tagged())
                    .startsWith("a2 BAD Error in IMAP command SELECT: QRESYNC not enabled (");
            client.command("ENABLE QRESYNC");
            ImapReply select = client.command("SELECT Echo");
            long h = Long.parseLong(select.single("OK [HIGHESTMODSEQ").replaceAll("\\D", ""));
            assertThat(client.command("STORE 1 +FLAGS (\\Seen)").untagged())
                    .containsExactly("* 1 FETCH (UID 1 MODSEQ (" + (h + 1) + ") FLAGS (\\Seen \\Recent))");
        }
    }

    @Test
    void wrongPasswordIsDelayedAndPenalisesTheNextLoginFromTheSameAddress() throws Exception {
        // Own server: the auth penalty (anvil, per IP) would slow down every other test's LOGIN.
        try (DovecotServer own = new DovecotServer(DovecotServer.Mode.NATIVE, MailUser.of("dave", "secret4")).start();
                RawImapClient client = own.connect()) {
            long started = System.nanoTime();
            assertThat(client.command("LOGIN dave wrong").tagged())
                    .isEqualTo("a1 NO [AUTHENTICATIONFAILED] Authentication failed.");
            assertThat(millisSince(started)).isBetween(1_000L, 4_000L);
            started = System.nanoTime();
            assertThat(client.command("LOGIN dave secret4").isOk()).isTrue();
            assertThat(millisSince(started)).isBetween(1_500L, 8_000L);
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
