package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every Dovecot mode does alike (raw IMAP, no proxy); the subclasses pin the mode's own
 * capabilities and mod-sequence behaviour. One server per subclass; each test uses its own folder
 * or user, so test order does not matter. See QUIRKS.md.
 */
@RequiresBackend(Backend.DOVECOT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DovecotContractTest {

    /** Dovecot 2.3.19's stock post-login capabilities. */
    static final String STOCK_CAPABILITIES = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY"
            + " THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT"
            + " CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES"
            + " WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE"
            + " SAVEDATE LITERAL+ NOTIFY";

    static final String STOCK_PRE_LOGIN =
            "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN AUTH=LOGIN";

    DovecotServer dovecot;

    abstract DovecotServer.Mode mode();

    /** The CAPABILITY list before LOGIN (also in the greeting). */
    abstract String preLoginCapabilities();

    /** The CAPABILITY list after LOGIN. */
    abstract String postLoginCapabilities();

    /** The mod-sequence line of a SELECT before any CONDSTORE enabling command, if any. */
    abstract Optional<String> plainSelectModseqLine();

    @BeforeAll
    void startDovecot() throws Exception {
        dovecot = new DovecotServer(
                        mode(),
                        MailUser.of("alice", "secret1"),
                        MailUser.of("bob", "secret2"),
                        MailUser.of("carol", "secret3"))
                .start();
    }

    @AfterAll
    void stopDovecot() {
        if (dovecot != null) {
            dovecot.stop();
        }
    }

    @Test
    void greetingAndLoginCarryTheCapabilities() throws Exception {
        try (RawImapClient client = dovecot.connect()) {
            assertThat(client.greeting())
                    .isEqualTo("* OK [CAPABILITY " + preLoginCapabilities() + "] Dovecot (Debian) ready.");
            assertThat(client.command("LOGIN alice secret1").tagged())
                    .isEqualTo("a1 OK [CAPABILITY " + postLoginCapabilities() + "] Logged in");
            assertThat(client.command("CAPABILITY").untagged())
                    .containsExactly("* CAPABILITY " + postLoginCapabilities());
        }
        // A client that asked CAPABILITY before LOGIN gets the new list as an untagged response instead.
        try (RawImapClient client = dovecot.connect()) {
            assertThat(client.command("CAPABILITY").untagged())
                    .containsExactly("* CAPABILITY " + preLoginCapabilities());
            ImapReply login = client.command("LOGIN alice secret1");
            assertThat(login.untagged()).containsExactly("* CAPABILITY " + postLoginCapabilities());
            assertThat(login.tagged()).isEqualTo("a2 OK Logged in");
        }
    }

    @Test
    void selectReportsUidnext() throws Exception {
        dovecot.deliver("alice", "Select", TestMessages.message("one"));
        dovecot.deliver("alice", "Select", TestMessages.message("two"));
        try (RawImapClient client = dovecot.login("alice")) {
            ImapReply select = client.command("SELECT Select");
            String uidValidity = select.single("OK [UIDVALIDITY").replaceAll("\\D", "");
            List<String> expected = new ArrayList<>(List.of(
                    "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
                    "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.",
                    "* 2 EXISTS",
                    "* 2 RECENT",
                    "* OK [UNSEEN 1] First unseen.",
                    "* OK [UIDVALIDITY " + uidValidity + "] UIDs valid",
                    "* OK [UIDNEXT 3] Predicted next UID"));
            plainSelectModseqLine().ifPresent(expected::add);
            assertThat(select.untagged()).containsExactlyElementsOf(expected);
            assertThat(select.tagged()).startsWith("a2 OK [READ-WRITE] Select completed (");
        }
    }

    @Test
    void acceptsNonSynchronizingLiterals() throws Exception {
        try (RawImapClient client = dovecot.login("alice")) {
            client.command("CREATE Append");
            String uidValidity = client.command("STATUS Append (UIDVALIDITY)")
                    .untagged()
                    .get(0)
                    .replaceAll(".*UIDVALIDITY (\\d+).*", "$1");
            ImapReply append = client.appendNonSynchronizing("Append", "\\Seen", TestMessages.message("plus"));
            assertThat(append.tagged()).startsWith("a4 OK [APPENDUID " + uidValidity + " 1] Append completed (");
        }
    }

    @Test
    void movesWithCopyuidAndExpunge() throws Exception {
        dovecot.deliver("alice", "MoveSrc", TestMessages.message("to move"));
        try (RawImapClient client = dovecot.login("alice")) {
            client.command("CREATE MoveDst");
            String dstValidity = client.command("STATUS MoveDst (UIDVALIDITY)")
                    .untagged()
                    .get(0)
                    .replaceAll(".*UIDVALIDITY (\\d+).*", "$1");
            client.command("SELECT MoveSrc");
            ImapReply move = client.command("UID MOVE 1 MoveDst");
            assertThat(move.untagged())
                    .containsExactly("* OK [COPYUID " + dstValidity + " 1 1] Moved UIDs.", "* 1 EXPUNGE", "* 0 RECENT");
            assertThat(move.tagged()).startsWith("a5 OK Move completed (");
        }
    }

    @Test
    void foldersLiveAtTheTopWithDotSeparator() throws Exception {
        try (RawImapClient client = dovecot.login("carol")) {
            assertThat(client.command("NAMESPACE").untagged()).containsExactly("* NAMESPACE ((\"\" \".\")) NIL NIL");
            assertThat(client.command("CREATE Top").tagged()).startsWith("a3 OK Create completed (");
            // A folder that appears on disk during a session is not listed until the next login.
            dovecot.deliver("carol", "Delivered", TestMessages.message("via maildir"));
            assertThat(client.command("LIST \"\" *").untagged())
                    .containsExactlyInAnyOrder(
                            "* LIST (\\HasNoChildren) \".\" INBOX", "* LIST (\\HasNoChildren) \".\" Top");
        }
        try (RawImapClient client = dovecot.login("carol")) {
            assertThat(client.command("LIST \"\" *").untagged())
                    .containsExactlyInAnyOrder(
                            "* LIST (\\HasNoChildren) \".\" INBOX",
                            "* LIST (\\HasNoChildren) \".\" Top",
                            "* LIST (\\HasNoChildren) \".\" Delivered");
        }
    }

    @Test
    void fetchItemsComeInRequestOrderAndUidStoreEchoesTheUid() throws Exception {
        byte[] message = TestMessages.message("order");
        dovecot.deliver("bob", "Order", message);
        try (RawImapClient client = dovecot.login("bob")) {
            client.command("SELECT Order");
            FetchAndStoreEchoes.check(client, message);
        }
    }

    /**
     * RFC 7162 3.2.11 defines [CLOSED] for QRESYNC clients; Dovecot 2.3 sends it on every SELECT/EXAMINE that
     * replaces a selected mailbox, whether or not anything was enabled. A proxy that adds its own [CLOSED] for a
     * QRESYNC client must not relay this one too.
     */
    @Test
    void reselectSendsClosedEvenWithoutQresync() throws Exception {
        dovecot.deliver("bob", "Closed", TestMessages.message("one"));
        try (RawImapClient client = dovecot.login("bob")) {
            assertThat(client.command("SELECT Closed").untagged()).noneMatch(line -> line.contains("[CLOSED]"));
            ImapReply again = client.command("EXAMINE Closed");
            assertThat(again.untagged().get(0)).isEqualTo("* OK [CLOSED] Previous mailbox closed.");
        }
    }

    @Test
    void unknownCommandsGetBad() throws Exception {
        try (RawImapClient client = dovecot.login("bob")) {
            assertThat(client.command("XYZZY").tagged())
                    .startsWith("a2 BAD Error in IMAP command XYZZY: Unknown command (");
            assertThat(client.command("ID NIL").untagged()).containsExactly("* ID (\"name\" \"Dovecot\")");
        }
    }

    @Test
    void deliveredMailShowsUpOnNoopAndDuringIdle() throws Exception {
        dovecot.deliver("bob", "Idle", TestMessages.message("first"));
        try (RawImapClient client = dovecot.login("bob")) {
            assertThat(client.command("SELECT Idle").untagged()).contains("* 1 EXISTS");
            dovecot.deliver("bob", "Idle", TestMessages.message("second"));
            assertThat(client.command("NOOP").untagged()).containsExactly("* 2 EXISTS", "* 2 RECENT");

            client.write("a4 IDLE\r\n");
            assertThat(client.readLine()).isEqualTo("+ idling");
            dovecot.deliver("bob", "Idle", TestMessages.message("third"));
            assertThat(client.pollLine(Duration.ofSeconds(5))).contains("* 3 EXISTS");
            client.write("DONE\r\n");
            ImapReply done = client.readReply("a4");
            assertThat(done.untagged()).isSubsetOf("* 3 RECENT");
            assertThat(done.tagged()).startsWith("a4 OK Idle completed (");
        }
    }

    @Test
    void statusHighestModseqAnswersInEveryModeAndEnablesCondstore() throws Exception {
        dovecot.deliver("carol", "Status", TestMessages.message("one"));
        try (RawImapClient client = dovecot.login("carol")) {
            client.command("SELECT Status");
            // STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command (RFC 7162 3.1); enabled while a folder is
            // selected, it brings an untagged HIGHESTMODSEQ: in every mode, even under NOMODSEQ and with CONDSTORE
            // hidden. 2 = 1 for the new folder + 1 for the message.
            ImapReply status = client.command("STATUS Status (MESSAGES UIDNEXT HIGHESTMODSEQ)");
            assertThat(status.untagged())
                    .containsExactly(
                            "* OK [HIGHESTMODSEQ 2] Highest", "* STATUS Status (MESSAGES 1 UIDNEXT 2 HIGHESTMODSEQ 2)");
            assertThat(status.tagged()).startsWith("a3 OK [CLIENTBUG] Status on selected mailbox completed (");
            // From now on STORE echoes carry MODSEQ, except where there are none.
            String echo = mode() == DovecotServer.Mode.INDEX_MEMORY
                    ? "* 1 FETCH (FLAGS (\\Seen \\Recent))"
                    : "* 1 FETCH (MODSEQ (3) FLAGS (\\Seen \\Recent))";
            assertThat(client.command("STORE 1 +FLAGS (\\Seen)").untagged()).containsExactly(echo);
        }
    }
}
