package org.modseqproxy.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.modseqproxy.proxy.testing.ProxyFixture;
import org.modseqproxy.state.MailboxId;
import org.modseqproxy.state.ModSeqStore;
import org.modseqproxy.state.ModSeqStores;
import org.modseqproxy.state.StoreOptions;
import org.modseqproxy.state.Vanished;
import org.modseqproxy.state.testing.RedisServerFixture;

/**
 * Issue 4's differential test: one scripted history (appends, deliveries, stores, expunges, moves, changes made
 * behind the proxy's back, several clients, reconnects with QRESYNC from several old mod-sequences) is played
 * against (a) two proxies sharing one Redis in front of Courier and (b) a stock Dovecot with native QRESYNC, no
 * proxy. After every resync the two clients' conclusions are compared by message (Message-ID), since UIDs and
 * mod-sequences differ; {@link DiffReport} files each difference as BUG or as ALLOWED with its RFC 7162 rule.
 * The full comparison is printed and written to target/differential-*.txt.
 */
@RequiresBackend({Backend.COURIER, Backend.DOVECOT})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DifferentialQresyncTest {

    static final String PASSWORD = "secret1";
    /** Which proxy each client of world (a) connects to; Dovecot has one door. */
    static final Map<String, Integer> DOORS = Map.of("c1", 0, "c2", 1, "c3", 0, "s2", 1, "s3", 0, "live", 1);

    /**
     * Bugs of the proxy already pinned by disabled tests; they show in the report as KNOWN_BUG. Remove an entry when
     * the bug is fixed, so that the differential guards the fix too.
     */
    static final List<DiffReport.KnownBug> KNOWN_BUGS = List.of();

    CourierServer courier;
    DovecotServer dovecot;
    RedisServerFixture redis;

    @BeforeAll
    void startAll() throws IOException {
        redis = RedisServerFixture.start();
        courier = new CourierServer(MailUser.of("diff", PASSWORD), MailUser.of("horizon", PASSWORD)).start();
        dovecot = new DovecotServer(
                        DovecotServer.Mode.NATIVE, MailUser.of("diff", PASSWORD), MailUser.of("horizon", PASSWORD))
                .start();
    }

    @AfterAll
    void stopAll() {
        if (courier != null) {
            courier.stop();
        }
        if (dovecot != null) {
            dovecot.stop();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void proxiedCourierAndNativeDovecotLeadClientsToTheSameConclusions() throws Exception {
        DiffReport report = play("diff", StoreOptions.defaults(), false);
        assertNoBugs("diff", report);
    }

    /**
     * The same with an expunge log of one entry: old mod-sequences fall below the proxy's horizon, where it answers
     * from the client's known UIDs instead of its log (RFC 7162 3.2.6 note, 5.3).
     */
    @Test
    void theSameBelowTheProxysExpungeHorizon() throws Exception {
        DiffReport report = play("horizon", StoreOptions.defaults().withExpungeLogMaxEntries(1), true);
        assertNoBugs("horizon", report);
    }

    /**
     * Plays the script; {@code belowHorizon} says whether c2's oldest checkpoint must then lie below the proxy's
     * expunge-log horizon (so the run really tested that path) or still be answered from the log.
     */
    private DiffReport play(String user, StoreOptions options, boolean belowHorizon) throws Exception {
        Map<String, byte[]> messages = new LinkedHashMap<>();
        for (int i = 1; i <= 14; i++) {
            String label = "m" + i;
            messages.put(
                    label,
                    ("From: Alice <alice@example.org>\r\nTo: " + user + "@example.org\r\nSubject: " + label
                                    + "\r\nMessage-ID: <" + label + "." + user
                                    + "@diff.interop.test>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000"
                                    + "\r\n\r\nbody of " + label + "\r\n")
                            .getBytes(StandardCharsets.UTF_8));
        }
        // Two proxy instances, each with its own store client (and near-cache) on the one Redis, as deployed. The
        // stores are built here like the launcher builds them (ProxyFixture's own ignores state.* settings).
        StoreOptions storeOptions = options.withCommandTimeout(Duration.ofSeconds(2));
        try (ModSeqStore s1 = ModSeqStores.create(redis.uri(), storeOptions);
                ModSeqStore s2 = ModSeqStores.create(redis.uri(), storeOptions);
                ProxyFixture p1 = ProxyFixture.start(courier.host(), courier.port(), s1, config -> {});
                ProxyFixture p2 = ProxyFixture.start(courier.host(), courier.port(), s2, config -> {});
                DiffWorld a = new DiffWorld(
                        "proxy+courier",
                        courier,
                        user,
                        PASSWORD,
                        List.of(new DiffWorld.Door(p1.host(), p1.port()), new DiffWorld.Door(p2.host(), p2.port())),
                        client -> DOORS.getOrDefault(client, 0),
                        f -> f.equals("INBOX") ? "INBOX" : "INBOX." + f,
                        messages);
                DiffWorld b = new DiffWorld(
                        "dovecot",
                        dovecot,
                        user,
                        PASSWORD,
                        List.of(new DiffWorld.Door(dovecot.host(), dovecot.port())),
                        client -> 0,
                        f -> f,
                        messages)) {
            DiffReport report = new Script(a, b).run();
            Checkpoint oldest = a.checkpointNamed("c2@2");
            Vanished vanished = p1.store()
                    .vanishedSince(new MailboxId("b1", user, "INBOX"), oldest.uidValidity(), oldest.modSeq())
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertThat(vanished)
                    .as("the proxy's expunge log for c2@2")
                    .isInstanceOf(belowHorizon ? Vanished.BelowHorizon.class : Vanished.Exact.class);
            return report;
        }
    }

    /** The history, played step by step on both worlds; resync steps are compared right away. */
    private static final class Script {
        private final DiffWorld a;
        private final DiffWorld b;
        private final DiffReport report = new DiffReport(KNOWN_BUGS);

        Script(DiffWorld a, DiffWorld b) {
            this.a = a;
            this.b = b;
        }

        interface Step {
            void on(DiffWorld w) throws IOException;
        }

        interface Sync {
            DiffWorld.Outcome on(DiffWorld w) throws IOException;
        }

        void both(Step step) throws IOException {
            step.on(a);
            step.on(b);
        }

        void compare(String what, DiffReport.Ask ask, Sync sync) throws IOException {
            report.compare(what, ask, sync.on(a), sync.on(b));
        }

        DiffReport run() throws IOException {
            // Mail arrives; three clients sync INBOX at different times, one stays connected.
            both(w -> {
                for (int i = 1; i <= 8; i++) {
                    w.deliver("m" + i);
                }
            });
            both(w -> w.checkpoint("c1@1", "c1", "INBOX"));
            both(w -> w.openLive("live", "INBOX"));
            both(w -> {
                w.store("s2", "INBOX", "m1", "+FLAGS (\\Seen)");
                w.store("s2", "INBOX", "m2", "+FLAGS (\\Flagged $Work)");
                w.append("s2", "INBOX", "m9", "\\Seen");
            });
            compare("live NOOP after flags and an APPEND", DiffReport.Ask.NOOP, w -> w.noop("live"));
            both(w -> w.checkpoint("c2@2", "c2", "INBOX"));

            // Expunge, move, and changes that bypass the proxy (webmail, an LDA, another IMAP server).
            both(w -> {
                w.expunge("s2", "INBOX", "m3");
                w.create("s2", "Archive");
                w.move("s2", "INBOX", "m4", "Archive");
            });
            both(w -> {
                w.store(DiffWorld.DIRECT, "INBOX", "m5", "+FLAGS (\\Answered)");
                w.store(DiffWorld.DIRECT, "INBOX", "m1", "-FLAGS (\\Seen)");
                w.expunge(DiffWorld.DIRECT, "INBOX", "m6");
                w.deliver("m10");
            });
            both(w -> w.checkpoint("c3@3", "c3", "Archive"));
            // No net change: a flag set and cleared again, a flag cleared and set again.
            both(w -> {
                w.store("s3", "INBOX", "m7", "+FLAGS (\\Answered)");
                w.store("s3", "INBOX", "m7", "-FLAGS (\\Answered)");
                w.store("s3", "INBOX", "m2", "-FLAGS (\\Flagged)");
                w.store("s3", "INBOX", "m2", "+FLAGS (\\Flagged)");
            });
            compare("live NOOP after expunge, move, external changes", DiffReport.Ask.NOOP, w -> w.noop("live"));
            compare(
                    "c1 resyncs INBOX from c1@1 (known UIDs)",
                    DiffReport.Ask.KNOWN_UIDS,
                    w -> w.resync("c1@1", "c1", true, "c1@4"));
            compare(
                    "c2 resyncs INBOX from c2@2 (known UIDs)",
                    DiffReport.Ask.KNOWN_UIDS,
                    w -> w.resync("c2@2", "c2", true, "c2@4"));
            compare(
                    "c2 resyncs INBOX from c2@2 again (no known UIDs)",
                    DiffReport.Ask.ALL_UIDS,
                    w -> w.resync("c2@2", "c2", false, "c2@4b"));

            // More moves, a plain EXPUNGE of \Deleted mail, changes in the archive.
            both(w -> {
                w.move("s2", "INBOX", "m5", "Archive");
                w.move("s2", "INBOX", "m9", "Archive");
                w.store("s3", "INBOX", "m8", "+FLAGS.SILENT (\\Deleted)");
                w.store("s3", "INBOX", "m10", "+FLAGS (\\Deleted \\Seen)");
                w.expungeDeleted("s3", "INBOX");
                w.append("s3", "INBOX", "m11", "");
                w.store(DiffWorld.DIRECT, "Archive", "m4", "+FLAGS (\\Seen $Done)");
                w.append("s2", "Archive", "m12", "\\Draft");
            });
            compare("live NOOP after moves and EXPUNGE", DiffReport.Ask.NOOP, w -> w.noop("live"));
            compare(
                    "c3 resyncs Archive from c3@3",
                    DiffReport.Ask.KNOWN_UIDS,
                    w -> w.resync("c3@3", "c3", true, "c3@5"));
            compare(
                    "c1 resyncs INBOX from its first checkpoint c1@1 again (no known UIDs)",
                    DiffReport.Ask.ALL_UIDS,
                    w -> w.resync("c1@1", "c1", false, "c1@5b"));
            compare("c1 resyncs INBOX from c1@4", DiffReport.Ask.KNOWN_UIDS, w -> w.resync("c1@4", "c1", true, "c1@5"));

            // Everything expunged down to one message, then mail again.
            both(w -> {
                w.expunge("s2", "INBOX", "m1");
                w.expunge(DiffWorld.DIRECT, "INBOX", "m2");
                w.expunge("s3", "INBOX", "m7");
                w.deliver("m13");
                w.store("s3", "INBOX", "m11", "+FLAGS ($Later)");
            });
            compare("live NOOP after most of INBOX is gone", DiffReport.Ask.NOOP, w -> w.noop("live"));
            compare("c2 resyncs INBOX from c2@4", DiffReport.Ask.KNOWN_UIDS, w -> w.resync("c2@4", "c2", true, "c2@6"));
            compare(
                    "c2 resyncs INBOX from c2@2, the oldest it has",
                    DiffReport.Ask.KNOWN_UIDS,
                    w -> w.resync("c2@2", "c2", true, "c2@6b"));
            compare(
                    "c3 resyncs Archive from c3@5",
                    DiffReport.Ask.KNOWN_UIDS,
                    w -> w.resync("c3@5", "c3", true, "c3@6"));

            // Nothing happens; every client comes back once more and must hear nothing new.
            compare("c1 resyncs INBOX from c1@5", DiffReport.Ask.KNOWN_UIDS, w -> w.resync("c1@5", "c1", true, "c1@7"));
            compare(
                    "c2 resyncs INBOX from c2@6 (quiet)",
                    DiffReport.Ask.KNOWN_UIDS,
                    w -> w.resync("c2@6", "c2", true, "c2@7"));
            compare(
                    "c3 resyncs Archive from c3@6 (quiet)",
                    DiffReport.Ask.KNOWN_UIDS,
                    w -> w.resync("c3@6", "c3", true, "c3@7"));
            return report;
        }
    }

    private static void assertNoBugs(String name, DiffReport report) throws IOException {
        String rendered = report.render();
        System.out.println("=== differential " + name + "\n" + rendered);
        Path out = Path.of("target", "differential-" + name + ".txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, rendered);
        // Not vacuous: most resyncs had something to report, on both sides.
        assertThat(report.comparisons()).isEqualTo(16);
        assertThat(report.nonEmpty()).isGreaterThanOrEqualTo(10);
        assertThat(report.bugs()).as(rendered).isEmpty();
    }
}
