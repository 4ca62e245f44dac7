package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Courier-IMAP as a legacy backend, talked to directly (no proxy): pins what the proxy must cope with.
 * Each test works in its own folder so the order of tests does not matter. See QUIRKS.md.
 */
@RequiresBackend(Backend.COURIER)
class CourierServerTest {

    /** Debian's IMAP_CAPABILITY plus what imapd appends itself (ACL, ENABLE, UTF8=ACCEPT). */
    static final String CAPABILITIES = "IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT"
            + " THREAD=REFERENCES SORT QUOTA IDLE ACL ACL2=UNION ENABLE UTF8=ACCEPT";

    static final String COMMAND_ERROR = "NO Error in IMAP command received by server.";

    static CourierServer courier;

    @BeforeAll
    static void start() throws Exception {
        courier = new CourierServer(
                        MailUser.of("alice", "secret1"), MailUser.of("bob", "secret2"), MailUser.of("carol", "secret3"))
                .start();
    }

    @AfterAll
    static void stop() {
        if (courier != null) {
            courier.stop();
        }
    }

    @Test
    void advertisesNoCondstoreQresyncMoveOrLiteralPlusBeforeOrAfterLogin() throws Exception {
        try (RawImapClient client = courier.connect()) {
            assertThat(client.greeting())
                    .isEqualTo("* OK [CAPABILITY " + CAPABILITIES + "] Courier-IMAP ready."
                            + " Copyright 1998-2019 Double Precision, Inc.  See COPYING for distribution information.");
            assertThat(client.command("CAPABILITY").untagged()).containsExactly("* CAPABILITY " + CAPABILITIES);

            ImapReply login = client.command("LOGIN alice secret1");
            // No CAPABILITY response code, and no "[ALERT] Filesystem notification ..." (gam_server found).
            assertThat(login.untagged()).isEmpty();
            assertThat(login.tagged()).isEqualTo("a2 OK LOGIN Ok.");

            assertThat(client.command("CAPABILITY").untagged()).containsExactly("* CAPABILITY " + CAPABILITIES);
        }
    }

    @Test
    void enableAnswersWithAnEmptyEnabledList() throws Exception {
        try (RawImapClient client = courier.login("alice")) {
            ImapReply enable = client.command("ENABLE CONDSTORE QRESYNC");
            assertThat(enable.untagged()).containsExactly("* ENABLED");
            assertThat(enable.tagged()).isEqualTo("a2 OK Options enabled");
        }
    }

    @Test
    void selectSendsNoUidnextAndNoModseqLinesButStatusKnowsUidnext() throws Exception {
        courier.deliver("alice", "INBOX.Select", TestMessages.message("one"));
        courier.deliver("alice", "INBOX.Select", TestMessages.message("two"));
        try (RawImapClient client = courier.login("alice")) {
            ImapReply select = client.command("SELECT INBOX.Select");
            String uidValidity = select.single("OK [UIDVALIDITY").replaceAll("\\D", "");
            assertThat(select.untagged())
                    .containsExactly(
                            "* FLAGS (\\Draft \\Answered \\Flagged \\Deleted \\Seen \\Recent)",
                            "* OK [PERMANENTFLAGS (\\* \\Draft \\Answered \\Flagged \\Deleted \\Seen)] Limited",
                            "* 2 EXISTS",
                            "* 2 RECENT",
                            "* OK [UIDVALIDITY " + uidValidity + "] Ok",
                            "* OK [MYRIGHTS \"acdilrsw\"] ACL");
            assertThat(select.tagged()).isEqualTo("a2 OK [READ-WRITE] Ok");

            // The proxy has to learn UIDNEXT from STATUS; HIGHESTMODSEQ is dropped without an error.
            ImapReply status = client.command("STATUS INBOX.Select (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)");
            assertThat(status.untagged())
                    .containsExactly(
                            "* STATUS \"INBOX.Select\" (MESSAGES 2 UIDNEXT 3 UIDVALIDITY " + uidValidity + ")");
            assertThat(status.tagged()).isEqualTo("a3 OK STATUS Completed.");
        }
    }

    @Test
    void condstoreSyntaxAndUnknownCommandsGetNoInsteadOfBad() throws Exception {
        courier.deliver("alice", "INBOX.Syntax", TestMessages.message("one"));
        try (RawImapClient client = courier.login("alice")) {
            assertThat(client.command("SELECT INBOX.Syntax (CONDSTORE)").tagged())
                    .isEqualTo("a2 " + COMMAND_ERROR);
            assertThat(client.command("SELECT INBOX.Syntax").isOk()).isTrue();
            assertThat(client.command("FETCH 1 (MODSEQ)").tagged()).isEqualTo("a4 " + COMMAND_ERROR);
            assertThat(client.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1)").tagged())
                    .isEqualTo("a5 " + COMMAND_ERROR);
            assertThat(client.command("STORE 1 (UNCHANGEDSINCE 5) +FLAGS (\\Seen)")
                            .tagged())
                    .isEqualTo("a6 " + COMMAND_ERROR);
            // RFC 3501 wants BAD for unknown commands; Courier says NO.
            assertThat(client.command("UNSELECT").tagged()).isEqualTo("a7 " + COMMAND_ERROR);
            assertThat(client.command("ID NIL").tagged()).isEqualTo("a8 " + COMMAND_ERROR);
            assertThat(client.command("XYZZY").tagged()).isEqualTo("a9 " + COMMAND_ERROR);
        }
    }

    @Test
    void noMoveButUidCopyWithCopyuidAndUidExpunge() throws Exception {
        courier.deliver("alice", "INBOX.MoveSrc", TestMessages.message("to move"));
        try (RawImapClient client = courier.login("alice")) {
            assertThat(client.command("CREATE INBOX.MoveDst").tagged()).isEqualTo("a2 OK \"INBOX.MoveDst\" created.");
            ImapReply select = client.command("SELECT INBOX.MoveSrc");
            assertThat(select.untagged()).contains("* 1 EXISTS");
            String dstValidity = client.command("STATUS INBOX.MoveDst (UIDVALIDITY)")
                    .untagged()
                    .get(0)
                    .replaceAll(".*UIDVALIDITY (\\d+).*", "$1");

            assertThat(client.command("UID MOVE 1 INBOX.MoveDst").tagged()).isEqualTo("a5 " + COMMAND_ERROR);
            assertThat(client.command("UID COPY 1 INBOX.MoveDst").tagged())
                    .isEqualTo("a6 OK [COPYUID " + dstValidity + " 1 1] COPY completed.");
            assertThat(client.command("UID STORE 1 +FLAGS.SILENT (\\Deleted)").untagged())
                    .isEmpty();
            ImapReply expunge = client.command("UID EXPUNGE 1");
            // Courier repeats EXISTS and RECENT after every EXPUNGE.
            assertThat(expunge.untagged()).containsExactly("* 1 EXPUNGE", "* 0 EXISTS", "* 0 RECENT");
            assertThat(expunge.tagged()).isEqualTo("a8 OK EXPUNGE completed");
        }
    }

    /**
     * A message another session expunged is still FETCHable by number until this session hears of the EXPUNGE (RFC 2180
     * 4.1.1 lets a server answer with what it has), but Courier answers with a placeholder message, not the message:
     * imaptest's stress mode reports these as "ENVELOPE changed ... message unavailable" through the proxy too, since
     * the proxy relays Courier's answer as it is.
     */
    @Test
    void aMessageExpungedByAnotherSessionIsFetchedAsAPlaceholder() throws Exception {
        courier.deliver("alice", "INBOX.Gone", TestMessages.message("soon gone"));
        try (RawImapClient reader = courier.login("alice");
                RawImapClient expunger = courier.login("alice")) {
            assertThat(reader.command("SELECT INBOX.Gone").untagged()).contains("* 1 EXISTS");
            expunger.command("SELECT INBOX.Gone");
            expunger.command("STORE 1 +FLAGS.SILENT (\\Deleted)");
            assertThat(expunger.command("EXPUNGE").untagged()).contains("* 1 EXPUNGE");

            ImapReply fetch = reader.command("FETCH 1 (ENVELOPE RFC822.SIZE)");
            assertThat(fetch.untagged())
                    .singleElement(as(InstanceOfAssertFactories.STRING))
                    .startsWith("* 1 FETCH (ENVELOPE (NIL \"message unavailable\" ((\"System Administrator\"")
                    .endsWith(" RFC822.SIZE 129)");
            assertThat(fetch.tagged()).endsWith(" OK FETCH completed.");
            assertThat(reader.command("NOOP").untagged()).contains("* 1 EXPUNGE");
        }
    }

    @Test
    void appendTakesSynchronizingLiteralsOnly() throws Exception {
        try (RawImapClient client = courier.login("alice")) {
            client.command("CREATE INBOX.Append");
            String uidValidity = client.command("STATUS INBOX.Append (UIDVALIDITY)")
                    .untagged()
                    .get(0)
                    .replaceAll(".*UIDVALIDITY (\\d+).*", "$1");
            byte[] message = TestMessages.message("appended");
            client.write("a4 APPEND INBOX.Append (\\Seen) {" + message.length + "}\r\n");
            assertThat(client.readLine()).isEqualTo("+ OK");
            client.write(new String(message, StandardCharsets.UTF_8) + "\r\n");
            assertThat(client.readReply("a4").tagged()).isEqualTo("a4 OK [APPENDUID " + uidValidity + " 1] APPEND Ok.");
        }
    }

    @Test
    void nonSynchronizingLiteralIsRefusedAndItsBytesRunAsCommands() throws Exception {
        // Courier does not implement LITERAL+ (RFC 7888): {n+} is a syntax error, and the literal that follows is read
        // as command lines. A proxy must turn client {n+} into {n} towards Courier.
        byte[] message = "Subject: probe\r\n\r\nz1 NOOP\r\n".getBytes(StandardCharsets.UTF_8);
        try (RawImapClient client = courier.login("alice")) {
            assertThat(client.appendNonSynchronizing("INBOX", "", message).tagged())
                    .isEqualTo("a2 " + COMMAND_ERROR);
            assertThat(client.readLine()).isEqualTo("Subject: " + COMMAND_ERROR);
            assertThat(client.readLine()).isEqualTo("* " + COMMAND_ERROR);
            assertThat(client.readLine()).isEqualTo("z1 OK NOOP completed");
            assertThat(client.readLine()).isEqualTo("* " + COMMAND_ERROR);
        }
    }

    @Test
    void foldersLiveBelowInboxWithDotSeparator() throws Exception {
        try (RawImapClient client = courier.login("carol")) {
            assertThat(client.command("NAMESPACE").untagged())
                    .containsExactly("* NAMESPACE ((\"INBOX.\" \".\")) NIL ((\"#shared.\" \".\")(\"shared.\" \".\"))");
            assertThat(client.command("CREATE Top").tagged()).isEqualTo("a3 NO Invalid mailbox name.");
            assertThat(client.command("CREATE INBOX.Top").tagged()).isEqualTo("a4 OK \"INBOX.Top\" created.");
            courier.deliver("carol", "INBOX.Delivered", TestMessages.message("via maildir"));
            ImapReply list = client.command("LIST \"\" *");
            assertThat(list.untagged())
                    .containsExactlyInAnyOrder(
                            "* LIST (\\Unmarked \\HasChildren) \".\" \"INBOX\"",
                            "* LIST (\\HasNoChildren) \".\" \"INBOX.Top\"",
                            "* LIST (\\HasNoChildren) \".\" \"INBOX.Delivered\"");
        }
    }

    @Test
    void fetchItemsComeInRequestOrderAndStoreEchoesUidOnlyForUidStore() throws Exception {
        byte[] message = TestMessages.message("order");
        courier.deliver("alice", "INBOX.Order", message);
        try (RawImapClient client = courier.login("alice")) {
            client.command("SELECT INBOX.Order");
            FetchAndStoreEchoes.check(client, message);
        }
    }

    @Test
    void deliveredMailShowsUpOnNoopButIdleOnlyPollsWithDebianDefaults() throws Exception {
        courier.deliver("bob", "INBOX.Idle", TestMessages.message("first"));
        try (RawImapClient client = courier.login("bob")) {
            assertThat(client.command("SELECT INBOX.Idle").untagged()).contains("* 1 EXISTS");
            courier.deliver("bob", "INBOX.Idle", TestMessages.message("second"));
            assertThat(client.command("NOOP").untagged()).containsExactly("* 2 EXISTS", "* 2 RECENT");

            // IMAP_ENHANCEDIDLE=0 (Debian): IDLE rescans only every IMAP_IDLE_TIMEOUT (60) seconds.
            client.write("a4 IDLE\r\n");
            assertThat(client.readLine()).isEqualTo("+ entering idle mode");
            courier.deliver("bob", "INBOX.Idle", TestMessages.message("third"));
            assertThat(client.pollLine(Duration.ofSeconds(2))).isEmpty();
            client.write("DONE\r\n");
            ImapReply done = client.readReply("a4");
            assertThat(done.untagged()).containsExactly("* 3 EXISTS", "* 3 RECENT");
            assertThat(done.tagged()).isEqualTo("a4 OK IDLE completed");
        }
    }

    @Test
    void enhancedIdleReportsNewMailAtOnce() throws Exception {
        try (CourierServer enhanced = new CourierServer(MailUser.of("dave", "secret4"))
                        .withSetting("IMAP_ENHANCEDIDLE", "1")
                        .start();
                RawImapClient client = enhanced.login("dave")) {
            assertThat(client.command("SELECT INBOX").untagged()).contains("* 0 EXISTS");
            client.write("a3 IDLE\r\n");
            assertThat(client.readLine()).isEqualTo("+ entering ENHANCED idle mode");
            enhanced.deliver("dave", "INBOX", TestMessages.message("pushed"));
            // gam_server (FAM) wakes imapd up; the push arrives in well under a second here.
            assertThat(client.pollLine(Duration.ofSeconds(5))).contains("* 1 EXISTS");
            client.write("DONE\r\n");
            ImapReply done = client.readReply("a3");
            assertThat(done.untagged()).isSubsetOf("* 1 RECENT");
            assertThat(done.tagged()).isEqualTo("a3 OK IDLE completed");
        }
    }

    @Test
    void wrongPasswordIsRefusedAfterAFiveSecondDelay() throws Exception {
        try (RawImapClient client = courier.connect()) {
            long started = System.nanoTime();
            assertThat(client.command("LOGIN alice wrong").tagged()).isEqualTo("a1 NO Login failed.");
            assertThat((System.nanoTime() - started) / 1_000_000).isBetween(4_500L, 8_000L);
        }
    }
}
