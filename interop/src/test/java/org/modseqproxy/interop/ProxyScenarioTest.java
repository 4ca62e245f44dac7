package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * The proxy's CONDSTORE/QRESYNC scenarios against one real backend, with a real Redis behind the proxy
 * (issue 4). One subclass per backend says how to start it, how it names folders and what a client must see.
 * A client here is a {@link RawImapClient} connected to the proxy; "the backend's truth" is read directly from
 * the backend. Each test works as its own user, so tests do not see each other's mail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ProxyScenarioTest {

    /** How long an IDLE push may take: Courier's IMAP_ENHANCEDIDLE and Dovecot's inotify push within ~1 s. */
    static final Duration IDLE_PUSH = Duration.ofSeconds(10);

    static final String PASSWORD = "secret1";
    static final List<String> USERS = List.of(
            "caps",
            "select",
            "reselect",
            "viaproxy",
            "external",
            "live",
            "monotonic",
            "append",
            "idle",
            "esearch",
            "tracked",
            "contexts");

    ImapBackend backend;
    RedisServerFixture redis;
    ProxyFixture proxy;

    /** Starts this backend with these users. */
    abstract ImapBackend startBackend(MailUser... users) throws IOException;

    /** The IMAP name of a top-level folder ("INBOX.Archive" on Courier, "Archive" on Dovecot). */
    abstract String folder(String name);

    /** The exact capability list a client sees after LOGIN through the proxy. */
    abstract String expectedCapabilities();

    /** Whether the backend itself has MOVE (RFC 6851); the proxy must advertise it exactly then. */
    abstract boolean backendHasMove();

    @BeforeAll
    void startAll() throws IOException {
        redis = RedisServerFixture.start();
        MailUser[] users = USERS.stream().map(u -> MailUser.of(u, PASSWORD)).toArray(MailUser[]::new);
        backend = startBackend(users);
        proxy = ProxyFixture.start(backend.host(), backend.port(), redis.uri(), config -> {});
    }

    @AfterAll
    void stopAll() {
        if (proxy != null) {
            proxy.close();
        }
        if (backend != null) {
            backend.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** A client logged in through the proxy. */
    RawImapClient client(String user) throws IOException {
        RawImapClient client = RawImapClient.connect(proxy.host(), proxy.port());
        ImapReply login = client.command("LOGIN " + user + " " + PASSWORD);
        if (!login.isOk()) {
            client.close();
            throw new AssertionError("LOGIN through the proxy failed:\n" + login + "\n" + backend.log());
        }
        return client;
    }

    /** Delivers {@code n} messages into the user's INBOX the way an MTA does. */
    void deliver(String user, int n) throws IOException {
        for (int i = 1; i <= n; i++) {
            backend.deliver(user, "INBOX", TestMessages.message(user + " " + i));
        }
    }

    // ---- capabilities ---------------------------------------------------------------------------------------------

    @Test
    void clientSeesCondstoreQresyncAndOnlyTheProxysOwnCompressAfterLogin() throws Exception {
        try (RawImapClient client = RawImapClient.connect(proxy.host(), proxy.port())) {
            assertThat(client.greeting()).startsWith("* OK [CAPABILITY ");
            assertThat(words(client.greeting())).contains("CONDSTORE", "QRESYNC", "ENABLE");

            // the backend's COMPRESS is never relayed; the proxy's own (RFC 4978, toward the client) comes last
            String expected = expectedCapabilities() + " COMPRESS=DEFLATE";
            ImapReply login = client.command("LOGIN caps " + PASSWORD);
            assertThat(login.tagged()).isEqualTo("a1 OK [CAPABILITY " + expected + "] Logged in");
            ImapReply capability = client.command("CAPABILITY");
            assertThat(capability.untagged()).containsExactly("* CAPABILITY " + expected);

            List<String> caps = List.of(expected.split(" "));
            assertThat(caps)
                    .doesNotHaveDuplicates()
                    .contains("IMAP4rev1", "CONDSTORE", "QRESYNC", "ENABLE", "IDLE", "UIDPLUS", "LITERAL+")
                    .noneMatch(cap -> cap.startsWith("AUTH="))
                    .doesNotContain("STARTTLS", "LOGINDISABLED", "SASL-IR");
            assertThat(caps).filteredOn(cap -> cap.startsWith("COMPRESS=")).containsExactly("COMPRESS=DEFLATE");
            if (backendHasMove()) {
                assertThat(caps).contains("MOVE");
            } else {
                assertThat(caps).doesNotContain("MOVE");
            }
        }
    }

    // ---- SELECT with CONDSTORE ------------------------------------------------------------------------------------

    @Test
    void selectWithCondstoreReportsHighestModSeqAndNeverNoModSeq() throws Exception {
        deliver("select", 3);
        try (RawImapClient client = client("select")) {
            ImapReply enable = client.command("ENABLE QRESYNC");
            assertThat(enable.untagged()).containsExactly("* ENABLED QRESYNC");
            assertThat(enable.isOk()).isTrue();

            ImapReply select = client.command("SELECT INBOX (CONDSTORE)");
            assertThat(select.tagged()).startsWith("a3 OK [READ-WRITE]");
            assertThat(select.untagged()).contains("* 3 EXISTS").noneMatch(line -> line.contains("NOMODSEQ"));
            assertThat(select.untagged("OK [HIGHESTMODSEQ ")).hasSize(1);
            long highest = ImapData.requireCode(select, "HIGHESTMODSEQ");
            assertThat(highest).isPositive().isLessThan(1L << 53);

            ImapReply fetch = client.command("UID FETCH 1:* (FLAGS MODSEQ)");
            assertThat(fetch.untagged()).hasSize(3).allSatisfy(line -> {
                assertThat(ImapData.uid(line)).isPresent();
                assertThat(ImapData.modSeq(line))
                        .hasValueSatisfying(m -> assertThat(m).isBetween(1L, highest));
            });
            long uid = ImapData.uid(fetch.untagged().get(0)).orElseThrow();

            // RFC 7162 3.1.3: a STORE raises the message's mod-sequence above everything seen so far.
            ImapReply store = client.command("UID STORE " + uid + " +FLAGS (\\Seen)");
            assertThat(store.untagged()).singleElement().satisfies(line -> {
                assertThat(ImapData.uid(line)).contains(uid);
                assertThat(ImapData.flags(line)).contains(new TreeSet<>(List.of("\\Seen")));
                assertThat(ImapData.modSeq(line))
                        .hasValueSatisfying(m -> assertThat(m).isGreaterThan(highest));
            });
            long stored = ImapData.modSeq(store.untagged().get(0)).orElseThrow();

            // Another session's STATUS and EXAMINE never report less than that (RFC 7162 3.1.2.1).
            try (RawImapClient other = client("select")) {
                ImapReply status = other.command("STATUS INBOX (MESSAGES HIGHESTMODSEQ)");
                assertThat(status.untagged())
                        .singleElement()
                        .satisfies(line ->
                                assertThat(line).matches("\\* STATUS \"?INBOX\"? \\(MESSAGES 3 HIGHESTMODSEQ \\d+\\)"));
                long statusHighest =
                        Long.parseLong(status.untagged().get(0).replaceAll(".*HIGHESTMODSEQ (\\d+)\\)", "$1"));
                assertThat(statusHighest).isGreaterThanOrEqualTo(stored);
                ImapReply examine = other.command("EXAMINE INBOX (CONDSTORE)");
                assertThat(examine.tagged()).startsWith("a3 OK [READ-ONLY]");
                assertThat(examine.untagged()).noneMatch(line -> line.contains("NOMODSEQ"));
                assertThat(ImapData.requireCode(examine, "HIGHESTMODSEQ")).isGreaterThanOrEqualTo(stored);
            }
        }
    }

    /**
     * HIGHESTMODSEQ as one client sees it through SELECT, STATUS (from a fresh session, and after selecting another
     * folder, when the backend may have CONDSTORE enabled) and a later QRESYNC: never lower than before for the same
     * UIDVALIDITY (RFC 7162 3.1.2.1, 3.1.7; clients give up on QRESYNC when it drops).
     */
    @Test
    void highestModSeqNeverGoesDownAcrossSelectStatusAndSessions() throws Exception {
        String user = "monotonic";
        deliver(user, 2);
        backend.deliver(user, folder("Other"), TestMessages.message("other"));
        List<Long> seen = new ArrayList<>();
        Checkpoint checkpoint;
        try (RawImapClient client = client(user)) {
            checkpoint = Checkpoint.take(client, "INBOX");
            seen.add(checkpoint.modSeq());
            ImapReply store = client.command("UID STORE " + checkpoint.flags().firstKey() + " +FLAGS (\\Seen)");
            seen.add(ImapData.modSeq(store.untagged().get(0)).orElseThrow());
        }
        try (RawImapClient client = client(user)) {
            seen.add(statusHighestModSeq(client, "INBOX"));
            ImapReply other = client.command("SELECT " + folder("Other") + " (CONDSTORE)");
            assertThat(other.untagged()).noneMatch(line -> line.contains("NOMODSEQ"));
            seen.add(statusHighestModSeq(client, "INBOX"));
        }
        try (RawImapClient client = client(user)) {
            SyncReport report = checkpoint.resync(client, true);
            assertThat(report.changed()).containsOnlyKeys(checkpoint.flags().firstKey());
            seen.add(report.highestModSeq());
        }
        assertThat(seen)
                .as("SELECT, STORE, STATUS, STATUS after another SELECT, QRESYNC")
                .isSorted()
                .allSatisfy(h -> assertThat(h).isPositive());
    }

    private static long statusHighestModSeq(RawImapClient client, String folder) throws IOException {
        ImapReply status = client.command("STATUS " + folder + " (HIGHESTMODSEQ)");
        assertOk(status);
        String line = status.untagged("STATUS ").get(0);
        return Long.parseLong(line.replaceAll(".*HIGHESTMODSEQ (\\d+)\\).*", "$1"));
    }

    /** RFC 7162 3.2.11: a QRESYNC client that selects again gets exactly one [CLOSED], before anything else. */
    @Test
    void reselectingSendsClosedExactlyOnce() throws Exception {
        deliver("reselect", 1);
        try (RawImapClient client = client("reselect")) {
            client.command("ENABLE QRESYNC");
            assertThat(client.command("SELECT INBOX").untagged()).noneMatch(line -> line.contains("[CLOSED]"));
            ImapReply again = client.command("EXAMINE INBOX (CONDSTORE)");
            assertThat(again.isOk()).isTrue();
            assertThat(again.untagged().get(0)).startsWith("* OK [CLOSED]");
            assertThat(again.untagged())
                    .filteredOn(line -> line.contains("[CLOSED]"))
                    .hasSize(1);
        }
    }

    /**
     * RFC 4731 3.1 / RFC 9051 7.3.4: ESEARCH names the client's tag, never the one the proxy used toward the backend
     * (imaptest's esearch, esort and esearch-condstore groups); also with the MODSEQ key the proxy rewrites.
     */
    @Test
    void esearchAnswersCarryTheClientsTag() throws Exception {
        deliver("esearch", 3);
        try (RawImapClient client = client("esearch")) {
            if (!words(client.command("CAPABILITY").untagged().get(0)).contains("ESEARCH")) {
                return; // Courier has no ESEARCH: nothing to answer under any tag
            }
            client.command("SELECT INBOX");
            ImapReply min = client.command("SEARCH RETURN (MIN) ALL");
            assertThat(min.untagged()).containsExactly("* ESEARCH (TAG \"" + min.tag() + "\") MIN 1");
            ImapReply uid = client.command("UID SEARCH RETURN (ALL) ALL");
            assertThat(uid.untagged())
                    .singleElement()
                    .satisfies(line -> assertThat(line).startsWith("* ESEARCH (TAG \"" + uid.tag() + "\") UID ALL "));
            ImapReply modseq = client.command("SEARCH RETURN (MAX) MODSEQ 1");
            assertThat(modseq.untagged())
                    .filteredOn(line -> line.startsWith("* ESEARCH"))
                    .singleElement()
                    .satisfies(line ->
                            assertThat(line).startsWith("* ESEARCH (TAG \"" + modseq.tag() + "\") MAX 3 MODSEQ "));
        }
    }

    // ---- QRESYNC resync ---------------------------------------------------------------------------------------------

    @Test
    void qresyncReportsFlagChangesExpungesAndMovesMadeThroughTheProxy() throws Exception {
        String user = "viaproxy";
        deliver(user, 6);
        Checkpoint checkpoint;
        try (RawImapClient client = client(user)) {
            checkpoint = Checkpoint.take(client, "INBOX");
        }
        List<Long> uids = new ArrayList<>(checkpoint.flags().keySet());
        assertThat(uids).hasSize(6);
        String archive = folder("Archive");
        String movedId =
                BackendTruth.read(backend, user, "INBOX").get(uids.get(4)).messageId();

        try (RawImapClient other = client(user)) {
            assertThat(other.command("SELECT INBOX").isOk()).isTrue();
            assertOk(other.command("UID STORE " + uids.get(1) + " +FLAGS (\\Seen)"));
            assertOk(other.command("UID STORE " + uids.get(2) + " +FLAGS (\\Flagged $Work)"));
            assertOk(other.command("UID STORE " + uids.get(3) + " +FLAGS.SILENT (\\Deleted)"));
            assertOk(other.command("UID EXPUNGE " + uids.get(3)));
            assertOk(other.command("CREATE " + archive));
            move(other, uids.get(4), archive);
            // Set and cleared again: no net change, which a server may still report (its mod-sequence moved).
            assertOk(other.command("UID STORE " + uids.get(5) + " +FLAGS (\\Answered)"));
            assertOk(other.command("UID STORE " + uids.get(5) + " -FLAGS (\\Answered)"));
        }

        SyncReport report;
        try (RawImapClient client = client(user)) {
            report = checkpoint.resync(client, true);
        }
        SortedMap<Long, SortedSet<String>> truth = BackendTruth.flags(backend, user, "INBOX");
        assertThat(report.noModSeq()).isFalse();
        assertThat(report.violations()).isEmpty();
        assertThat(report.uidValidity()).isEqualTo(checkpoint.uidValidity());
        assertThat(report.highestModSeq()).isGreaterThan(checkpoint.modSeq());
        assertThat(report.vanished()).as(report.raw().toString()).containsExactly(uids.get(3), uids.get(4));
        assertThat(report.changed().keySet())
                .as(report.raw().toString())
                .contains(uids.get(1), uids.get(2))
                .isSubsetOf(uids.get(1), uids.get(2), uids.get(5));
        report.changed()
                .forEach((uid, flags) ->
                        assertThat(flags).as("flags of UID " + uid).isEqualTo(truth.get(uid)));
        assertThat(report.appliedTo(checkpoint.flags())).isEqualTo(truth);
        assertThat(truth.get(uids.get(2))).containsExactly("$Work", "\\Flagged");

        // Nothing happened since: the next resync reports nothing at all.
        try (RawImapClient client = client(user)) {
            SyncReport quiet = checkpoint.after(report).resync(client, true);
            assertThat(quiet.vanished()).isEmpty();
            assertThat(quiet.changed()).isEmpty();
            assertThat(quiet.highestModSeq()).isEqualTo(report.highestModSeq());
        }
        // The moved message is in the archive, and the archive has mod-sequences too.
        assertThat(BackendTruth.read(backend, user, archive).values())
                .extracting(BackendTruth.Message::messageId)
                .containsExactly(movedId);
        try (RawImapClient client = client(user)) {
            Checkpoint archived = Checkpoint.take(client, archive);
            assertThat(archived.flags()).hasSize(1);
            assertThat(archived.modSeq()).isPositive();
        }
    }

    @Test
    void qresyncReportsExactlyTheChangesMadeDirectlyOnTheBackend() throws Exception {
        String user = "external";
        deliver(user, 5);
        Checkpoint checkpoint;
        try (RawImapClient client = client(user)) {
            checkpoint = Checkpoint.take(client, "INBOX");
        }
        List<Long> uids = new ArrayList<>(checkpoint.flags().keySet());

        // Changes that bypass the proxy: another IMAP server on the same store, webmail, an MTA.
        try (RawImapClient direct = backend.login(user)) {
            assertOk(direct.command("SELECT INBOX"));
            assertOk(direct.command("UID STORE " + uids.get(0) + " +FLAGS (\\Seen)"));
            assertOk(direct.command("UID STORE " + uids.get(1) + " +FLAGS (\\Flagged \\Answered)"));
            assertOk(direct.command("UID STORE " + uids.get(2) + " +FLAGS.SILENT (\\Deleted)"));
            assertOk(direct.command("UID EXPUNGE " + uids.get(2)));
        }
        backend.deliver(user, "INBOX", TestMessages.message("external new"));

        SyncReport report;
        try (RawImapClient client = client(user)) {
            report = checkpoint.resync(client, true);
        }
        SortedMap<Long, SortedSet<String>> truth = BackendTruth.flags(backend, user, "INBOX");
        long newUid = truth.lastKey();
        assertThat(newUid).isGreaterThan(uids.get(4));
        assertThat(report.highestModSeq()).isGreaterThan(checkpoint.modSeq());
        assertThat(report.violations()).isEmpty();
        assertThat(report.vanished()).as(report.raw().toString()).containsExactly(uids.get(2));
        // Among the UIDs the client knew, exactly the two whose flags changed are reported, with the backend's flags.
        assertThat(report.changed().headMap(uids.get(4) + 1))
                .as(report.raw().toString())
                .containsOnlyKeys(uids.get(0), uids.get(1));
        report.changed()
                .forEach((uid, flags) ->
                        assertThat(flags).as("flags of UID " + uid).isEqualTo(truth.get(uid)));
        // The new message: RFC 7162 3.2.5.1 says a server "should only report" the known UIDs, so it may or may not
        // come as a FETCH; either way the client learns it from EXISTS, and nothing else may come.
        assertThat(truth.tailMap(uids.get(4) + 1))
                .containsAllEntriesOf(report.changed().tailMap(uids.get(4) + 1));
        assertThat(report.raw().untagged()).contains("* 5 EXISTS");
    }

    /**
     * RFC 7162 3.2.4: once CONDSTORE is enabled, every untagged FETCH carries UID and MODSEQ, also those caused by
     * a plain STORE or by another agent (seen at NOOP); RFC 7162 3.2.10: expunges come as VANISHED.
     */
    @Test
    void unsolicitedChangesCarryUidAndModSeqAfterEnableQresync() throws Exception {
        String user = "live";
        deliver(user, 3);
        try (RawImapClient client = client(user)) {
            Checkpoint checkpoint = Checkpoint.take(client, "INBOX");
            List<Long> uids = new ArrayList<>(checkpoint.flags().keySet());

            ImapReply store = client.command("STORE 1 +FLAGS (\\Seen)");
            assertThat(store.untagged()).singleElement().satisfies(line -> {
                assertThat(ImapData.uid(line)).as(line).contains(uids.get(0));
                assertThat(ImapData.modSeq(line))
                        .as(line)
                        .hasValueSatisfying(m -> assertThat(m).isGreaterThan(checkpoint.modSeq()));
            });

            try (RawImapClient other = client(user)) {
                assertOk(other.command("SELECT INBOX"));
                assertOk(other.command("UID STORE " + uids.get(1) + " +FLAGS (\\Flagged)"));
                assertOk(other.command("UID STORE " + uids.get(2) + " +FLAGS.SILENT (\\Deleted)"));
                assertOk(other.command("UID EXPUNGE " + uids.get(2)));
            }
            ImapReply noop = client.command("NOOP");
            assertThat(noop.untagged())
                    .as(noop.toString())
                    .contains("* VANISHED " + uids.get(2))
                    .noneMatch(line -> line.endsWith(" EXPUNGE"));
            assertThat(noop.untagged())
                    .filteredOn(ImapData::isFetch)
                    .as(noop.toString())
                    .singleElement()
                    .satisfies(line -> {
                        assertThat(ImapData.uid(line)).as(line).contains(uids.get(1));
                        assertThat(ImapData.flags(line)).contains(new TreeSet<>(List.of("\\Flagged")));
                        assertThat(ImapData.modSeq(line)).as(line).isPresent();
                    });
        }
    }

    // ---- literals ---------------------------------------------------------------------------------------------------

    /** A client may use LITERAL+ because the proxy advertises it; Courier would run the literal's lines as commands. */
    @Test
    void literalPlusAppendWorksWhateverTheBackendSupports() throws Exception {
        String user = "append";
        byte[] message = ("From: a@example.org\r\nSubject: literal plus\r\nMessage-ID: <lp." + System.nanoTime()
                        + "@interop.test>\r\n\r\nz1 NOOP\r\nbye\r\n")
                .getBytes(StandardCharsets.UTF_8);
        try (RawImapClient client = client(user)) {
            ImapReply append = client.appendNonSynchronizing("INBOX", "\\Flagged", message);
            assertThat(append.untagged()).isEmpty();
            assertThat(append.tagged()).matches("a2 OK \\[APPENDUID \\d+ 1\\] .*");
            // Literal+ outside APPEND too: the mailbox name as a non-synchronizing literal.
            client.write("s1 SELECT {5+}\r\nINBOX\r\n");
            ImapReply select = client.readReply("s1");
            assertThat(select.tagged()).startsWith("s1 OK [READ-WRITE]");
            assertThat(select.untagged()).contains("* 1 EXISTS");
            ImapReply noop = client.command("NOOP");
            assertThat(noop.tagged()).startsWith("a3 OK");
            assertThat(noop.untagged()).noneMatch(line -> line.contains("Error") || line.contains("z1"));
        }
        SortedMap<Long, BackendTruth.Message> truth = BackendTruth.read(backend, user, "INBOX");
        assertThat(truth).containsOnlyKeys(1L);
        assertThat(truth.get(1L).flags()).containsExactly("\\Flagged");
        assertThat(truth.get(1L).messageId())
                .isEqualTo(ImapData.messageId(new String(message, StandardCharsets.UTF_8))
                        .orElseThrow());
    }

    // ---- IDLE -------------------------------------------------------------------------------------------------------

    @Test
    void idleSeesMessagesFromAnotherSessionAndFromTheMta() throws Exception {
        String user = "idle";
        deliver(user, 1);
        try (RawImapClient client = client(user)) {
            client.command("ENABLE QRESYNC");
            long highest = ImapData.requireCode(client.command("SELECT INBOX (CONDSTORE)"), "HIGHESTMODSEQ");
            client.write("a4 IDLE\r\n");
            assertThat(client.readLine()).startsWith("+ ");

            try (RawImapClient other = client(user)) {
                assertOk(other.append("INBOX", "\\Seen", TestMessages.message("while idling")));
            }
            assertThat(awaitLine(client, "* 2 EXISTS"::equals))
                    .as("IDLE push after APPEND")
                    .isPresent();
            backend.deliver(user, "INBOX", TestMessages.message("mta while idling"));
            assertThat(awaitLine(client, "* 3 EXISTS"::equals))
                    .as("IDLE push after delivery")
                    .isPresent();

            client.write("DONE\r\n");
            assertThat(client.readReply("a4").isOk()).isTrue();
            ImapReply fetch = client.command("FETCH 2:3 (UID FLAGS MODSEQ)");
            assertThat(fetch.untagged())
                    .hasSize(2)
                    .allSatisfy(line -> assertThat(ImapData.modSeq(line))
                            .hasValueSatisfying(m -> assertThat(m).isGreaterThan(highest)));
            assertThat(ImapData.flags(fetch.untagged().get(0))).contains(new TreeSet<>(List.of("\\Seen")));
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    /** MOVE where the proxy advertises it, else what a client does without it: UID COPY, \Deleted, UID EXPUNGE. */
    void move(RawImapClient client, long uid, String target) throws IOException {
        if (backendHasMove()) {
            assertOk(client.command("UID MOVE " + uid + " " + target));
            return;
        }
        assertThat(client.command("UID MOVE " + uid + " " + target).isOk())
                .as("MOVE is not advertised")
                .isFalse();
        assertOk(client.command("UID COPY " + uid + " " + target));
        assertOk(client.command("UID STORE " + uid + " +FLAGS.SILENT (\\Deleted)"));
        assertOk(client.command("UID EXPUNGE " + uid));
    }

    /** Reads lines until one matches, at most {@link #IDLE_PUSH}; empty when none came. */
    static Optional<String> awaitLine(RawImapClient client, Predicate<String> wanted) throws IOException {
        long deadline = System.nanoTime() + IDLE_PUSH.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> line =
                    client.pollLine(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            if (line.isPresent() && wanted.test(line.get())) {
                return line;
            }
        }
        return Optional.empty();
    }

    static void assertOk(ImapReply reply) {
        assertThat(reply.isOk()).as("expected OK:\n%s", reply).isTrue();
    }

    private static List<String> words(String line) {
        return List.of(line.replaceAll("[\\[\\]]", " ").split("\\s+"));
    }
}
